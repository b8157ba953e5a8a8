import { describe, expect, it } from 'vitest';
import type { MediaLike } from './media.js';
import { Rng } from './sim/rng.js';
import { SimScheduler } from './sim/scheduler.js';
import { IDEAL_MEDIA, SimMedia } from './sim/sim-media.js';
import type { SimMediaSpec } from './sim/sim-media.js';
import { SyncController } from './sync-controller.js';
import {
  DRIFT_ENTER_MS,
  DRIFT_EXIT_MS,
  MAX_RATE_NUDGE,
  SEEK_AIM_MARGIN,
  SETTLE_WINDOW_MS,
} from './sync-policy.js';
import type { SyncStatus } from './sync-state.js';
import { positionAt } from '@fanfare/protocol';
import type { Timeline } from '@fanfare/protocol';

// Compile-time: a real video element is a MediaLike, with no adapter.
export const videoIsMediaLike = (video: HTMLVideoElement): MediaLike => video;

/** Lets promise callbacks (a play() refusal) run; virtual time does not move. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

interface Setup {
  media?: Partial<SimMediaSpec>;
  /** Server clock error as a function of local time: noise, drift. */
  clockError?: (localMs: number) => number;
  makeMedia?: (sched: SimScheduler, spec: SimMediaSpec) => SimMedia;
}

function setup(options: Setup = {}) {
  const sched = new SimScheduler();
  const clock = sched.clock();
  const spec = { ...IDEAL_MEDIA, ...options.media };
  const media = options.makeMedia?.(sched, spec) ?? new SimMedia(sched, new Rng(1), spec);
  const time = {
    synced: true,
    serverNow: () => clock.now() + (options.clockError?.(clock.now()) ?? 0),
  };
  const statuses: SyncStatus[] = [];
  const ctl = new SyncController({ media, time, clock, onStatus: (s) => statuses.push(s) });
  let version = 0;
  const timeline = (t: Partial<Timeline> = {}): Timeline => ({
    media: 'm',
    position: 0,
    rate: 1,
    paused: false,
    at: clock.now(),
    version: ++version,
    ...t,
  });
  /** True drift: media position minus the timeline's at the true server time, ms. */
  const drift = () => (media.currentTime - positionAt(ctl.timeline!, clock.now())) * 1000;
  /** Media playing for a second, controller started, timeline placed `driftMs` away from it. */
  const playingWithDrift = (driftMs: number) => {
    void media.play();
    sched.advance(1_000);
    ctl.start();
    ctl.setTimeline(timeline({ position: media.currentTime - driftMs / 1000 }));
  };
  return { sched, clock, media, time, ctl, statuses, timeline, drift, playingWithDrift };
}

