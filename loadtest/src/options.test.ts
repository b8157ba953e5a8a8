import { describe, expect, it } from 'vitest';
import { DEFAULT_FANS, parseBenchOptions } from './options.js';

describe('parseBenchOptions', () => {
  it('fills defaults and spawns an engine when no target is given', () => {
    const parsed = parseBenchOptions([]);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { fans: DEFAULT_FANS, durationS: 10, ratePerS: 1000, senders: 10, workers: 2 },
    });
    expect(parsed.kind === 'run' && parsed.options.targetApi).toBeUndefined();
  });

  it('reads every flag and ignores the `--` pnpm may pass through', () => {
    const parsed = parseBenchOptions([
      '--',
      '--fans',
      '5000',
      '--rate',
      '2000',
      '--duration',
      '2.5',
      '--target-api',
      'http://127.0.0.1:8080/',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { fans: 5000, ratePerS: 2000, durationS: 2.5, targetApi: 'http://127.0.0.1:8080' },
    });
  });

  it('lists every problem at once', () => {
    const parsed = parseBenchOptions([
      '--fans',
      '0',
      '--senders',
      '1.5',
      '--target-api',
      'ftp://x',
    ]);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.problems).toHaveLength(3);
  });

  it('reads the join storm arrival window and the admission setting', () => {
    const parsed = parseBenchOptions(['join-storm', '--within', '2s', '--admission', 'off']);
    expect(parsed).toMatchObject({ kind: 'run', options: { withinS: 2, admission: 'off' } });
    const bad = parseBenchOptions(['broadcast', '--within', 'soon', '--admission', 'maybe']);
    expect(bad.kind === 'invalid' && bad.problems).toHaveLength(3);
  });

  it('refuses more senders than fans', () => {
    const parsed = parseBenchOptions(['--fans', '5', '--senders', '6']);
    expect(parsed.kind === 'invalid' && parsed.problems[0]).toMatch(/--senders/);
  });

  it('runs shard-kill as a cluster of 2 or more shards, with a victim by shard id', () => {
    const parsed = parseBenchOptions(['shard-kill', '--shards', '3', '--victim', 'g2']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { scenario: 'shard-kill', shards: 3, cluster: true, victim: 'g2' },
    });
    const bad = parseBenchOptions(['shard-kill', '--victim', 'two', '--target', 'socketio']);
    expect(bad.kind === 'invalid' && bad.problems).toEqual([
      'shard-kill runs against Fanfare only',
      'shard-kill needs --shards 2 or more, got 1',
      '--victim must be a shard id such as g2, got "two"',
    ]);
    const elsewhere = parseBenchOptions(['recovery', '--victim', 'g1']);
    expect(elsewhere.kind === 'invalid' && elsewhere.problems).toEqual([
      '--victim is for shard-kill',
    ]);
  });

  it('refuses unknown flags', () => {
    expect(parseBenchOptions(['--fanz', '3']).kind).toBe('invalid');
  });
});

describe('parseBenchOptions: scenarios and targets', () => {
  it('takes the scenario as the one positional argument', () => {
    const parsed = parseBenchOptions(['join-storm', '--target', 'all', '--prefetch-tokens']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: {
        scenario: 'join-storm',
        targets: ['fanfare', 'uws-raw', 'socketio'],
        prefetchTokens: true,
        pin: true,
      },
    });
  });

  it('gives chat-storm many senders, each under the fan limit of 1 msg/s', () => {
    const parsed = parseBenchOptions(['chat-storm', '--fans', '1000']);
    expect(parsed.kind === 'run' && parsed.options.senders).toBe(500);
    expect(parsed.kind === 'run' && parsed.options.ratePerS / parsed.options.senders).toBeLessThan(
      1,
    );
  });

  it('refuses unknown scenarios and targets, and a fleet too big for its generators', () => {
    const parsed = parseBenchOptions(['storm', '--target', 'nats', '--fans', '40000']);
    expect(parsed.kind === 'invalid' && parsed.problems).toHaveLength(3);
  });

  it('asks poll-burst against a running engine for a producer token, and takes one', () => {
    const api = ['poll-burst', '--target-api', 'http://127.0.0.1:8080'];
    const refused = parseBenchOptions(api);
    expect(refused.kind === 'invalid' && refused.problems[0]).toMatch(/--producer-token/);
    const parsed = parseBenchOptions([...api, '--producer-token', 'eyJ.x.y']);
    expect(parsed.kind === 'run' && parsed.options.producerToken).toBe('eyJ.x.y');
  });
});
