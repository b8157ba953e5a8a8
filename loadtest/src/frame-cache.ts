// Every fan of an event receives the same chat frames (the server encodes each batch once), so
// the generator reads each frame thousands of times. This cache keeps the scans of the last few
// frames and recognises a repeat by its length and its first and last bytes, which hold the
// batch's first message id and seq and its last message's text: a repeat then costs a compare
// of ~100 bytes instead of a scan of the whole frame. Trade-off: a different frame with the same
// length, head and tail would be read as the cached one; server JSON makes that impossible in
// practice (ids are unique), and the first frames are still checked against JSON.parse.

import { ChatScan } from './frame-reader.js';

/** Bytes compared at each end of a frame. */
export const HEAD_BYTES = 64;
export const TAIL_BYTES = 48;
/** Frames remembered: a read often holds several batches, and fans interleave. */
export const CACHED_FRAMES = 32;

interface Entry {
  length: number;
  head: Buffer;
  tail: Buffer;
  scan: ChatScan;
}

function sameBytes(buf: Buffer, at: number, key: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

export class FrameCache {
  readonly #entries: Entry[] = [];
  #next = 0;
  hits = 0;
  misses = 0;

  /** The cached scan of the frame in buf[from, to), or undefined. */
  lookup(buf: Buffer, from: number, to: number): ChatScan | undefined {
    const length = to - from;
    const head = Math.min(HEAD_BYTES, length);
    const tail = Math.min(TAIL_BYTES, length);
    for (const entry of this.#entries) {
      if (
        entry.length === length &&
        sameBytes(buf, from, entry.head, head) &&
        sameBytes(buf, to - tail, entry.tail, tail)
      ) {
        this.hits++;
        return entry.scan;
      }
    }
    this.misses++;
    return undefined;
  }

  /** Remembers `scan` (copied) as the reading of buf[from, to), evicting the oldest entry. */
  store(buf: Buffer, from: number, to: number, scan: ChatScan): void {
    const length = to - from;
    let entry = this.#entries[this.#next];
    if (entry === undefined) {
      entry = {
        length: 0,
        head: Buffer.alloc(HEAD_BYTES),
        tail: Buffer.alloc(TAIL_BYTES),
        scan: new ChatScan(),
      };
      this.#entries[this.#next] = entry;
    }
    this.#next = (this.#next + 1) % CACHED_FRAMES;
    entry.length = length;
    buf.copy(entry.head, 0, from, from + Math.min(HEAD_BYTES, length));
    buf.copy(entry.tail, 0, to - Math.min(TAIL_BYTES, length), to);
    entry.scan.reserve(scan.count);
    entry.scan.seqs.set(scan.seqs.subarray(0, scan.count));
    entry.scan.sendTimes.set(scan.sendTimes.subarray(0, scan.count));
    entry.scan.count = scan.count;
  }
}
