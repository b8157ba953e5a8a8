// Clock sync over the client's socket and `watchParty`, on a fake gateway whose clock is offset
// from the test's and whose pings take time each way: the estimate converges within its bound,
// pings run only while in a party, and the controller's readiness reaches the party.

import { describe, expect, it } from 'vitest';
import {
  BURST_COUNT,
  PING_INTERVAL_MS,
  type MediaEventType,
  type MediaLike,
} from '@fanfare/cowatch';
import type { ManualClock } from '@fanfare/fanout/testing';
import { watchParty } from '../src/index.js';
import type { FakePartyOptions } from './fake-party.js';
import { welcome } from './fake-server.js';
import { partyWorld } from './party-setup.js';

const OFFSET_MS = 123_456;
const SEEK_MS = 120;

/** A deterministic jitter source: the same sequence every run. */
function jitter(seed: number, maxMs: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31) * maxMs;
  };
}

/**
 * A media element on the test's clock: it plays at its rate from where it was put, and a seek
 * holds it still for SEEK_MS, then fires `seeked`.
 */
class FakeMedia implements MediaLike {
  paused = true;
  readyState = 0;
  seeking = false;
  readonly #clock: ManualClock;
  readonly #listeners = new Map<MediaEventType, Set<() => void>>();
  #position = 0;
  #since = 0;
  #rate = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  get currentTime(): number {
    if (this.paused || this.seeking) return this.#position;
    return this.#position + ((this.#clock.now() - this.#since) / 1000) * this.#rate;
  }

  set currentTime(value: number) {
    this.#position = value;
    this.seeking = true;
    this.fire('seeking');
    this.#clock.setTimeout(() => this.fire('seeked'), SEEK_MS);
  }

  get playbackRate(): number {
    return this.#rate;
  }

  set playbackRate(rate: number) {
    this.#rebase();
    this.#rate = rate;
  }

  play(): void {
    this.#rebase();
    this.paused = false;
    this.#clock.setTimeout(() => this.fire('playing'), 0); // as a browser queues it
  }

  pause(): void {
    this.#rebase();
    this.paused = true;
  }

  addEventListener(type: MediaEventType, fn: () => void): void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(fn);
    this.#listeners.set(type, set);
  }

  removeEventListener(type: MediaEventType, fn: () => void): void {
    this.#listeners.get(type)?.delete(fn);
  }

  fire(type: MediaEventType): void {
    if (type === 'seeked') {
      this.seeking = false;
      this.#since = this.#clock.now();
    }
    for (const fn of this.#listeners.get(type) ?? []) fn();
  }

  #rebase(): void {
    this.#position = this.currentTime;
    this.#since = this.#clock.now();
  }
}

