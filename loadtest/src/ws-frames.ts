// RFC 6455 framing for the load generator's own WebSocket client: masked client frames out, and
// an incremental parser for server frames in. The parser hands each payload over as a range of
// the buffer it arrived in, so a frame that fits in one read costs no copy and no allocation;
// only a frame split across reads is copied once, into a buffer of exactly its size.
// Trade-off: server frames are trusted to be unmasked and well formed (the servers under test
// are ours or well-known); a masked or oversized server frame is a protocol error, not handled.

import { randomFillSync } from 'node:crypto';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** Longest frame the parser accepts, bytes; a bigger one is a protocol error. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Longest frame header: 2 bytes, 8 bytes of extended length, 4 bytes of mask. */
const MAX_HEADER_BYTES = 14;

// Masks come from a pool refilled in one call: a randomFillSync per frame costs ~1 us.
const MASK_POOL = Buffer.allocUnsafe(4096);
let maskAt = MASK_POOL.length;

function nextMask(): number {
  if (maskAt + 4 > MASK_POOL.length) {
    randomFillSync(MASK_POOL);
    maskAt = 0;
  }
  const mask = MASK_POOL.readUInt32BE(maskAt);
  maskAt += 4;
  return mask;
}

/**
 * One masked client frame (FIN set) carrying `payload`, ready to write. A string payload is
 * written as UTF-8 straight into the frame, without an intermediate buffer.
 */
export function encodeClientFrame(opcode: number, payload: string | Buffer = ''): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = 2 + extended + 4;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (extended === 0) {
    frame[1] = 0x80 | length;
  } else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const mask = nextMask();
  frame.writeUInt32BE(mask, header - 4);
  if (typeof payload === 'string') frame.write(payload, header, 'utf8');
  else payload.copy(frame, header);
  const m0 = mask >>> 24;
  const m1 = (mask >>> 16) & 0xff;
  const m2 = (mask >>> 8) & 0xff;
  const m3 = mask & 0xff;
  let i = header;
  const end = header + length;
  for (; i + 3 < end; i += 4) {
    frame[i]! ^= m0;
    frame[i + 1]! ^= m1;
    frame[i + 2]! ^= m2;
    frame[i + 3]! ^= m3;
  }
  for (let k = 0; i < end; i++, k++) frame[i]! ^= k === 0 ? m0 : k === 1 ? m1 : m2;
  return frame;
}

/** A close frame's payload: the code, then the UTF-8 reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}

/** Reads a close frame's code (1005 "no status" when the payload is empty) and reason. */
export function readClose(
  buf: Buffer,
  start: number,
  end: number,
): { code: number; reason: string } {
  if (end - start < 2) return { code: 1005, reason: '' };
  return { code: buf.readUInt16BE(start), reason: buf.toString('utf8', start + 2, end) };
}

/** Receives complete server messages: text/binary (reassembled) and control frames. */
export interface FrameSink {
  /** A whole message or control frame; the payload is buf[start, end) and valid only during the call. */
  frame(opcode: number, buf: Buffer, start: number, end: number): void;
  /** The stream is not valid RFC 6455 from a server; nothing more is parsed. */
  protocolError(message: string): void;
}

/** Where one connection's parse stands between reads: a partial frame and partial fragments. */
export class FrameParseState {
  /** Bytes of a frame split across reads; its header first, then the whole frame. */
  pending: Buffer | undefined = undefined;
  pendingLength = 0;
  /** The split frame's full length, once its header is known; 0 before. */
  pendingTotal = 0;
  /** Payloads of a fragmented message so far, and its opcode. */
  fragments: Buffer[] | undefined = undefined;
  fragmentOpcode = 0;
  failed = false;
}

