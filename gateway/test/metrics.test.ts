// GET /metrics: what a shard reports to Prometheus, read back after real traffic, and the NATS
// reconnect counters across a real server restart.

import { NatsBus, connectNats, silentLogger } from '@fanfare/fanout';
import { ManualClock, requireNatsServerBinary, startNatsServer } from '@fanfare/fanout/testing';
import { TALLY_INTERVAL_MS } from '@fanfare/protocol';
import { expectRefused } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

/** The value of the sample line of `name` whose labels include `label`, or undefined. */
function sample(text: string, name: string, label: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.slice(0, l.indexOf('}')).includes(label));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('counts connections, chat, refusals, welcomes and disconnects', async () => {
    g = await startGateway({ shardId: 'm1' });
    const { fan } = await g.join({ sub: 'a' });
    await g.join({ sub: 'b' });
    fan.send({ type: 'chat.send', text: 'one', ref: 'r1' });
    await fan.next('ack');
    fan.send({ type: 'chat.send', text: 'one', ref: 'r2' }); // the same text: refused
    await fan.next('error');
    await expectRefused(`${g.url}?token=garbage`);
    fan.socket.close(1000);
    await fan.closed;

    const res = await fetch(`${g.url.replace('ws://', 'http://').replace('/ws', '')}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'fanfare_gateway_connections', 'shard="m1"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_rooms', 'shard="m1"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_chat_accepted_total', 'shard="m1"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_chat_refused_total', 'code="duplicate_message"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_upgrades_refused_total', 'reason="token_invalid"')).toBe(
      1,
    );
    expect(sample(text, 'fanfare_gateway_welcomes_total', 'continuity="fresh"')).toBe(2);
    expect(sample(text, 'fanfare_gateway_disconnects_total', 'code="1000"')).toBe(1);
  });
});

describe('fan-out delivery latency', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('is observed once per record sent, whatever the fans, and reported per window', async () => {
    // A manual clock: the log stamps the append at T, the batch leaves CHAT_BATCH_MS later.
    const clock = new ManualClock(1_700_000_000_000);
    g = await startGateway({ shardId: 'm4', chatBatchMs: 10 }, clock);
    const { fan } = await g.join();
    const { fan: other } = await g.join();
    fan.send({ type: 'chat.send', text: 'goal', ref: 'r1' });
    await fan.next('ack');
    clock.advance(10);
    await fan.next('chat');
    await other.next('chat');
    const text = await g.gateway.metrics.registry.metrics();
    // Two fans got it; one observation of 10 ms.
    expect(sample(text, 'fanfare_fanout_delivery_seconds_count', 'shard="m4"')).toBe(1);
    expect(sample(text, 'fanfare_fanout_delivery_seconds_sum', 'shard="m4"')).toBe(0.01);
    expect(sample(text, 'fanfare_fanout_delivery_seconds_bucket', 'le="0.005"')).toBe(0);
    expect(sample(text, 'fanfare_fanout_delivery_seconds_bucket', 'le="0.01"')).toBe(1);
    // The registry hears of it once its 2 s step is complete, for the next 10 s.
    expect(g.gateway.shardState(g.url).fanout).toEqual({
      windowMs: 10_000,
      delivered: 0,
      p99Ms: null,
    });
    clock.advance(2_000);
    expect(g.gateway.shardState(g.url).fanout).toEqual({
      windowMs: 10_000,
      delivered: 1,
      p99Ms: 10,
    });
  });
});

describe('vote metrics', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('count votes by outcome and the tallies sent', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({ shardId: 'm3' }, clock);
    const { fan } = await g.join();
    await g.votes.open('demo', 'p1', 2);
    const poll = { id: 'p1', question: 'Q?', options: ['a', 'b'], state: 'open' as const };
    await g.setStage({
      view: { polls: [{ ...poll, opensAt: clock.now(), closesAt: clock.now() + 60_000 }] },
    });
    await fan.next('stage');
    fan.send({ type: 'vote', pollId: 'p1', option: 1, ref: 'a' });
    await fan.next('voted');
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'b' });
    await fan.next('error');
    clock.advance(TALLY_INTERVAL_MS);
    await fan.next('tally');
    const text = await g.gateway.metrics.registry.metrics();
    expect(sample(text, 'fanfare_gateway_votes_total', 'outcome="accepted"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_votes_total', 'outcome="already_voted"')).toBe(1);
    expect(sample(text, 'fanfare_gateway_tallies_sent_total', 'shard="m3"')).toBe(1);
  });
});

describe.runIf(requireNatsServerBinary())('NATS metrics', () => {
  it('count a disconnect, a reconnect and the subjects resubscribed', async () => {
    const server = await startNatsServer();
    const link = await connectNats({
      servers: [server.url],
      name: 'metrics',
      logger: silentLogger,
      reconnectWaitMs: 50,
      reconnectJitterMs: 1,
    });
    const bus = new NatsBus({ connection: link, ownsConnection: false, logger: silentLogger });
    bus.subscribe('m.a', () => undefined);
    bus.subscribe('m.b', () => undefined);
    const metrics = new GatewayMetrics({ shard: 'm2' }, { connections: () => 0, rooms: () => 0 });
    metrics.watchNats(link, () => bus.activeSubjects());
    const reconnected = new Promise<void>((resolve) => {
      link.onChange((change) => change === 'reconnect' && resolve());
    });
    try {
      await server.kill();
      await server.restart();
      await reconnected;
      const text = await metrics.registry.metrics();
      expect(sample(text, 'fanfare_nats_disconnects_total', 'shard="m2"')).toBe(1);
      expect(sample(text, 'fanfare_nats_reconnects_total', 'shard="m2"')).toBe(1);
      expect(sample(text, 'fanfare_nats_resubscriptions_total', 'shard="m2"')).toBe(2);
      expect(sample(text, 'fanfare_nats_connected', 'shard="m2"')).toBe(1);
    } finally {
      await bus.close();
      await link.close();
      await server.dispose();
    }
  });
});
