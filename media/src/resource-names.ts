// The names of a rendition's resources, built and parsed in one place. Every name carries the
// rendition's epoch (fixed when the packager starts serving it), so a part or segment URL is never
// reused for other bytes, even across packager restarts: that is what lets a CDN cache parts,
// segments and init segments as immutable.

import type { RenditionUris } from './playlist.js';

/** Epochs are base-36 timestamps: short, URL-safe and increasing. */
export function newEpoch(nowMs: number): string {
  return nowMs.toString(36);
}

export function initName(epoch: string, n: number): string {
  return `init-${epoch}-${n}.mp4`;
}

export function renditionUris(epoch: string): RenditionUris {
  return {
    part: (seq) => `part-${epoch}-${seq}.m4s`,
    segment: (msn) => `seg-${epoch}-${msn}.m4s`,
  };
}

/** The media playlist's file name inside a rendition's directory. */
export const MEDIA_PLAYLIST = 'index.m3u8';
/** The master playlist's file name. */
export const MASTER_PLAYLIST = 'master.m3u8';

export type Resource =
  | { readonly kind: 'playlist' }
  | { readonly kind: 'init'; readonly epoch: string; readonly n: number }
  | { readonly kind: 'part'; readonly epoch: string; readonly seq: number }
  | { readonly kind: 'segment'; readonly epoch: string; readonly msn: number };

const NAME = /^(init|part|seg)-([0-9a-z]{1,12})-(\d{1,12})\.(mp4|m4s)$/;

/** Parses a file name within a rendition's directory; undefined for anything else. */
export function parseResource(name: string): Resource | undefined {
  if (name === MEDIA_PLAYLIST) return { kind: 'playlist' };
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, kind, epoch, num, ext] = m as unknown as [string, string, string, string, string];
  const n = Number(num);
  if (kind === 'init' && ext === 'mp4') return { kind: 'init', epoch, n };
  if (kind === 'part' && ext === 'm4s') return { kind: 'part', epoch, seq: n };
  if (kind === 'seg' && ext === 'm4s') return { kind: 'segment', epoch, msn: n };
  return undefined;
}

/** The path of an event's master playlist for a playback token (the join reply's URL ends so). */
export function masterPlaylistPath(eventId: string, token: string): string {
  return `/live/${encodeURIComponent(eventId)}/${token}/${MASTER_PLAYLIST}`;
}
