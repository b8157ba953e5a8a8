// The CI smoke run: a few hundred fans for a couple of seconds against each server the load
// tester drives (Fanfare embedded, the raw uWS peer, the Socket.IO peer), through the raw
// client. Every message must be counted at every fan, with nothing lost, duplicated or
// reordered. Figures are not asserted: this checks the tool, not the speed.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { nowMs } from '../src/clock.js';
import type { TargetKind } from '../src/dialect.js';
import { FanFleet } from '../src/fan-fleet.js';
import { OPEN_CHAT_LIMITS, REPO_ROOT } from '../src/runner.js';
import { startTarget } from '../src/target-servers.js';
import type { RunningTarget } from '../src/target-servers.js';
import { splitWork } from '../src/work-split.js';

const FANS = 300;
const SENDERS = 5;
const RATE_PER_S = 100;
const SEND_MS = 1500;
/** How long every fan has to count every message after the last send, ms. */
const DELIVERY_LIMIT_MS = 30_000;

let target: RunningTarget | undefined;
let fleet: FanFleet | undefined;

afterEach(async () => {
  await fleet?.close();
  await target?.close();
  fleet = undefined;
  target = undefined;
});

describe.each<TargetKind>(['fanfare', 'uws-raw', 'socketio'])('smoke run against %s', (kind) => {
  it('delivers every message to every fan once and in order, and counts each', async () => {
    target = await startTarget(
      { kind, shards: 1, env: OPEN_CHAT_LIMITS, cpu: undefined },
      REPO_ROOT,
    );
    const [plan] = splitWork(
      {
        fans: FANS,
        workers: 1,
        senders: SENDERS,
        ratePerS: RATE_PER_S,
        durationS: 1,
        eventId: 'demo',
        targetApi: undefined,
      },
      {
        apiUrl: target.apiUrl,
        totalConnectConcurrency: 32,
        fanConnectTimeoutMs: 10_000,
        target: kind,
        serverUrls: target.serverUrls,
      },
    );
    fleet = new FanFleet(plan!);
    const connected = await fleet.connect();
    expect(connected).toMatchObject({ connected: FANS, failed: 0 });

    const sent = (await fleet.send(nowMs() + 100, SEND_MS)).sent;
    expect(sent).toBeGreaterThanOrEqual((RATE_PER_S * SEND_MS) / 1000 - SENDERS);
    const current = fleet;
    // A limit for a hang, not a speed: 45,000 deliveries, each parsed by this process, queue
    // behind whatever else a loaded machine runs; a lost message still leaves the count short.
    await vi
      .waitFor(() => expect(current.progress().delivered).toBe(sent * FANS), {
        timeout: DELIVERY_LIMIT_MS,
        interval: 50,
      })
      .catch((err: unknown) => {
        // Say who is short, so a rare miss can be told apart (one fan, or one message).
        const { maxSeq, disconnects } = current.poll();
        throw new Error(
          `${String(err)}; disconnects ${disconnects}; short fans: ` +
            current.shortFans(maxSeq).join('; '),
        );
      });

    const interval = fleet.poll();
    expect(interval.disconnects).toBe(0);
    expect(fleet.audit(interval.maxSeq)).toMatchObject({
      lost: 0,
      duplicates: 0,
      reordered: 0,
      live: FANS,
    });
    const report = fleet.report(interval.maxSeq);
    expect(report.latency.count).toBe(sent * FANS);
    expect(report.fastPathOff).toBeUndefined();
    expect(report.errors).toEqual({});
    // A hang limit: the target's start (SERVER_READY_TIMEOUT_MS, 90 s) and the delivery limit.
  }, 150_000);
});