/** Header size for the two first bytes, or 0 when the length field needs more bytes to read. */
function headerSize(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

function payloadLength(buf: Buffer, at: number): number {
  const len7 = buf[at + 1]! & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return buf.readUInt16BE(at + 2);
  return buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
}

function emit(
  state: FrameParseState,
  sink: FrameSink,
  buf: Buffer,
  at: number,
  total: number,
): void {
  const b0 = buf[at]!;
  const b1 = buf[at + 1]!;
  if (b1 & 0x80) {
    state.failed = true;
    sink.protocolError('the server sent a masked frame');
    return;
  }
  const opcode = b0 & 0x0f;
  const fin = (b0 & 0x80) !== 0;
  const start = at + headerSize(b1);
  const end = at + total;
  if (opcode >= Opcode.close || (fin && opcode !== Opcode.continuation && !state.fragments)) {
    sink.frame(opcode, buf, start, end);
    return;
  }
  // Fragmented data message: keep copies of the pieces until the final one.
  if (opcode !== Opcode.continuation) {
    state.fragments = [];
    state.fragmentOpcode = opcode;
  } else if (!state.fragments) {
    state.failed = true;
    sink.protocolError('a continuation frame with no message to continue');
    return;
  }
  state.fragments.push(Buffer.from(buf.subarray(start, end)));
  if (!fin) return;
  const whole = Buffer.concat(state.fragments);
  state.fragments = undefined;
  sink.frame(state.fragmentOpcode, whole, 0, whole.length);
}

/** Copies into the pending frame; returns how many bytes of `buf` it took. */
function fillPending(state: FrameParseState, buf: Buffer, start: number, end: number): number {
  let taken = 0;
  if (state.pendingTotal === 0) {
    // Header still incomplete: take byte by byte up to the header's size.
    const pending = state.pending!;
    while (start + taken < end) {
      pending[state.pendingLength++] = buf[start + taken++]!;
      if (state.pendingLength < 2 || state.pendingLength < headerSize(pending[1]!)) continue;
      const total = headerSize(pending[1]!) + payloadLength(pending, 0);
      if (total > MAX_FRAME_BYTES) return -1;
      state.pendingTotal = total;
      const whole = Buffer.allocUnsafe(total);
      pending.copy(whole, 0, 0, state.pendingLength);
      state.pending = whole;
      break;
    }
    if (state.pendingTotal === 0) return taken;
  }
  const n = Math.min(state.pendingTotal - state.pendingLength, end - start - taken);
  buf.copy(state.pending!, state.pendingLength, start + taken, start + taken + n);
  state.pendingLength += n;
  return taken + n;
}

/** Parses buf[start, end), the next bytes of the server's stream, calling `sink` per frame. */
export function parseFrames(
  state: FrameParseState,
  sink: FrameSink,
  buf: Buffer,
  start: number,
  end: number,
): void {
  let at = start;
  if (state.pending !== undefined && !state.failed) {
    const taken = fillPending(state, buf, at, end);
    if (taken < 0) {
      state.failed = true;
      sink.protocolError(`a frame over ${MAX_FRAME_BYTES} bytes`);
      return;
    }
    at += taken;
    if (state.pendingTotal === 0 || state.pendingLength < state.pendingTotal) return;
    const whole = state.pending;
    state.pending = undefined;
    state.pendingLength = 0;
    state.pendingTotal = 0;
    emit(state, sink, whole, 0, whole.length);
  }
  while (at < end && !state.failed) {
    const available = end - at;
    const header = available >= 2 ? headerSize(buf[at + 1]!) : MAX_HEADER_BYTES;
    if (available < header) {
      state.pending = Buffer.allocUnsafe(MAX_HEADER_BYTES);
      buf.copy(state.pending, 0, at, end);
      state.pendingLength = available;
      return;
    }
    const total = header + payloadLength(buf, at);
    if (total > MAX_FRAME_BYTES) {
      state.failed = true;
      sink.protocolError(`a frame over ${MAX_FRAME_BYTES} bytes`);
      return;
    }
    if (available < total) {
      state.pending = Buffer.allocUnsafe(total);
      buf.copy(state.pending, 0, at, end);
      state.pendingLength = available;
      state.pendingTotal = total;
      return;
    }
    emit(state, sink, buf, at, total);
    at += total;
  }
}
