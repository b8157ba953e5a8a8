import { describe, expect, it } from 'vitest';
import { CACHED_FRAMES, FrameCache } from './frame-cache.js';
import { ChatScan } from './frame-reader.js';

function scan(seqs: number[]): ChatScan {
  const out = new ChatScan();
  seqs.forEach((seq, i) => {
    out.seqs[i] = seq;
    out.sendTimes[i] = seq * 10;
  });
  out.count = seqs.length;
  return out;
}

const frame = (first: number, last: number): Buffer =>
  Buffer.from(
    `{"type":"chat","messages":[{"id":"m${first}","seq":${first}${'x'.repeat(200)}"text":"b:1:0:${last}"}]}`,
  );

describe('FrameCache', () => {
  it('recognises a frame it has seen, at any offset in a read', () => {
    const cache = new FrameCache();
    const f = frame(10, 12);
    cache.store(f, 0, f.length, scan([10, 11, 12]));
    const read = Buffer.concat([Buffer.from('junk'), f]);
    const hit = cache.lookup(read, 4, read.length);
    expect(hit === undefined ? [] : [...hit.seqs.subarray(0, hit.count)]).toEqual([10, 11, 12]);
  });

  it('tells apart frames that differ at either end or in length', () => {
    const cache = new FrameCache();
    const f = frame(10, 12);
    cache.store(f, 0, f.length, scan([10, 11, 12]));
    for (const other of [frame(20, 12), frame(10, 19), frame(10, 123)]) {
      expect(cache.lookup(other, 0, other.length)).toBeUndefined();
    }
  });

  it('keeps its own copy of the scan and forgets the oldest frames first', () => {
    const cache = new FrameCache();
    const reused = scan([1]);
    const first = frame(1, 1);
    cache.store(first, 0, first.length, reused);
    reused.seqs[0] = 99;
    expect(cache.lookup(first, 0, first.length)?.seqs[0]).toBe(1);
    for (let i = 2; i < CACHED_FRAMES + 2; i++) {
      const f = frame(i, i);
      cache.store(f, 0, f.length, scan([i]));
    }
    expect(cache.lookup(first, 0, first.length)).toBeUndefined();
  });
});
