// Two shards on the real NATS server (JetStream log, core NATS bus), each with its own
// connection, as two processes would be: a fan on shard A and a fan on shard B share one chat
// order and sequence, and see merged reactions and viewers.

import { openAdapters, type Adapters } from '@fanfare/fanout';
import { natsUrl, requireNats, silentLogger as quiet } from '@fanfare/fanout/testing';
import { TOKEN_ISSUER, resumeQuery, type ChatMessage } from '@fanfare/protocol';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectFan, type FanClient } from '@fanfare/testkit';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, JoseTokenVerifier, defaultGatewayConfig, silentLogger } from '../src/index.js';

const available = await requireNats();

describe.skipIf(!available)('two shards over NATS', () => {
  const prefix = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const seams: Adapters[] = [];
  const gateways: Gateway[] = [];
  const fans: FanClient[] = [];
  let sign: (sub: string) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    sign = (sub) =>
      new SignJWT({ evt: 'cross', role: 'fan', name: sub })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(sub)
        .setIssuer(TOKEN_ISSUER)
        .setAudience('fanfare-gateway')
        .setExpirationTime('10m')
        .sign(privateKey);
    for (const shardId of ['a', 'b']) {
      // NATS with memory stores: this test is about the log and the bus across shards.
      const adapters = await openAdapters({
        natsServers: [natsUrl()],
        redisUrl: undefined,
        prefix,
        name: shardId,
        logger: quiet,
      });
      seams.push(adapters);
      const gateway = new Gateway(
        defaultGatewayConfig({
          port: 0,
          chat: {
            fan: { ratePerSecond: 100, burst: 100 },
            staff: { ratePerSecond: 100, burst: 100 },
            duplicateWindowMs: 30_000,
          },
          shardId,
          prefix,
          readinessGraceMs: 0,
          reactionWindowMs: 100,
          presenceIntervalMs: 200,
        }),
        {
          ...adapters,
          verifier: new JoseTokenVerifier({ kind: 'jwks', jwks: { keys: [jwk] } }, TOKEN_ISSUER),
          logger: silentLogger,
        },
      );
      await gateway.start();
      gateways.push(gateway);
    }
  });

  afterAll(async () => {
    for (const fan of fans) fan.socket.terminate();
    for (const gateway of gateways) await gateway.close();
    const jsm = await jetstreamManager(seams[0]!.link!.nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name);
    }
    for (const adapters of seams) await adapters.close();
  });

  async function fanOn(shard: number, sub: string): Promise<FanClient> {
    const fan = await connectFan(
      `ws://127.0.0.1:${gateways[shard]!.port}/ws?token=${await sign(sub)}`,
    );
    fans.push(fan);
    await fan.next('welcome');
    return fan;
  }

  it('gives fans on different shards one chat order with the same sequence numbers', async () => {
    const onA = await fanOn(0, 'ann');
    const onB = await fanOn(1, 'bob');
    for (let i = 0; i < 10; i++) {
      (i % 2 ? onB : onA).send({ type: 'chat.send', text: `m${i}`, ref: `r${i}` });
    }
    const all = (fan: FanClient) =>
      fan.frames.flatMap((f) => (f.type === 'chat' ? f.messages.map((m) => [m.seq, m.text]) : []));
    await onA.until('10 messages', () => all(onA).length === 10);
    await onB.until('10 messages', () => all(onB).length === 10);
    expect(all(onA)).toEqual(all(onB));
    expect(all(onA).map(([seq]) => seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    // Each shard measured the delay of each of the 10 records from JetStream's timestamp, once
    // (its fan-out latency), within the histogram's range on one host.
    for (const gateway of gateways) {
      const [metric] = (await gateway.metrics.registry.getMetricsAsJSON()).filter(
        (m) => m.name === 'fanfare_fanout_delivery_seconds',
      );
      const values = metric!.values as { metricName?: string; value: number }[];
      const of = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))!.value;
      expect(of('_count')).toBe(10);
      expect(of('_sum') / 10).toBeLessThan(5);
    }
  });

  it('merges reactions and viewers across shards', async () => {
    const onA = await fanOn(0, 'cat');
    const onB = await fanOn(1, 'dan');
    onA.send({ type: 'react', emoji: '🔥', count: 3 });
    onB.send({ type: 'react', emoji: '🔥', count: 4 });
    const total = (fan: FanClient) =>
      fan.frames.reduce((n, f) => n + (f.type === 'reactions' ? (f.counts['🔥'] ?? 0) : 0), 0);
    await onA.until('7 taps', () => total(onA) === 7);
    await onB.until('7 taps', () => total(onB) === 7);
    // four fans of the event now: two per shard (from this test and the one before)
    await onB.next('presence', (p) => p.viewers === 4);
  });

  it('resumes a fan on the other shard from where it left', async () => {
    const onA = await fanOn(0, 'eve');
    onA.send({ type: 'chat.send', text: 'before the move', ref: 'x' });
    const ack = await onA.next('ack', (a) => a.ref === 'x');
    onA.close();
    const talker = await fanOn(0, 'fay');
    talker.send({ type: 'chat.send', text: 'while away', ref: 'y' });
    await talker.next('ack', (a) => a.ref === 'y');
    const fan = await connectFan(
      `ws://127.0.0.1:${gateways[1]!.port}/ws?token=${await sign('eve')}${resumeQuery(ack)}`,
    );
    fans.push(fan);
    const welcome = await fan.next('welcome');
    expect(welcome.snapshot.continuity).toBe('resumed');
    // What shard B had not yet received when the fan arrived follows live, after the welcome.
    const seen = (): ChatMessage[] => [
      ...welcome.snapshot.chat,
      ...fan.frames.flatMap((f) => (f.type === 'chat' ? f.messages : [])),
    ];
    await fan.until('the missed message', () => seen().some((m) => m.text === 'while away'));
    const missed = seen().filter((m) => m.seq > ack.seq);
    expect(missed.map((m) => m.text)).toEqual(['while away']);
    expect(missed[0]!.seq).toBe(ack.seq + 1);
  });
});
