// ISO BMFF (MP4) boxes, read from a stream. ffmpeg writes fragmented MP4 to a pipe in chunks
// that split boxes anywhere; `BoxSplitter` reassembles whole top-level boxes with one copy per
// box, and the readers below pull the few fields the packager needs out of a box's bytes. A
// library (mp4box.js) would parse far more than we need and wants whole files or its own
// buffering; the subset here is small, and its tests run on bytes ffmpeg made.

/** A whole box: its four-character type and its bytes, header included. */
export interface Box {
  readonly type: string;
  readonly bytes: Buffer;
}

/** The header of a box at some offset of a buffer. */
export interface BoxHeader {
  readonly type: string;
  /** Bytes of the whole box, header included. */
  readonly size: number;
  /** Bytes of the header (8, or 16 with a 64-bit size). */
  readonly headerSize: number;
}

export class Mp4Error extends Error {
  override readonly name = 'Mp4Error';
  readonly code = 'invalid_mp4';
}

/** Largest box accepted from an encoder (a fragment of a few hundred ms is far smaller). */
export const MAX_BOX_BYTES = 64 * 1024 * 1024;

/** Reads the header at `offset`, or undefined when fewer than its bytes are there. */
export function readBoxHeader(buf: Buffer, offset: number): BoxHeader | undefined {
  if (buf.length - offset < 8) return undefined;
  let size = buf.readUInt32BE(offset);
  const type = buf.toString('latin1', offset + 4, offset + 8);
  let headerSize = 8;
  if (size === 1) {
    if (buf.length - offset < 16) return undefined;
    const large = buf.readBigUInt64BE(offset + 8);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4Error(`box ${type} is too large`);
    size = Number(large);
    headerSize = 16;
  } else if (size === 0) {
    // "Extends to the end of the file": meaningless in a live stream.
    throw new Mp4Error(`box ${type} has no size (size 0 is not allowed in a stream)`);
  }
  if (size < headerSize) throw new Mp4Error(`box ${type} is shorter than its header`);
  return { type, size, headerSize };
}

/**
 * Splits a byte stream into whole top-level boxes. Feed chunks in order with `push`; it returns
 * the boxes completed by that chunk. Throws Mp4Error on a malformed or oversized box (the
 * stream cannot be resynchronised after that: the caller drops the encoder's connection).
 */
export class BoxSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #maxBoxBytes: number;

  constructor(maxBoxBytes = MAX_BOX_BYTES) {
    this.#maxBoxBytes = maxBoxBytes;
  }

  /** Bytes held while waiting for the rest of a box. */
  get buffered(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): Box[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    let buf =
      this.#pending.length === 1
        ? this.#pending[0]!
        : Buffer.concat(this.#pending, this.#pendingBytes);
    const boxes: Box[] = [];
    let offset = 0;
    for (;;) {
      const header = readBoxHeader(buf, offset);
      if (!header) break;
      if (header.size > this.#maxBoxBytes) {
        throw new Mp4Error(`box ${header.type} of ${header.size} bytes exceeds the limit`);
      }
      if (buf.length - offset < header.size) break;
      // Copy: the chunk's memory is shared with whatever else it held.
      boxes.push({
        type: header.type,
        bytes: Buffer.from(buf.subarray(offset, offset + header.size)),
      });
      offset += header.size;
    }
    buf = buf.subarray(offset);
    this.#pending = buf.length > 0 ? [buf] : [];
    this.#pendingBytes = buf.length;
    return boxes;
  }
}

/** The children of a container box's payload (from `start` to `end` of `buf`). */
export function* children(
  buf: Buffer,
  start: number,
  end: number,
): Generator<{
  type: string;
  /** Offset of the payload (after the header). */
  start: number;
  /** Offset just past the box. */
  end: number;
}> {
  let offset = start;
  while (offset < end) {
    const header = readBoxHeader(buf, offset);
    if (!header || offset + header.size > end) throw new Mp4Error('truncated child box');
    yield { type: header.type, start: offset + header.headerSize, end: offset + header.size };
    offset += header.size;
  }
}

/** The first child of the given type, or undefined. */
export function child(
  buf: Buffer,
  start: number,
  end: number,
  type: string,
): { start: number; end: number } | undefined {
  for (const c of children(buf, start, end)) if (c.type === type) return c;
  return undefined;
}

/** Follows a path of container types from a whole box (`box.bytes`), e.g. ['trak', 'mdia']. */
export function descend(
  buf: Buffer,
  start: number,
  end: number,
  path: readonly string[],
): { start: number; end: number } | undefined {
  let range: { start: number; end: number } | undefined = { start, end };
  for (const type of path) {
    range = child(buf, range.start, range.end, type);
    if (!range) return undefined;
  }
  return range;
}
