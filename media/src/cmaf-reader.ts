// Reads a fragmented MP4 (CMAF) byte stream as ffmpeg writes it to a pipe: ftyp + moov make the
// init segment; each moof + mdat pair is one fragment, which the packager serves as one LL-HLS
// part. From the moov we take what the master playlist needs (codecs, size, timescales); from
// each moof the video track's decode time (tfdt), duration (trun/tfhd/trex sample durations) and
// whether it starts on a keyframe (the first sample's flags).

import { BoxSplitter, Mp4Error, child, children, descend, type Box } from './mp4-boxes.js';

export interface TrackInfo {
  readonly id: number;
  readonly kind: 'video' | 'audio' | 'other';
  /** Ticks per second of the track's media time. */
  readonly timescale: number;
  /** RFC 6381 codec string (`avc1.64001f`, `mp4a.40.2`), or the sample entry type. */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** From trex: used when a fragment gives no sample duration or flags of its own. */
  readonly defaultSampleDuration: number;
  readonly defaultSampleFlags: number;
}

export interface InitInfo {
  readonly tracks: readonly TrackInfo[];
  /** The track that times parts and decides keyframes. */
  readonly video: TrackInfo;
  /** Every track's codec, comma-separated, for EXT-X-STREAM-INF CODECS. */
  readonly codecs: string;
}

export interface FragmentInfo {
  /** Video decode time of the first sample, seconds since the stream's time zero. */
  readonly decodeTime: number;
  /** Seconds of video in the fragment. */
  readonly duration: number;
  /** The first video sample is a sync sample (keyframe). */
  readonly independent: boolean;
}

export type CmafEvent =
  | { readonly kind: 'init'; readonly bytes: Buffer; readonly init: InitInfo }
  | { readonly kind: 'fragment'; readonly bytes: Buffer; readonly fragment: FragmentInfo };

/** sample_is_non_sync_sample in ISO/IEC 14496-12 sample flags. */
const NON_SYNC_SAMPLE = 0x00010000;

function fourcc(buf: Buffer, offset: number): string {
  return buf.toString('latin1', offset, offset + 4);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The codec string of the first sample entry in an stsd payload. */
function codecOf(
  buf: Buffer,
  stsd: { start: number; end: number },
): {
  codec: string;
  width: number;
  height: number;
} {
  // Full box header (4) + entry_count (4), then sample entries.
  const entries = [...children(buf, stsd.start + 8, stsd.end)];
  const entry = entries[0];
  if (!entry) throw new Mp4Error('stsd has no sample entry');
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    // VisualSampleEntry: 6 reserved + 2 data_reference_index + 16 pre-defined/reserved, then
    // width and height; its child boxes start 78 bytes into the payload.
    const width = buf.readUInt16BE(entry.start + 24);
    const height = buf.readUInt16BE(entry.start + 26);
    const avcC = child(buf, entry.start + 78, entry.end, 'avcC');
    if (!avcC) return { codec: entry.type, width, height };
    const p = avcC.start;
    const codec = `${entry.type}.${hex2(buf[p + 1]!)}${hex2(buf[p + 2]!)}${hex2(buf[p + 3]!)}`;
    return { codec, width, height };
  }
  if (entry.type === 'mp4a') {
    // AudioSampleEntry: 28 bytes of fields, then child boxes.
    const esds = child(buf, entry.start + 28, entry.end, 'esds');
    const aot = esds ? audioObjectType(buf, esds.start + 4, esds.end) : undefined;
    return { codec: aot ? `mp4a.40.${aot}` : 'mp4a.40.2', width: 0, height: 0 };
  }
  return { codec: entry.type, width: 0, height: 0 };
}

