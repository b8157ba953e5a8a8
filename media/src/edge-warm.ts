// Warming a CDN edge ahead of an event: request the event's master playlist, every media
// playlist it names and every init segment (EXT-X-MAP) those name, through the URL fans use, so
// the edge holds them (and its connections to the origin are open) before the first fan asks.
// Plain GETs, no blocking reload (`_HLS_msn`): each answers at once. Used by the API's pre-warm.

/** How long one request may take before the warm-up reports it failed, ms. */
export const EDGE_WARM_TIMEOUT_MS = 5_000;

export type EdgeWarm =
  | { ok: true; master: number; mediaPlaylists: number; initSegments: number; bytes: number }
  | { ok: false; reason: string };

class Refused extends Error {}

/** What a playlist names on its URI lines (not `#` tags), resolved against its own URL. */
function uriLines(text: string, base: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((uri) => new URL(uri, base).href);
}

function initUris(text: string, base: string): string[] {
  return [...text.matchAll(/^#EXT-X-MAP:.*?URI="([^"]+)"/gm)].map((m) => new URL(m[1]!, base).href);
}

/**
 * What a reason names: `what` and the URL's rendition and file (`360p/index.m3u8`), never the
 * token segment before them (a playback URL is never logged whole).
 */
function named(url: string, what: string): string {
  const parts = new URL(url).pathname.split('/');
  return `${what} ${parts.slice(what === 'master playlist' ? -1 : -2).join('/')}`;
}

async function get(url: string, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(EDGE_WARM_TIMEOUT_MS) });
  } catch (err) {
    throw new Refused(`${named(url, what)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw new Refused(`${named(url, what)} answered ${res.status}`);
  return body;
}

/** Requests the master playlist at `masterUrl` and everything below it that a player loads first. */
export async function warmEdge(masterUrl: string): Promise<EdgeWarm> {
  try {
    const decoder = new TextDecoder();
    const master = await get(masterUrl, 'master playlist');
    const mediaUrls = [...new Set(uriLines(decoder.decode(master), masterUrl))];
    const playlists = await Promise.all(mediaUrls.map((url) => get(url, 'media playlist')));
    const inits = [
      ...new Set(playlists.flatMap((body, i) => initUris(decoder.decode(body), mediaUrls[i]!))),
    ];
    const segments = await Promise.all(inits.map((url) => get(url, 'init segment')));
    const bytes = [master, ...playlists, ...segments].reduce((n, b) => n + b.byteLength, 0);
    return {
      ok: true,
      master: 1,
      mediaPlaylists: playlists.length,
      initSegments: segments.length,
      bytes,
    };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    throw err;
  }
}
