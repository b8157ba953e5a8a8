// The ffmpeg command line of one event's ingest, built from data: where the picture comes from
// (an encoder pushing RTMP or SRT, or the demo test pattern) and the ABR ladder it is transcoded
// to. Every rendition is H.264/AAC in fragmented MP4, written to its own pipe (fd 3, 4, ...):
// keyframes forced on the same fixed interval in every rendition (aligned, so players switch at
// any segment boundary) and fragments cut at the part duration (whole frames, since the part
// duration should be a multiple of the frame duration).

import { existsSync } from 'node:fs';
import type { RenditionSpec } from './live-stream.js';

export type IngestSource =
  /** ffmpeg's own test pattern with a running clock and a tone, paced in real time. */
  | { readonly kind: 'demo'; readonly width: number; readonly height: number }
  /** ffmpeg listens for one RTMP publisher on this URL (see rtmp-gate.ts for the key check). */
  | { readonly kind: 'rtmp'; readonly url: string }
  /** ffmpeg listens for one SRT caller on this URL (`srt://host:port?mode=listener&...`). */
  | { readonly kind: 'srt'; readonly url: string };

export interface LadderOptions {
  readonly renditions: readonly RenditionSpec[];
  readonly frameRate: number;
  /** Seconds between forced keyframes: the segment duration. */
  readonly segmentTarget: number;
  /** Seconds per fragment: the part duration. */
  readonly partTarget: number;
  /** x264 preset: `veryfast` keeps a two-core machine real-time at low resolutions. */
  readonly preset: string;
}

/** The first pipe a rendition is written to; rendition i goes to fd FIRST_OUTPUT_FD + i. */
export const FIRST_OUTPUT_FD = 3;

/** A font for the demo clock (Debian's fonts-dejavu-core); without it the clock is left out. */
export const DEMO_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf';

function sourceArgs(source: IngestSource, frameRate: number, font: string | undefined): string[] {
  switch (source.kind) {
    case 'demo': {
      // testsrc2 draws its own frame counter; drawtext adds the wall clock so latency can be
      // read off the picture. One lavfi graph gives video [out0] and audio [out1] as one input.
      const clock = font
        ? `,drawtext=fontfile=${font}:text='%{localtime\\:%X}':x=8:y=h-th-8:fontsize=${Math.max(12, Math.round(source.height / 12))}:fontcolor=white:box=1:boxcolor=black@0.6`
        : '';
      const graph =
        `testsrc2=size=${source.width}x${source.height}:rate=${frameRate}${clock}[out0];` +
        'sine=frequency=440:sample_rate=48000:beep_factor=4[out1]';
      return ['-re', '-f', 'lavfi', '-i', graph];
    }
    case 'rtmp':
      return ['-listen', '1', '-i', source.url];
    case 'srt':
      return ['-i', source.url];
  }
}

/** The whole argument list (without the binary). */
export function ingestArgs(
  source: IngestSource,
  ladder: LadderOptions,
  font: string | undefined = existsSync(DEMO_FONT) ? DEMO_FONT : undefined,
): string[] {
  const n = ladder.renditions.length;
  const gop = Math.round(ladder.segmentTarget * ladder.frameRate);
  const split = ladder.renditions.map((_, i) => `[s${i}]`).join('');
  const scales = ladder.renditions
    .map(
      (r, i) =>
        `[s${i}]scale=${r.width}:${r.height}:force_original_aspect_ratio=decrease,pad=${r.width}:${r.height}:-1:-1,setsar=1[v${i}]`,
    )
    .join(';');
  const args = [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-nostdin',
    ...sourceArgs(source, ladder.frameRate, font),
    '-filter_complex',
    `[0:v]fps=${ladder.frameRate},split=${n}${split};${scales}`,
  ];
  ladder.renditions.forEach((r, i) => {
    args.push(
      ...['-map', `[v${i}]`, '-map', '0:a?'],
      ...['-c:v', 'libx264', '-preset', ladder.preset, '-tune', 'zerolatency'],
      ...['-pix_fmt', 'yuv420p', '-profile:v', 'main'],
      ...['-b:v', String(r.videoBitrate), '-maxrate', String(r.videoBitrate)],
      ...['-bufsize', String(r.videoBitrate)],
      ...['-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0'],
      ...['-force_key_frames', `expr:gte(t,n_forced*${ladder.segmentTarget})`],
      ...['-c:a', 'aac', '-b:a', String(r.audioBitrate), '-ar', '48000', '-ac', '2'],
      ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof'],
      ...['-frag_duration', String(Math.round(ladder.partTarget * 1e6)), '-flush_packets', '1'],
      `pipe:${FIRST_OUTPUT_FD + i}`,
    );
  });
  return args;
}
