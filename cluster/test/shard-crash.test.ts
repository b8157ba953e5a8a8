// A shard crashes (kill -9) while 300 fans spread over three shards exchange 2,000 chat
// messages. Every fan must end with the complete sequence: nothing lost, nothing twice, nothing
// out of order; the fans of the dead shard rejoin through the API and resume by sequence.
// Real processes (API, three shards), a private nats-server, the machine's Redis.

import { FanfareClient, apiJoin, type FanfareClient as Client } from '@fanfare/sdk';
import {
  connectTestRedis,
  deletePrefix,
  requireNatsServerBinary,
  runPrefix,
  startNatsServer,
  type TestNatsServer,
} from '@fanfare/fanout/testing';
import type { ChatMessage } from '@fanfare/protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const FANS = 300;
const SENDERS = 100;
const PER_SENDER = 20;
const TOTAL = SENDERS * PER_SENDER;
const redisProbe = await connectTestRedis();
redisProbe?.disconnect();
const runnable = requireNatsServerBinary() && redisProbe !== undefined;

interface Fan {
  client: Client;
  seqs: number[];
  shardPort: () => number;
  /** When it lost its connection and when it was welcomed back, ms. */
  droppedAt?: number;
  resumedAt?: number;
  /** Called once the fan holds TOTAL messages. */
  done?: () => void;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

describe.skipIf(!runnable)('a shard crash under load', () => {
  let nats: TestNatsServer;
  let cluster: Cluster;
  const prefix = runPrefix('crash').replace(/:/g, '-');
  const fans: Fan[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    cluster = await Cluster.start({
      shards: 3,
      natsUrl: nats.url,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix,
      // Small shards, so 300 fans of one event must spread over all three (104, 104, 92).
      shardEnv: {
        SHARD_CAPACITY: '110',
        CHAT_RATE_PER_SECOND: '50',
        CHAT_BURST: '50',
        READINESS_GRACE_MS: '0',
      },
      output: (name, line) => {
        if (/"level":"(warn|error)"/.test(line)) process.stdout.write(`[${name}] ${line}\n`);
      },
    });
  }, 60_000);

  afterAll(async () => {
    for (const fan of fans) fan.client.close();
    await cluster?.stop();
    await nats?.dispose();
    const redis = await connectTestRedis();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  it('loses, duplicates and reorders nothing, and reports resume times', async () => {
    for (let i = 0; i < FANS; i++) {
      let socketUrl = '';
      const client = new FanfareClient({
        join: apiJoin({ apiUrl: cluster.apiUrl, eventId: 'demo', name: `fan${i}` }),
        WebSocket,
        backoff: { initialMs: 100, maxMs: 1_000 },
        onSocket: (socket) => (socketUrl = (socket as unknown as WebSocket).url),
      });
      const fan: Fan = { client, seqs: [], shardPort: () => Number(new URL(socketUrl).port) };
      client.on('chat', (m: ChatMessage) => {
        fan.seqs.push(m.seq);
        if (fan.seqs.length >= TOTAL) fan.done?.();
      });
      client.on('reconnecting', () => (fan.droppedAt ??= Date.now()));
      client.on('welcome', () => {
        if (fan.droppedAt !== undefined) fan.resumedAt ??= Date.now();
      });
      fans.push(fan);
    }
    await Promise.all(
      fans.map(
        (fan) =>
          new Promise<void>((resolve) => {
            const off = fan.client.on('welcome', () => {
              off();
              resolve();
            });
            fan.client.connect();
          }),
      ),
    );
    const ports = new Map<number, number>();
    for (const fan of fans) ports.set(fan.shardPort(), (ports.get(fan.shardPort()) ?? 0) + 1);
    expect(ports.size).toBe(3);

    // Capacity is planned for the loss of a shard: a warm spare joins before the crash, so the
    // survivors can hold everyone (a full shard takes no new fans).
    await cluster.startShard('g4', 4);
    const victim = cluster.shards[0]!;
    let acked = 0;
    let killed = false;
    const sends = fans.slice(0, SENDERS).map(async (fan, s) => {
      for (let n = 0; n < PER_SENDER; n++) {
        await fan.client.sendChat(`s${s} m${n}`);
        acked++;
        if (!killed && acked >= TOTAL / 3) {
          killed = true;
          victim.process.kill('SIGKILL');
        }
      }
    });
    await Promise.all(sends);
    expect(killed).toBe(true);

    const complete = Array.from({ length: TOTAL }, (_, i) => i + 1);
    // Every fan receives every message, or the time limit ends the wait and the counts below
    // say what is missing.
    await Promise.race([
      Promise.all(
        fans.map((fan) =>
          fan.seqs.length >= TOTAL ? undefined : new Promise<void>((r) => (fan.done = r)),
        ),
      ),
      new Promise((resolve) => setTimeout(resolve, 60_000)),
    ]);
    let lost = 0;
    let duplicated = 0;
    let reordered = 0;
    for (const fan of fans) {
      const seen = new Set(fan.seqs);
      lost += TOTAL - seen.size;
      duplicated += fan.seqs.length - seen.size;
      for (let i = 1; i < fan.seqs.length; i++) if (fan.seqs[i]! < fan.seqs[i - 1]!) reordered++;
    }
    const resumes = fans
      .filter((f) => f.droppedAt !== undefined && f.resumedAt !== undefined)
      .map((f) => f.resumedAt! - f.droppedAt!)
      .sort((a, b) => a - b);
    console.log(
      `shard crash: ${FANS} fans on ${ports.size} shards ([${[...ports.values()].join(', ')}]), ` +
        `${TOTAL} messages; lost ${lost}, duplicated ${duplicated}, reordered ${reordered}; ` +
        `${resumes.length} fans resumed, p50 ${percentile(resumes, 50)} ms, p99 ${percentile(resumes, 99)} ms`,
    );
    expect({ lost, duplicated, reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    for (const fan of fans) expect(fan.seqs).toEqual(complete);
    expect(resumes.length).toBeGreaterThanOrEqual(ports.get(victim.port)! - 1);
  }, 120_000);
});