describe('SyncController', () => {
  it('leaves drift inside the dead band alone', () => {
    const t = setup();
    t.playingWithDrift(DRIFT_ENTER_MS - 10);
    t.sched.advance(60_000);
    expect(t.ctl.status.state).toBe('in-sync');
    expect(t.ctl.stats).toMatchObject({ seeks: 0, rateChanges: 0 });
    expect(t.media.playbackRate).toBe(1);
    expect(t.drift()).toBeCloseTo(DRIFT_ENTER_MS - 10, 3);
  });

  it('nudges the rate up when behind, then returns it to exactly the timeline rate', () => {
    const t = setup({ media: { rateDelayMs: 50 } });
    t.playingWithDrift(-80);
    t.sched.advance(150);
    expect(t.ctl.status.state).toBe('correcting');
    expect(t.media.playbackRate).toBeGreaterThan(1);
    expect(t.media.playbackRate).toBeLessThanOrEqual(1 + MAX_RATE_NUDGE);
    t.sched.advance(5_000);
    expect(t.ctl.status.state).toBe('in-sync');
    expect(t.media.playbackRate).toBe(1);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS + 2);
    expect(t.ctl.stats).toMatchObject({ seeks: 0, rateFlips: 0 });
  });

  it('nudges the rate down when ahead, relative to the timeline rate', () => {
    const t = setup();
    void t.media.play();
    t.sched.advance(1_000);
    t.ctl.start();
    t.ctl.setTimeline(t.timeline({ position: t.media.currentTime - 0.08, rate: 1.5 }));
    t.sched.advance(150);
    expect(t.media.playbackRate).toBeLessThan(1.5);
    expect(t.media.playbackRate).toBeGreaterThanOrEqual(1.5 * (1 - MAX_RATE_NUDGE));
    t.sched.advance(5_000);
    expect(t.media.playbackRate).toBe(1.5);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS + 2);
  });

  it('seeks ahead on large drift, holds, and starts on the spot once the latency is learned', () => {
    const t = setup({ media: { seekLatencyMs: 300, playDelayMs: 30 } });
    const landings: number[] = [];
    t.media.addEventListener('seeked', () => landings.push(t.drift()));
    t.playingWithDrift(-2_000);
    expect(t.ctl.status.state).toBe('seeking');
    expect(t.media.paused).toBe(true);
    // Aimed ahead by the guesses: 150 ms of seek latency plus the margin, and 30 ms of start.
    expect(t.drift()).toBeCloseTo(150 * (1 + SEEK_AIM_MARGIN) + 30, 0);
    t.sched.advance(3_000);
    expect(t.ctl.stats.seekLatencyMs).toBeCloseTo(300, 0);
    expect(landings[0]).toBeLessThan(0); // the guess was short: landed behind, caught up by rate
    // Next time the learned latency is used: a host seek lands ahead, holds, starts on the spot.
    t.ctl.setTimeline(t.timeline({ position: 600 }));
    t.sched.advance(1_000);
    expect(t.ctl.stats.seeks).toBe(2);
    expect(landings[1]).toBeGreaterThan(0);
    expect(Math.abs(t.drift())).toBeLessThan(1);
    expect(t.ctl.status.state).toBe('in-sync');
  });

  it('does not oscillate over ten minutes of noisy clock, drift and slow rate changes', () => {
    const rng = new Rng(5);
    const t = setup({
      media: { seekLatencyMs: 200, seekVariation: 0.25, rateDelayMs: 100, playDelayMs: 40 },
      // 100 ppm of drift against the media clock, +/-3 ms of estimate noise on every read.
      clockError: (local) => (local - 1_700_000_000_000) * 1e-4 + rng.uniform(-3, 3),
    });
    t.playingWithDrift(-500);
    t.sched.advance(600_000);
    const s = t.ctl.stats;
    expect(s.seeks).toBe(1);
    expect(s.rateFlips).toBe(0);
    // 60 ms of drift over 10 min, absorbed in a few short corrections (one per
    // DRIFT_ENTER_MS - DRIFT_EXIT_MS of drift, at most), not a constant wobble.
    expect(s.corrections).toBeLessThanOrEqual(Math.ceil(60 / (DRIFT_ENTER_MS - DRIFT_EXIT_MS)) + 2);
    expect(s.rateChanges).toBeLessThanOrEqual(40);
    // What the controller sees (its clock is 60 ms off by now: not its fault) is in the band.
    expect(Math.abs(t.ctl.status.driftMs!)).toBeLessThan(DRIFT_ENTER_MS + 3);
  });

  it('backs off when its seeks keep missing (an element that lands 3 s early)', () => {
    class LandsEarly extends SimMedia {
      override get currentTime(): number {
        return super.currentTime;
      }
      override set currentTime(seconds: number) {
        super.currentTime = seconds - 3;
      }
    }
    const t = setup({
      media: { seekLatencyMs: 100 },
      makeMedia: (sched, spec) => new LandsEarly(sched, new Rng(1), spec),
    });
    const seekAt: number[] = [];
    t.media.addEventListener('seeking', () => seekAt.push(t.sched.now));
    t.playingWithDrift(-10_000);
    t.sched.advance(40_000);
    const gaps = seekAt.slice(1).map((at, i) => at - seekAt[i]!);
    // Without backoff it would seek every ~1.1 s (about 35 times).
    expect(seekAt.length).toBeLessThanOrEqual(9);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(8_000);
    expect(t.ctl.stats.missedSeeks).toBeGreaterThanOrEqual(3);
  });

  it('reports buffering during a stall without correcting, then catches up', () => {
    const t = setup({ media: { seekLatencyMs: 100 } });
    t.playingWithDrift(0);
    t.sched.advance(1_000);
    const before = t.ctl.stats;
    t.media.stall(800);
    t.sched.advance(400);
    expect(t.ctl.status).toMatchObject({ state: 'buffering', readiness: 'buffering' });
    expect(t.ctl.stats.rateChanges).toBe(before.rateChanges);
    expect(t.ctl.stats.seeks).toBe(before.seeks);
    t.sched.advance(2_000);
    expect(t.ctl.status).toMatchObject({ state: 'in-sync', readiness: 'ready' });
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_ENTER_MS);
    expect(t.ctl.stats.seeks).toBe(before.seeks + 1);
    const readiness = t.statuses.map((s) => s.readiness).filter((r, i, all) => r !== all[i - 1]);
    expect(readiness).toEqual(['ready', 'buffering', 'ready']);
  });

  it('pauses on the exact frame when a pause arrives late, and resumes in sync', () => {
    const t = setup({ media: { seekLatencyMs: 120, playDelayMs: 30 } });
    t.playingWithDrift(0);
    t.sched.advance(1_000);
    const tl = t.ctl.timeline!;
    const pausedAt = t.clock.now() - 300; // the pause reaches us 300 ms after the host's click
    const frame = positionAt(tl, pausedAt);
    t.ctl.setTimeline(t.timeline({ position: frame, paused: true, at: pausedAt }));
    t.sched.advance(1_000);
    expect(t.media.paused).toBe(true);
    expect(t.media.currentTime).toBe(frame);
    expect(t.ctl.status.state).toBe('in-sync');
    t.ctl.setTimeline(t.timeline({ position: frame, paused: false, at: t.clock.now() - 200 }));
    t.sched.advance(3_000);
    expect(t.media.paused).toBe(false);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_ENTER_MS);
    expect(t.ctl.status.state).toBe('in-sync');
  });

  it('holds at the start position until `at` and starts then, with no seek', () => {
    const t = setup({ media: { seekLatencyMs: 120, playDelayMs: 30 } });
    t.ctl.start();
    t.ctl.setTimeline(t.timeline({ position: 42, paused: true }));
    t.sched.advance(1_000); // the paused seek to the start frame
    const seeks = t.ctl.stats.seeks;
    // The host plays: the server starts the timeline START_LEAD_MS (300 ms) ahead.
    t.ctl.setTimeline(t.timeline({ position: 42, paused: false, at: t.clock.now() + 300 }));
    t.sched.advance(250);
    expect(t.media.paused).toBe(true);
    expect(t.media.currentTime).toBe(42);
    expect(t.ctl.status.state).toBe('holding');
    t.sched.advance(1_000);
    expect(t.ctl.stats.seeks).toBe(seeks);
    expect(t.media.paused).toBe(false);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS);
  });

  it('starts a late start frame within a second: seeks ahead, holds, plays on the spot', () => {
    const t = setup({ media: { seekLatencyMs: 120, seekVariation: 0.25, playDelayMs: 30 } });
    t.ctl.start();
    t.ctl.setTimeline(t.timeline({ position: 42, paused: true }));
    t.sched.advance(1_000);
    // The play frame arrives 150 ms after the instant it names.
    t.ctl.setTimeline(t.timeline({ position: 42, paused: false, at: t.clock.now() - 150 }));
    t.sched.advance(1_000);
    expect(t.media.paused).toBe(false);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS);
    expect(t.ctl.stats.rateFlips).toBe(0);
  });

  it('keeps the old rate until a rate change scheduled ahead takes effect', () => {
    const t = setup({ media: { seekLatencyMs: 120, playDelayMs: 30 } });
    t.playingWithDrift(0);
    t.sched.advance(1_000);
    const at = t.clock.now() + 300;
    const old = t.ctl.timeline!;
    t.ctl.setTimeline(t.timeline({ position: positionAt(old, at), rate: 1.5, at }));
    t.sched.advance(200);
    expect(t.media.playbackRate).toBe(1);
    expect(Math.abs(t.media.currentTime - positionAt(old, t.clock.now()))).toBeLessThan(0.001);
    t.sched.advance(1_000);
    expect(t.ctl.stats.seeks).toBe(0);
    expect(t.media.paused).toBe(false);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS);
  });

  it('settles the lag a rate change leaves inside the dead band (the element applies it late)', () => {
    // 40 ms of rate-change latency on a 0.25 step leaves the element 10 ms behind: inside the
    // 12 ms dead band, where it stayed for as long as the rate lasted (path-80±40, seed 2).
    const t = setup({ media: { seekLatencyMs: 120, playDelayMs: 30, rateDelayMs: 40 } });
    t.playingWithDrift(0);
    t.sched.advance(2_000);
    const before = t.ctl.stats;
    const at = t.clock.now() + 300;
    const old = t.ctl.timeline!;
    t.ctl.setTimeline(t.timeline({ position: positionAt(old, at), rate: 1.25, at }));
    t.sched.advance(350);
    expect(t.drift()).toBeLessThan(-DRIFT_EXIT_MS); // the lag, before any correction
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_ENTER_MS);
    t.sched.advance(SETTLE_WINDOW_MS + 2_000);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS);
    expect(t.media.playbackRate).toBe(1.25);
    expect(t.ctl.status.state).toBe('in-sync');
    expect(t.ctl.stats.corrections).toBe(before.corrections + 1);
    expect(t.ctl.stats).toMatchObject({ seeks: before.seeks, rateFlips: 0 });
  });

  it('does not nudge the drift it had before a rate change the wrong way when it switches', () => {
    // Ahead by 6 ms when the rate rises: the element's 80 ms latency will take 20 ms off that,
    // so a nudge down at the switch would have to reverse (a flip).
    const t = setup({ media: { seekLatencyMs: 120, playDelayMs: 30, rateDelayMs: 80 } });
    t.playingWithDrift(0);
    t.sched.advance(SETTLE_WINDOW_MS + 1_000);
    const at = t.clock.now() + 300;
    const old = t.ctl.timeline!;
    t.ctl.setTimeline(
      t.timeline({ position: positionAt(old, at) - (DRIFT_EXIT_MS + 2) / 1000, rate: 1.25, at }),
    );
    t.sched.advance(SETTLE_WINDOW_MS + 2_000);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_EXIT_MS);
    expect(t.ctl.stats.rateFlips).toBe(0);
  });

  it('leaves drift that appears after a change has settled to the dead band (estimate noise)', () => {
    let clockErrorMs = 0;
    const t = setup({ clockError: () => clockErrorMs });
    t.playingWithDrift(0);
    t.sched.advance(SETTLE_WINDOW_MS + 1_000);
    const before = t.ctl.stats;
    clockErrorMs = -(DRIFT_ENTER_MS - 2); // a new clock sample moved the estimate by 10 ms
    t.sched.advance(60_000);
    expect(t.ctl.stats.rateChanges).toBe(before.rateChanges);
    expect(t.ctl.status.state).toBe('in-sync');
  });

  it('ignores a timeline older than the one it holds', () => {
    const t = setup();
    t.playingWithDrift(0);
    const current = t.ctl.timeline!;
    expect(t.ctl.setTimeline({ ...current, version: current.version - 1, position: 999 })).toBe(
      false,
    );
    expect(t.ctl.timeline).toBe(current);
  });

  it('stays idle, leaving the element alone, until the clock is synced', () => {
    const t = setup();
    t.time.synced = false;
    t.ctl.start();
    t.ctl.setTimeline(t.timeline({ position: 42 }));
    t.sched.advance(1_000);
    expect(t.ctl.status.state).toBe('idle');
    expect(t.media.paused).toBe(true);
    expect(t.media.currentTime).toBe(0);
    t.time.synced = true;
    t.sched.advance(3_000);
    expect(t.media.paused).toBe(false);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_ENTER_MS);
  });

  it('reports blocked when the browser refuses play(), until the user starts playback', async () => {
    const t = setup({ media: { blockPlay: true } });
    t.ctl.start();
    t.ctl.setTimeline(t.timeline());
    await settle(); // the refusal arrives as a promise rejection
    t.sched.advance(500);
    expect(t.ctl.status).toMatchObject({ state: 'blocked', readiness: 'buffering' });
    t.media.spec.blockPlay = false;
    void t.media.play(); // the user's click
    t.sched.advance(5_000);
    expect(t.ctl.status).toMatchObject({ state: 'in-sync', readiness: 'ready' });
  });

  it('keeps readiness steady through its own corrective seeks', () => {
    const t = setup({ media: { seekLatencyMs: 300 } });
    t.playingWithDrift(-5_000);
    t.sched.advance(3_000);
    expect(t.ctl.stats.seeks).toBeGreaterThanOrEqual(1);
    expect(t.statuses.every((s) => s.readiness === 'ready')).toBe(true);
  });

  it('pulls the element back after the user seeks it away', () => {
    const t = setup({ media: { seekLatencyMs: 100 } });
    t.playingWithDrift(0);
    t.sched.advance(1_000);
    t.media.currentTime += 30;
    t.sched.advance(1_500);
    expect(Math.abs(t.drift())).toBeLessThan(DRIFT_ENTER_MS);
    expect(t.ctl.stats.seeks).toBe(1);
  });

  it('restores the timeline rate and stops acting on close', () => {
    const t = setup();
    t.playingWithDrift(-100);
    t.sched.advance(100);
    expect(t.media.playbackRate).not.toBe(1);
    t.ctl.close();
    t.ctl.close();
    expect(t.media.playbackRate).toBe(1);
    t.media.currentTime += 10;
    t.sched.advance(5_000);
    expect(t.ctl.stats.seeks).toBe(0);
  });
});