describe('clock sync over the client', () => {
  it('converges on the server’s offset within its error bound', async () => {
    const up = jitter(1, 40);
    const down = jitter(2, 40);
    const { fan, clock } = partyWorld({
      offsetMs: OFFSET_MS,
      upMs: () => 15 + up(),
      downMs: () => 35 + down(),
    });
    const ann = await fan('u1', 'Ann');
    expect(ann.client.serverTime.synced).toBe(false);
    await ann.client.party.create('film.mp4');
    clock.advance(2_000);

    const time = ann.client.serverTime;
    expect(time.synced).toBe(true);
    const error = ann.client.serverNow() - (clock.now() + OFFSET_MS);
    expect(Math.abs(error)).toBeLessThanOrEqual(time.errorBoundMs);
    // The bound is half the best round trip (50 ms at least here), and the estimate is off by
    // half the asymmetry of that exchange: 10 ms plus the jitter it met.
    expect(time.errorBoundMs).toBeGreaterThanOrEqual(25);
    expect(time.errorBoundMs).toBeLessThan(60);
    const pings = ann.socket.sentOf('ping');
    expect(pings).toHaveLength(BURST_COUNT);
    expect(pings[0]).toMatchObject({
      type: 'ping',
      ref: expect.any(String),
      t: expect.any(Number),
    });
  });

  it('pings only while in a party, and bursts again after a reconnect', async () => {
    const { fan, clock, party } = partyWorld({ offsetMs: OFFSET_MS });
    const ann = await fan('u1', 'Ann');
    clock.advance(10_000);
    expect(ann.socket.sentOf('ping')).toEqual([]);

    await ann.client.party.create('film.mp4');
    clock.advance(1_000 + PING_INTERVAL_MS);
    expect(ann.socket.sentOf('ping')).toHaveLength(BURST_COUNT + 1);
    expect(ann.client.serverNow()).toBe(clock.now() + OFFSET_MS); // no delay: exact

    ann.socket.drop(1006);
    clock.advance(1_000);
    const second = await ann.server.next();
    second.deliver(welcome({ continuity: 'resumed' }, ann.user));
    party.reattach(second, ann.user);
    clock.advance(1_000);
    expect(second.sentOf('ping')).toHaveLength(BURST_COUNT);

    await ann.client.party.leave();
    clock.advance(3 * PING_INTERVAL_MS);
    expect(second.sentOf('ping')).toHaveLength(BURST_COUNT);
  });

  it('can be held without a party, and stops on close', async () => {
    const { fan, clock } = partyWorld({ offsetMs: -5_000 });
    const ann = await fan('u1', 'Ann');
    const release = ann.client.serverTime.hold();
    clock.advance(1_000);
    expect(ann.client.serverTime.synced).toBe(true);
    expect(ann.client.serverNow()).toBe(clock.now() - 5_000);
    release();
    release(); // once only
    clock.advance(3 * PING_INTERVAL_MS);
    expect(ann.socket.sentOf('ping')).toHaveLength(BURST_COUNT);
    ann.client.serverTime.hold();
    ann.client.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('watchParty', () => {
  async function watching(link: Pick<FakePartyOptions, 'upMs' | 'downMs'> = {}) {
    const world = partyWorld({ offsetMs: OFFSET_MS, ...link });
    const ann = await world.fan('u1', 'Ann');
    const bob = await world.fan('u2', 'Bob');
    const media = new FakeMedia(world.clock);
    const loaded: string[] = [];
    const watch = watchParty(bob.client, media, { onMedia: (m) => loaded.push(m) });
    const { code } = await ann.client.party.create('film.mp4');
    await bob.client.party.join(code);
    /** Bob's readiness as the server records it. */
    const recorded = () =>
      world.party.party(code)?.members.find((m) => m.userId === 'u2')?.readiness;
    const readySent = () => bob.socket.sentOf('party.ready').map((f) => f.readiness);
    return { ...world, ann, bob, media, loaded, watch, code, recorded, readySent };
  }

  it('loads the party’s media and says ready once the element can play and the clock is synced', async () => {
    const t = await watching();
    expect(t.loaded).toEqual(['film.mp4']);
    expect(t.watch.status?.readiness).toBe('buffering');
    t.media.readyState = 4;
    t.media.fire('playing');
    expect(t.readySent()).toEqual([]); // not before the clock is synced: the position is unknown
    t.clock.advance(1_000);
    expect(t.readySent()).toEqual(['ready']);
    // With its path (the longest recent round trip, in 50 ms steps: none on this fake link),
    // which the party's start lead follows.
    expect(t.bob.socket.sentOf('party.ready')[0]).toMatchObject({ pathMs: 0 });
    expect(t.recorded()).toBe('ready');
    expect(t.bob.client.party.view?.members.find((m) => m.userId === 'u2')?.readiness).toBe(
      'ready',
    );
  });

  it('puts the element on the timeline: plays, seeks and stays within the dead band', async () => {
    const t = await watching();
    t.media.readyState = 4;
    await t.ann.client.party.command({ op: 'seek', position: 30 });
    t.ann.client.party.setReadiness('ready'); // Ann has no player; Bob's says ready once landed
    await t.ann.client.party.command({ op: 'play' });
    t.clock.advance(4_000); // clock sync (no delay: exact), a seek, rate nudges
    const tl = t.party.party(t.code)!.timeline;
    const target = tl.position + (t.clock.now() + OFFSET_MS - tl.at) / 1000;
    expect(t.media.paused).toBe(false);
    expect(t.media.currentTime).toBeGreaterThan(33);
    expect(Math.abs(t.media.currentTime - target)).toBeLessThan(0.025);
    expect(t.watch.status?.state).toBe('in-sync');
    expect(t.watch.stats?.seeks).toBeGreaterThanOrEqual(1);
  });

  it('says ready again after a host seek only once its own seek has landed', async () => {
    const t = await watching();
    t.media.readyState = 4;
    t.clock.advance(1_000);
    expect(t.recorded()).toBe('ready');

    await t.ann.client.party.command({ op: 'seek', position: 20 });
    expect(t.recorded()).toBe('buffering'); // the server marks everyone after a seek
    expect(t.watch.status?.state).toBe('seeking');
    expect(t.readySent()).toEqual(['ready']);
    t.clock.advance(SEEK_MS);
    expect(t.readySent()).toEqual(['ready', 'ready']);
    expect(t.recorded()).toBe('ready');
    expect(t.media.currentTime).toBe(20);
  });

  it('says its path again when only the path moved by more than a step, and not otherwise', async () => {
    let oneWayMs = 10;
    const t = await watching({ upMs: () => oneWayMs, downMs: () => oneWayMs });
    t.media.readyState = 4;
    t.clock.advance(1_000);
    const sent = () => t.bob.socket.sentOf('party.ready');
    // A 20 ms round trip, said as its 50 ms step (PATH_REPORT_STEP_MS).
    expect(sent()).toEqual([expect.objectContaining({ readiness: 'ready', pathMs: 50 })]);
    let rate = 1;
    /** A path measured at `ms` one way (the next ping), then a host frame, so Bob looks again. */
    const pathThenFrame = async (ms: number) => {
      oneWayMs = ms;
      t.clock.advance(PING_INTERVAL_MS + 2 * ms + 1);
      rate = rate === 1 ? 1.25 : 1;
      await t.ann.client.party.command({ op: 'rate', rate });
      expect(t.recorded()).toBe('ready'); // readiness never changes here: only the path may
    };

    await pathThenFrame(10); // the same path
    await pathThenFrame(20); // 40 ms: within its rounding, still 50
    await pathThenFrame(45); // 90 ms: said as 100, one step from 50, not more
    expect(sent()).toHaveLength(1);

    await pathThenFrame(150); // 300 ms: said again, readiness unchanged
    expect(sent()).toHaveLength(2);
    expect(sent()[1]).toMatchObject({ readiness: 'ready', pathMs: 300 });
    await pathThenFrame(150);
    expect(sent()).toHaveLength(2);

    // And when it shrinks: the slow exchanges leave the window (16 samples, a ping every 2 s).
    oneWayMs = 10;
    t.clock.advance(20 * PING_INTERVAL_MS);
    await pathThenFrame(10);
    expect(sent()).toHaveLength(3);
    expect(sent()[2]).toMatchObject({ readiness: 'ready', pathMs: 50 });
  });

  it('stops following when the client leaves the party, and close detaches for good', async () => {
    const t = await watching();
    expect(t.watch.status).toBeDefined();
    await t.bob.client.party.leave();
    expect(t.watch.status).toBeUndefined();
    t.watch.close();
    t.watch.close();
    await t.bob.client.party.join(t.code);
    expect(t.watch.status).toBeUndefined();
  });
});
