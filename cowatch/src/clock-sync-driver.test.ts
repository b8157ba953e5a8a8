import { describe, expect, it } from 'vitest';
import { ClockSync } from './clock-sync.js';
import {
  BURST_COUNT,
  BURST_GAP_MS,
  ClockSyncDriver,
  PING_INTERVAL_MS,
} from './clock-sync-driver.js';
import type { PingRequest } from './clock-sync-driver.js';
import { SimScheduler } from './sim/scheduler.js';

const SERVER_AHEAD_MS = 12_345;

function setup(options: { answer?: boolean; delayMs?: number } = {}) {
  const sched = new SimScheduler();
  const clock = sched.clock();
  const sync = new ClockSync({ clock });
  const sent: { at: number; ping: PingRequest }[] = [];
  const verdicts: (string | undefined)[] = [];
  let serverAhead = SERVER_AHEAD_MS;
  const driver = new ClockSyncDriver({
    sync,
    clock,
    send: (ping) => {
      sent.push({ at: sched.now, ping });
      if (options.answer === false) return;
      const half = (options.delayMs ?? 20) / 2;
      sched.after(half, () => {
        const pong = { ref: ping.ref, t: ping.t, serverTime: clock.now() + serverAhead };
        sched.after(half, () => verdicts.push(driver.receive(pong)));
      });
    },
  });
  const setServerAhead = (ms: number) => (serverAhead = ms);
  return { sched, clock, sync, driver, sent, verdicts, setServerAhead };
}

describe('ClockSyncDriver', () => {
  it('sends a burst at start, then one ping per interval', () => {
    const { sched, driver, sent } = setup({ answer: false });
    driver.start();
    sched.advance(BURST_GAP_MS * BURST_COUNT + 3 * PING_INTERVAL_MS);
    const times = sent.map((s) => s.at);
    const burst = Array.from({ length: BURST_COUNT }, (_, i) => i * BURST_GAP_MS);
    const last = burst[burst.length - 1]!;
    expect(times).toEqual([
      ...burst,
      last + PING_INTERVAL_MS,
      last + 2 * PING_INTERVAL_MS,
      last + 3 * PING_INTERVAL_MS,
    ]);
    expect(new Set(sent.map((s) => s.ping.ref)).size).toBe(sent.length);
  });

  it('turns pongs into samples and syncs within the burst', () => {
    const { sched, driver, sync } = setup();
    driver.start();
    sched.advance(1_000);
    expect(sync.synced).toBe(true);
    expect(sync.offsetMs).toBeCloseTo(SERVER_AHEAD_MS, 0);
  });

  it('ignores pongs it did not ask for, duplicates and late ones', () => {
    const { sched, driver, clock, sent } = setup({ answer: false });
    driver.start();
    sched.advance(0);
    const ping = sent[0]!.ping;
    expect(driver.receive({ ref: 'someone-else', serverTime: 1 })).toBeUndefined();
    expect(driver.receive({ serverTime: 1 })).toBeUndefined();
    sched.advance(10);
    expect(driver.receive({ ref: ping.ref, t: ping.t, serverTime: clock.now() })).toBe('accepted');
    expect(driver.receive({ ref: ping.ref, t: ping.t, serverTime: clock.now() })).toBeUndefined();
    sched.advance(BURST_GAP_MS);
    const second = sent[1]!.ping;
    sched.advance(10_000); // past the 5 s timeout
    expect(
      driver.receive({ ref: second.ref, t: second.t, serverTime: clock.now() }),
    ).toBeUndefined();
  });

  it('brings the next ping forward after an outlier to confirm a step quickly', () => {
    const { sched, driver, sent, verdicts, setServerAhead } = setup();
    driver.start();
    sched.advance(2_000); // burst done
    setServerAhead(SERVER_AHEAD_MS + 3_000);
    const before = sent.length;
    sched.advance(PING_INTERVAL_MS + 3 * BURST_GAP_MS + 100);
    expect(verdicts.slice(-3)).toEqual(['outlier', 'outlier', 'step']);
    expect(sent.length - before).toBe(3);
  });

  it('bursts again on resync, forgetting the old samples', () => {
    const { sched, driver, sync, sent } = setup();
    driver.start();
    sched.advance(2_000);
    const before = sent.length;
    driver.resync();
    expect(sync.sampleCount).toBe(0);
    sched.advance(BURST_GAP_MS * BURST_COUNT);
    expect(sent.length - before).toBe(BURST_COUNT);
    expect(sync.synced).toBe(true);
  });

  it('stops pinging and ignores pongs after close', () => {
    const { sched, driver, sent, verdicts } = setup({ delayMs: 50 });
    driver.start();
    sched.advance(120);
    driver.close();
    driver.close();
    const count = sent.length;
    sched.advance(60_000);
    expect(sent.length).toBe(count);
    expect(verdicts.at(-1)).toBeUndefined();
  });
});
