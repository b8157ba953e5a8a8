// How `pnpm test` schedules the suite (vitest.config.ts reads this; docs/testing.md explains it).
// Test files run in parallel, TEST_WORKERS at a time, except SERIAL_TEST_FILES: those run after
// every other file has finished, one at a time, on an otherwise idle machine. A file belongs in
// SERIAL_TEST_FILES when it holds a bound in milliseconds that another file's CPU load could
// break (a video player's delay or spread, a co-watch sync error, an answer "at once" after a
// server is killed), or when it rewrites something other files read (the repository's dist/ and
// web/dist/pages). testkit/test/test-groups.test.ts makes every file that plays video in Chromium
// or times something with performance.now() be listed here or in PARALLEL_REVIEWED, so a new one
// cannot land in the parallel group unseen.

/** Workers for the parallel group: 2 (a CI runner's cores), or FANFARE_TEST_WORKERS. */
export function testWorkers(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FANFARE_TEST_WORKERS;
  if (raw === undefined || raw === '') return 2;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FANFARE_TEST_WORKERS=${raw}: not a count`);
  return n;
}

/** Files run one at a time after the parallel group, each with why (paths from the root). */
export const SERIAL_TEST_FILES: Readonly<Record<string, string>> = {
  'sdk/test/cowatch-browser.test.ts':
    'co-watch sync in Chromium: p95 and max of the members’ gap held to tens of ms',
  'media/test/hlsjs-chromium.test.ts':
    'two hls.js players in Chromium end within 150 ms of their target and 100 ms of each other',
  'embedded/test/spoiler-free.test.ts':
    'hls.js in Chromium: a message shows at most 100 ms after its moment is on screen',
  'embedded/test/web-qoe.test.ts':
    'hls.js in Chromium must rebuffer behind a 3 s link stall (a starved player may not have buffered)',
  'gateway/test/nats-outage.test.ts':
    'kills its nats-server; the shard must answer `unavailable` in under 1 s',
  'fanout/src/nats-restart.test.ts': 'kills its nats-server; a publish must fail in under 1 s',
  'cluster/test/failures.test.ts':
    'kill -9 and rolling restart of 3-4 shard processes under 300 fans; restarts a shard on its own port',
  'cluster/test/party-failover.test.ts':
    'a shard is killed and the party must move within the registry TTL + host grace + 4 s',
  'cluster/test/tracing.test.ts':
    'the API and two shards as tsx processes under one 60 s start limit: missed it twice with another file beside it on a loaded box',
  'cluster/test/prewarm-rooms.test.ts':
    'the API and shards as tsx processes: failed beside another file twice at load 25-34',
  'cluster/test/redis-outage.test.ts':
    'the API and shards as tsx processes, kills its redis-server: failed beside another file twice at load 25-34',
  'loadtest/test/shard-kill.test.ts':
    'the API and three shards as tsx processes under the launcher’s 60 s start limit, 600 fans resuming after a kill -9',
  'deploy/test/build.test.ts':
    '`pnpm build` rewrites every dist/ and web/dist/pages, which other files’ servers read',
};

/**
 * Files that match the guard's markers (video in Chromium, performance.now()) but were reviewed
 * and run in parallel: their time checks are lower bounds, generous limits or only printed.
 */
export const PARALLEL_REVIEWED: Readonly<Record<string, string>> = {
  'embedded/test/web-webrtc-fallback.test.ts':
    'LL-HLS must play (position advancing, 45 s); its one time check is a lower bound',
  'embedded/test/media.test.ts':
    'playlists and tokens; the last part moves on within 30 s (no fixed age)',
  'media/test/origin-ffmpeg.test.ts':
    'blocking requests answer after the part exists (order, not speed); waits are events',
  'media/test/nginx-edge.test.ts': 'request collapsing counted at the origin; times only printed',
  'media/test/srt-ingest.test.ts': 'a refusal within the 10 s connect timeout (not a timeout)',
  'testkit/test/delay-proxy.test.ts': 'added delays held as lower bounds, upper with +500 ms',
  'gateway/test/resume-tickets.test.ts': 'expiry arithmetic against Date.now(), in seconds',
};