/** The AAC audio object type from an esds descriptor chain (tag 5, DecoderSpecificInfo). */
function audioObjectType(buf: Buffer, start: number, end: number): number | undefined {
  let offset = start;
  while (offset < end) {
    const tag = buf[offset++]!;
    let size = 0;
    for (let i = 0; i < 4; i++) {
      const b = buf[offset++]!;
      size = (size << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    if (tag === 0x03) {
      offset += 3; // ES_ID, flags (no optional fields written by ffmpeg)
    } else if (tag === 0x04) {
      offset += 13; // objectTypeIndication ... avgBitrate
    } else if (tag === 0x05) {
      return buf[offset]! >> 3;
    } else {
      offset += size;
    }
  }
  return undefined;
}

/** Parses a moov box into its tracks. */
export function readInit(moov: Buffer): InitInfo {
  const tracks: TrackInfo[] = [];
  const trex = new Map<number, { duration: number; flags: number }>();
  const mvex = child(moov, 8, moov.length, 'mvex');
  if (mvex) {
    for (const c of children(moov, mvex.start, mvex.end)) {
      if (c.type !== 'trex') continue;
      trex.set(moov.readUInt32BE(c.start + 4), {
        duration: moov.readUInt32BE(c.start + 12),
        flags: moov.readUInt32BE(c.start + 20),
      });
    }
  }
  for (const trak of children(moov, 8, moov.length)) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(moov, trak.start, trak.end, 'tkhd');
    const mdhd = descend(moov, trak.start, trak.end, ['mdia', 'mdhd']);
    const hdlr = descend(moov, trak.start, trak.end, ['mdia', 'hdlr']);
    const stsd = descend(moov, trak.start, trak.end, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!tkhd || !mdhd || !hdlr || !stsd) throw new Mp4Error('trak lacks tkhd, mdhd, hdlr or stsd');
    const id = moov.readUInt32BE(tkhd.start + (moov[tkhd.start] === 1 ? 20 : 12));
    const timescale = moov.readUInt32BE(mdhd.start + (moov[mdhd.start] === 1 ? 20 : 12));
    const handler = fourcc(moov, hdlr.start + 8);
    const kind = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other';
    const { codec, width, height } = codecOf(moov, stsd);
    const defaults = trex.get(id) ?? { duration: 0, flags: 0 };
    tracks.push({
      id,
      kind,
      timescale,
      codec,
      width,
      height,
      defaultSampleDuration: defaults.duration,
      defaultSampleFlags: defaults.flags,
    });
  }
  const video = tracks.find((t) => t.kind === 'video');
  if (!video) throw new Mp4Error('the stream has no video track');
  const codecs = tracks
    .filter((t) => t.kind !== 'other')
    .map((t) => t.codec)
    .join(',');
  return { tracks, video, codecs };
}

/** Reads the video track's timing and first-sample flags from a moof box. */
export function readFragment(moof: Buffer, init: InitInfo): FragmentInfo {
  const video = init.video;
  for (const traf of children(moof, 8, moof.length)) {
    if (traf.type !== 'traf') continue;
    const tfhd = child(moof, traf.start, traf.end, 'tfhd');
    if (!tfhd) throw new Mp4Error('traf without tfhd');
    const tfhdFlags = moof.readUInt32BE(tfhd.start) & 0xffffff;
    if (moof.readUInt32BE(tfhd.start + 4) !== video.id) continue;
    let at = tfhd.start + 8;
    if (tfhdFlags & 0x1) at += 8; // base_data_offset
    if (tfhdFlags & 0x2) at += 4; // sample_description_index
    let defaultDuration = video.defaultSampleDuration;
    let defaultFlags = video.defaultSampleFlags;
    if (tfhdFlags & 0x8) {
      defaultDuration = moof.readUInt32BE(at);
      at += 4;
    }
    if (tfhdFlags & 0x10) at += 4; // default_sample_size
    if (tfhdFlags & 0x20) defaultFlags = moof.readUInt32BE(at);

    const tfdt = child(moof, traf.start, traf.end, 'tfdt');
    if (!tfdt) throw new Mp4Error('video traf without tfdt');
    const baseTime =
      moof[tfdt.start] === 1
        ? Number(moof.readBigUInt64BE(tfdt.start + 4))
        : moof.readUInt32BE(tfdt.start + 4);

    let ticks = 0;
    let firstFlags: number | undefined;
    for (const trun of children(moof, traf.start, traf.end)) {
      if (trun.type !== 'trun') continue;
      const flags = moof.readUInt32BE(trun.start) & 0xffffff;
      const count = moof.readUInt32BE(trun.start + 4);
      let p = trun.start + 8;
      if (flags & 0x1) p += 4; // data_offset
      let first: number | undefined;
      if (flags & 0x4) {
        first = moof.readUInt32BE(p);
        p += 4;
      }
      for (let i = 0; i < count; i++) {
        let duration = defaultDuration;
        let sampleFlags = i === 0 && first !== undefined ? first : defaultFlags;
        if (flags & 0x100) {
          duration = moof.readUInt32BE(p);
          p += 4;
        }
        if (flags & 0x200) p += 4; // sample_size
        if (flags & 0x400) {
          const own = moof.readUInt32BE(p);
          if (!(i === 0 && first !== undefined)) sampleFlags = own;
          p += 4;
        }
        if (flags & 0x800) p += 4; // composition time offset
        ticks += duration;
        if (firstFlags === undefined) firstFlags = sampleFlags;
      }
    }
    if (firstFlags === undefined) throw new Mp4Error('video traf without samples');
    return {
      decodeTime: baseTime / video.timescale,
      duration: ticks / video.timescale,
      independent: (firstFlags & NON_SYNC_SAMPLE) === 0,
    };
  }
  throw new Mp4Error('fragment has no video track');
}

/**
 * Turns the byte stream into init and fragment events. The init event comes first (and again
 * whenever the encoder sends a new moov); each fragment event carries moof + mdat bytes.
 */
export class CmafReader {
  readonly #splitter: BoxSplitter;
  #ftyp: Buffer | undefined;
  #init: InitInfo | undefined;
  #moof: Box | undefined;

  constructor(splitter = new BoxSplitter()) {
    this.#splitter = splitter;
  }

  get init(): InitInfo | undefined {
    return this.#init;
  }

  push(chunk: Buffer): CmafEvent[] {
    const events: CmafEvent[] = [];
    for (const box of this.#splitter.push(chunk)) {
      switch (box.type) {
        case 'ftyp':
          this.#ftyp = box.bytes;
          break;
        case 'moov': {
          const init = readInit(box.bytes);
          this.#init = init;
          const bytes = this.#ftyp ? Buffer.concat([this.#ftyp, box.bytes]) : box.bytes;
          events.push({ kind: 'init', bytes, init });
          break;
        }
        case 'moof':
          if (!this.#init) throw new Mp4Error('moof before moov');
          this.#moof = box;
          break;
        case 'mdat': {
          const moof = this.#moof;
          if (!moof || !this.#init) throw new Mp4Error('mdat without a moof');
          this.#moof = undefined;
          events.push({
            kind: 'fragment',
            bytes: Buffer.concat([moof.bytes, box.bytes]),
            fragment: readFragment(moof.bytes, this.#init),
          });
          break;
        }
        default:
          // styp, sidx, free, mfra...: nothing a player needs from a live origin.
          break;
      }
    }
    return events;
  }
}
