import { describe, expect, it } from 'vitest';
import type { InitInfo, TrackInfo } from './cmaf-reader.js';
import { Rendition } from './rendition.js';

const video: TrackInfo = {
  id: 1,
  kind: 'video',
  timescale: 90000,
  codec: 'avc1.42c01e',
  width: 320,
  height: 180,
  defaultSampleDuration: 0,
  defaultSampleFlags: 0,
};
const INIT: InitInfo = { tracks: [video], video, codecs: 'avc1.42c01e' };

function setup(windowSegments = 4) {
  let now = 1_000_000;
  const rendition = new Rendition({
    name: '180p',
    segmentTarget: 1,
    partTarget: 0.2,
    windowSegments,
    epoch: 'e1',
    now: () => now,
  });
  let t = 0;
  let n = 0;
  /** Feeds `count` 200 ms fragments, a keyframe every fifth, 200 ms of wall clock apart. */
  function feed(count: number, duration = 0.2): void {
    for (let i = 0; i < count; i++) {
      now += duration * 1000;
      rendition.addFragment(Buffer.from(`frag${n}`), {
        decodeTime: t,
        duration,
        independent: n % 5 === 0,
      });
      t += duration;
      n++;
    }
  }
  function restart(): void {
    t = 0;
    n = 0;
    rendition.addInit(Buffer.from('init'), INIT);
  }
  rendition.addInit(Buffer.from('init'), INIT);
  return { rendition, feed, restart, nowMs: () => now };
}

describe('Rendition', () => {
  it('groups parts into segments that start on a keyframe', () => {
    const { rendition, feed } = setup();
    feed(12);
    const w = rendition.window();
    expect(w.segments.map((s) => [s.msn, s.parts.length, s.complete])).toEqual([
      [0, 5, true],
      [1, 5, true],
      [2, 2, false],
    ]);
    expect(w.segments[1]!.parts.map((p) => p.independent)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(w.segments[1]!.duration).toBe(1);
    expect(w.targetDuration).toBe(1);
    expect(w.partTarget).toBe(0.2);
  });

  it('stamps segments with wall-clock time anchored at the first fragment', () => {
    const { rendition, feed, nowMs } = setup();
    const start = nowMs();
    feed(11);
    const pdts = rendition.window().segments.map((s) => s.programDateTimeMs);
    expect(pdts).toEqual([start, start + 1000, start + 2000]);
  });

  it('serves parts by counter and complete segments as their parts back to back', () => {
    const { rendition, feed } = setup();
    feed(6);
    expect(rendition.part(5)?.toString()).toBe('frag5');
    expect(rendition.segment(0)?.toString()).toBe('frag0frag1frag2frag3frag4');
    expect(rendition.segment(1)).toBeUndefined(); // still open
  });

  it('keeps the configured number of complete segments and forgets older parts', () => {
    const { rendition, feed } = setup(2);
    feed(21);
    const w = rendition.window();
    expect(w.segments.map((s) => s.msn)).toEqual([2, 3, 4]);
    expect(rendition.part(9)).toBeUndefined();
    expect(rendition.part(10)?.toString()).toBe('frag10');
  });

  it('closes the open segment at an encoder restart and marks the next as discontinuous', () => {
    const { rendition, feed, restart } = setup(10);
    feed(7);
    restart();
    feed(6);
    const w = rendition.window();
    expect(w.segments.map((s) => [s.msn, s.parts.length, s.complete, s.discontinuity])).toEqual([
      [0, 5, true, false],
      [1, 2, true, false],
      [2, 5, true, true],
      [3, 1, false, false],
    ]);
    expect(w.segments[2]!.initUri).not.toBe(w.segments[1]!.initUri);
    expect(rendition.init(w.segments[2]!.initUri)?.toString()).toBe('init');
  });

  it('counts a discontinuity that rolled out of the window', () => {
    const { rendition, feed, restart } = setup(2);
    feed(5);
    restart();
    feed(16);
    const w = rendition.window();
    expect(w.discontinuitySequence).toBe(1);
    expect(w.segments.some((s) => s.discontinuity)).toBe(false);
  });

  it('raises PART-TARGET for a longer part rather than under-state it', () => {
    const { rendition, feed } = setup();
    feed(1, 0.221);
    expect(rendition.window().partTarget).toBe(0.221);
  });

  it('tells listeners about every part', () => {
    const { rendition, feed } = setup();
    let calls = 0;
    const off = rendition.onChange(() => calls++);
    feed(3);
    off();
    feed(1);
    expect(calls).toBe(3);
  });

  it('ends the playlist when the encoder is gone', () => {
    const { rendition, feed } = setup();
    feed(3);
    rendition.end();
    const w = rendition.window();
    expect(w.ended).toBe(true);
    expect(w.segments.at(-1)!.complete).toBe(true);
  });
});
