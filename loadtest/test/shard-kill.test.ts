// The shard-kill scenario, small: 600 fans of one event over a local cluster of three shards
// (two hold the fans, the third is the spare its capacity plan leaves free), chat at 20 msg/s,
// one shard killed with SIGKILL half-way. Every fan it held must resume on a survivor, with its
// resume ticket on the fallback shard its last grant named (no join call: the SDK's path, as
// shard-loss.ts plays it), and over all fans nothing may be lost, duplicated or reordered.

import { afterEach, expect, it } from 'vitest';
import { OPEN_CHAT_LIMITS, Resources, runSession } from '../src/runner.js';
import { shardKill, spareCapacity } from '../src/scenario-shard-kill.js';

const FANS = 600;
const SHARDS = 3;

const resources = new Resources();
afterEach(async () => {
  await resources.closeAll();
});

it('brings every fan of a killed shard back on the others, losing nothing', async () => {
  const lines: string[] = [];
  const { rows } = await runSession(
    {
      options: {
        target: 'fanfare',
        shards: SHARDS,
        fans: FANS,
        workers: 1,
        senders: 5,
        ratePerS: 20,
        eventId: 'demo',
        targetApi: undefined,
        engineEnv: OPEN_CHAT_LIMITS,
        pin: false,
        connectConcurrency: 64,
        // Tokens first: the API places every fan before any connects, so the two loaded shards
        // are filled exactly (with joins and upgrades interleaved on a loaded box it overfills).
        prefetchTokens: true,
        cluster: true,
        shardCapacity: spareCapacity(FANS, SHARDS),
      },
      reportJoinStorm: false,
      phases: [
        {
          name: 'shard-kill',
          run: (ctx) =>
            shardKill(ctx, { ratePerS: 20, durationS: 3, senders: 5, victim: undefined }),
        },
      ],
    },
    resources,
    (line) => lines.push(line),
  );
  const row = rows.find((r) => r.name === 'shard-kill');
  const context = JSON.stringify({ rows, lines: lines.slice(-20) }, null, 1);
  expect(row, context).toBeDefined();
  expect(
    row!.notes.filter((n) => n.startsWith('failed:')),
    context,
  ).toEqual([]);
  // The fuller of the two loaded shards, and no sender on it: about half the fans.
  expect(row!.dropped, context).toBeGreaterThan(FANS / 3);
  expect(row!.resumed, context).toBe(row!.dropped);
  // Every shard's grants name a live peer (fallbackUrl), so each killed fan held one and came
  // back with its ticket on that peer, after one refused attempt on its own shard: no join.
  expect(row!.fallbacksHeld, context).toBe(row!.dropped);
  expect(row!.resumedVia, context).toEqual({ fallback: row!.dropped, join: 0, own: 0 });
  expect(row!.continuity, context).toEqual({ resumed: row!.dropped });
  expect(row!, context).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
  // Chat went on through the kill, so the killed shard's fans missed some and got them back.
  expect(row!.recovered, context).toBeGreaterThan(0);
  expect(row!.fans, context).toBe(FANS);
  expect(row!.resumeP99Ms, context).toBeGreaterThan(0);
  // The kill's closes are named as such, not as the server closing fans.
  expect(row!.disconnects, context).toBeGreaterThan(0);
  expect(row!.notes, context).toContain(`${row!.disconnects} sockets closed by the kill`);
  expect(
    row!.notes.filter((n) => n.endsWith('closed by the server')),
    context,
  ).toEqual([]);
}, 120_000);
