// The join storm against admission control, small and bounded: 80 fans arrive within half a
// second at one embedded shard that admits 5 at once and 50 per second after. Refusals must
// happen, each with a Retry-After, and every fan must get in through its retries.

import { afterEach, expect, it } from 'vitest';
import { nowMs } from '../src/clock.js';
import { FanFleet } from '../src/fan-fleet.js';
import { REPO_ROOT } from '../src/runner.js';
import { startTarget, type RunningTarget } from '../src/target-servers.js';
import { splitWork } from '../src/work-split.js';

const FANS = 80;
/** The shard's budget: BURST at once, RATE per second after. */
const BURST = 5;
const RATE = 50;
const WINDOW_MS = 500;

let target: RunningTarget | undefined;
let fleet: FanFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  await target?.close();
});

it('refuses past the budget with Retry-After, and every fan gets in by retrying', async () => {
  target = await startTarget(
    {
      kind: 'fanfare',
      shards: 1,
      env: { GATEWAY_ADMISSION_RATE: `${RATE}/${BURST}` },
      cpu: undefined,
    },
    REPO_ROOT,
  );
  const [plan] = splitWork(
    {
      fans: FANS,
      workers: 1,
      senders: 1,
      ratePerS: 1,
      durationS: 1,
      eventId: 'demo',
      targetApi: undefined,
    },
    {
      apiUrl: target.apiUrl,
      totalConnectConcurrency: 32,
      fanConnectTimeoutMs: 10_000,
      target: 'fanfare',
      serverUrls: [],
    },
  );
  fleet = new FanFleet(plan!);
  // Tokens first, so the storm meets the shard's budget, not the API's.
  expect(await fleet.tokens()).toMatchObject({ fetched: FANS, failed: 0 });
  const startAtMs = nowMs() + 100;
  const result = await fleet.connect({
    startAtMs,
    windowMs: WINDOW_MS,
    totalFans: FANS,
    deadlineMs: startAtMs + 60_000,
  });
  expect(result).toMatchObject({ connected: FANS, failed: 0 });
  expect(result.refused).toBeGreaterThan(0);
  // The budget held: no faster than the burst and then the rate allow.
  expect(result.elapsedMs).toBeGreaterThanOrEqual(((FANS - BURST) / RATE) * 1000 - 100);
  expect(result.withRetryAfter).toBe(result.refused);
  // Every refusal, and every attempt a loaded box left unanswered, was tried again.
  expect(result.retries).toBe(result.refused! + (result.failedAttempts ?? 0));
  // A hang limit: the target's start alone may take SERVER_READY_TIMEOUT_MS (90 s).
}, 150_000);
