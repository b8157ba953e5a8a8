// Which event a fan page is for, from its address: `/e/<id>`, else `?event=<id>`, else `demo`;
// and the delay behind live its player aims at, when `?delay=<ms>` names one.

/** The event every fresh engine serves. */
export const DEFAULT_EVENT_ID = 'demo';

export function eventFromLocation(where: { pathname: string; search: string }): string {
  const path = /^\/e\/([^/]+)\/?$/.exec(where.pathname)?.[1];
  if (path) return decodeURIComponent(path);
  return new URLSearchParams(where.search).get('event') || DEFAULT_EVENT_ID;
}

/** The shortest and longest `?delay=` a fan page accepts, ms (LL-HLS cannot play nearer live). */
export const PAGE_DELAY_MIN_MS = 500;
export const PAGE_DELAY_MAX_MS = 30_000;

/** `?delay=<ms>` within the bounds, else undefined (the playlist's PART-HOLD-BACK then). */
export function delayFromLocation(where: { search: string }): number | undefined {
  const raw = new URLSearchParams(where.search).get('delay');
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const ms = Number(raw);
  return ms >= PAGE_DELAY_MIN_MS && ms <= PAGE_DELAY_MAX_MS ? ms : undefined;
}
