// A watch party survives the crash of its host's shard: the API (PGlite) and two shard processes
// on the machine's NATS and Redis, the party in Redis, its two members on different shards. The
// host's shard is killed with SIGKILL (no close frames, no registry removal); the member left
// must become host once the registry has dropped the dead shard and the host's grace has run
// out, with the party's timeline as the host left it.

import {
  connectTestRedis,
  deletePrefix,
  natsUrl,
  redisUrl,
  requireNats,
  runPrefix,
} from '@fanfare/fanout/testing';
import { HOST_GRACE_MS, type PartyView } from '@fanfare/protocol';
import { connectFan, type FanClient } from '@fanfare/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const redis = await connectTestRedis();
const runnable = redis !== undefined && (await requireNats());

/** The gateway's registry entry lifetime (gateway/src/registry-heartbeat.ts), ms. */
const REGISTRY_TTL_MS = 6_000;
/** One party upkeep round, a heartbeat's jitter and the frame's trip. */
const SLACK_MS = 4_000;

/** The first `party` frame satisfying `check`, waiting up to `limitMs` for it. */
function partyFrame(
  fan: FanClient,
  check: (party: PartyView) => boolean,
  limitMs: number,
): Promise<PartyView> {
  const find = () =>
    fan.frames.flatMap((f) => (f.type === 'party' && check(f.party) ? [f.party] : []))[0];
  return new Promise((resolve, reject) => {
    const look = () => {
      const found = find();
      if (!found) return;
      clearTimeout(timer);
      fan.socket.off('message', look);
      resolve(found);
    };
    // Listeners run in order: FanClient's own (registered first) has queued the frame already.
    fan.socket.on('message', look);
    const timer = setTimeout(() => {
      fan.socket.off('message', look);
      reject(new Error(`no matching party frame within ${limitMs} ms`));
    }, limitMs);
    look();
  });
}

describe.skipIf(!runnable)("a watch party outlives its host's shard", () => {
  let cluster: Cluster | undefined;
  const fans: FanClient[] = [];
  const prefix = runPrefix('party').replace(/:/g, '-');

  afterAll(async () => {
    for (const fan of fans) fan.close();
    await cluster?.stop();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  async function api<T>(path: string, body: unknown, token?: string): Promise<T> {
    const res = await fetch(`${cluster!.apiUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Joins the event through the API and connects to shard `index` itself. */
  async function fanOn(index: number, name: string): Promise<{ fan: FanClient; userId: string }> {
    const joined = await api<{ token: string }>('/v1/events/watch-night/join', { name });
    const fan = await connectFan(
      `ws://127.0.0.1:${cluster!.shards[index]!.port}/ws?token=${joined.token}`,
    );
    fans.push(fan);
    const welcome = await fan.next('welcome');
    return { fan, userId: welcome.user.id };
  }

  it('hands the host role to the member on the surviving shard, timeline intact', async () => {
    cluster = await Cluster.start({
      shards: 2,
      natsUrl: natsUrl(),
      redisUrl: redisUrl(),
      prefix,
      output: () => undefined,
    });
    const producer = await cluster.staffToken('producer');
    await api('/v1/events', { id: 'watch-night', title: 'Watch night' }, producer);
    await api('/v1/events/watch-night/state', { state: 'live' }, producer);

    const host = await fanOn(0, 'Ann');
    const member = await fanOn(1, 'Bob');
    host.fan.send({ type: 'party.create', media: 'final.mp4', ref: 'c' });
    const created = (await host.fan.next('party', (f) => f.ref === 'c')).party;
    member.fan.send({ type: 'party.join', code: created.code, ref: 'j' });
    await member.fan.next('party', (f) => f.ref === 'j');
    await host.fan.next('party', (f) => f.party.members.length === 2);
    host.fan.send({ type: 'party.command', command: { op: 'seek', position: 42 }, version: 1 });
    const seeked = (await member.fan.next('party.timeline', (f) => f.timeline.version === 2))
      .timeline;

    cluster.shards[0]!.process.kill('SIGKILL');
    const killedAt = Date.now();
    const handed = await partyFrame(
      member.fan,
      (p) => p.hostId === member.userId,
      HOST_GRACE_MS + REGISTRY_TTL_MS + SLACK_MS,
    );
    // Not before the grace: a host whose shard dies may come back on another one first.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(HOST_GRACE_MS);
    expect(handed.timeline).toEqual(seeked);
    expect(handed.members.map((m) => [m.userId, m.online])).toEqual([
      [host.userId, false],
      [member.userId, true],
    ]);
  }, 90_000);
});
