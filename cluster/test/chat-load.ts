// The load the failure tests put on a cluster: fans joined through the API with the SDK, some of
// them sending chat at their own pace, and a check that every fan ended with every message once
// and in order. `midway` runs once a third of the messages are acknowledged: the failure.

import { FanfareClient, apiJoin } from '@fanfare/sdk';
import type { ChatMessage } from '@fanfare/protocol';
import WebSocket from 'ws';

export interface LoadFan {
  client: FanfareClient;
  seqs: number[];
  port(): number;
  droppedAt?: number;
  resumedAt?: number;
  done?: () => void;
}

export interface LoadResult {
  fansPerShard: number[];
  messages: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Reconnect-and-resume times of the fans that lost their connection, ms, sorted. */
  resumes: number[];
  fans: LoadFan[];
}

/** How long every fan may take to catch up after the last send, ms. */
const CATCH_UP_LIMIT_MS = 60_000;

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function connectFans(apiUrl: string, count: number): Promise<LoadFan[]> {
  const fans: LoadFan[] = [];
  for (let i = 0; i < count; i++) {
    let socketUrl = '';
    const client = new FanfareClient({
      join: apiJoin({ apiUrl, eventId: 'demo', name: `fan${i}` }),
      WebSocket,
      backoff: { initialMs: 100, maxMs: 1_000 },
      onSocket: (socket) => (socketUrl = (socket as unknown as WebSocket).url),
    });
    const fan: LoadFan = { client, seqs: [], port: () => Number(new URL(socketUrl).port) };
    client.on('chat', (m: ChatMessage) => {
      fan.seqs.push(m.seq);
      fan.done?.();
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
  return fans;
}

export async function chatThrough(
  fans: LoadFan[],
  senders: number,
  perSender: number,
  midway: () => Promise<void>,
): Promise<LoadResult> {
  const perShard = new Map<number, number>();
  for (const fan of fans) perShard.set(fan.port(), (perShard.get(fan.port()) ?? 0) + 1);
  const total = senders * perSender;
  let acked = 0;
  let failure: Promise<void> | undefined;
  await Promise.all(
    fans.slice(0, senders).map(async (fan, s) => {
      for (let n = 0; n < perSender; n++) {
        await fan.client.sendChat(`s${s} m${n}`);
        if (++acked >= total / 3) failure ??= midway();
      }
    }),
  );
  await failure;
  // Every fan catches up, or the limit ends the wait and the counts say what is missing.
  await Promise.race([
    Promise.all(
      fans.map(
        (fan) =>
          new Promise<void>((resolve) => {
            fan.done = () => fan.seqs.length >= total && resolve();
            fan.done();
          }),
      ),
    ),
    new Promise((resolve) => setTimeout(resolve, CATCH_UP_LIMIT_MS)),
  ]);
  let lost = 0;
  let duplicated = 0;
  let reordered = 0;
  for (const fan of fans) {
    const seen = new Set(fan.seqs);
    lost += total - seen.size;
    duplicated += fan.seqs.length - seen.size;
    for (let i = 1; i < fan.seqs.length; i++) if (fan.seqs[i]! < fan.seqs[i - 1]!) reordered++;
  }
  const resumes = fans
    .filter((f) => f.droppedAt !== undefined && f.resumedAt !== undefined)
    .map((f) => f.resumedAt! - f.droppedAt!)
    .sort((a, b) => a - b);
  return {
    fansPerShard: [...perShard.values()],
    messages: total,
    lost,
    duplicated,
    reordered,
    resumes,
    fans,
  };
}

export function describeResult(what: string, r: LoadResult): string {
  return (
    `${what}: ${r.fans.length} fans on ${r.fansPerShard.length} shards ([${r.fansPerShard.join(', ')}]), ` +
    `${r.messages} messages; lost ${r.lost}, duplicated ${r.duplicated}, reordered ${r.reordered}; ` +
    `${r.resumes.length} fans resumed, p50 ${percentile(r.resumes, 50)} ms, p99 ${percentile(r.resumes, 99)} ms`
  );
}
