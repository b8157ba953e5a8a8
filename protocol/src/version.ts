// Protocol versions and how they are named at the WebSocket upgrade.
// The version is negotiated once, with Sec-WebSocket-Protocol; frames carry no version field.

/** The protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;

/** Subprotocol names by version; a client offers one or more, the server picks the newest it knows. */
export const SUBPROTOCOLS = { 1: 'fanfare.v1' } as const satisfies Record<number, string>;

export type Subprotocol = (typeof SUBPROTOCOLS)[keyof typeof SUBPROTOCOLS];

/**
 * A token may ride in Sec-WebSocket-Protocol as `fanfare.bearer.<jwt>` for clients that cannot
 * put it in the URL (browsers can, but proxies log URLs). The server never echoes this entry.
 */
export const BEARER_SUBPROTOCOL_PREFIX = 'fanfare.bearer.';

export interface Negotiated {
  version: number;
  /** The subprotocol to echo, or '' when the client offered none (version 1 is then assumed). */
  subprotocol: string;
  /** A token found in the offered list, if any. */
  bearer: string | undefined;
}

/**
 * Picks the version from a raw Sec-WebSocket-Protocol header.
 * Returns undefined when the client offered versions but none that this server speaks.
 * A client that offers no version at all gets version 1 (the outside contract: `?token=` only).
 */
export function negotiateSubprotocol(header: string): Negotiated | undefined {
  let bearer: string | undefined;
  let offeredVersion = false;
  let best: Negotiated | undefined;
  for (const raw of header.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry.startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
      bearer = entry.slice(BEARER_SUBPROTOCOL_PREFIX.length);
      continue;
    }
    if (!entry.startsWith('fanfare.v')) continue;
    offeredVersion = true;
    for (const [version, name] of Object.entries(SUBPROTOCOLS)) {
      if (name === entry && (best === undefined || Number(version) > best.version)) {
        best = { version: Number(version), subprotocol: name, bearer: undefined };
      }
    }
  }
  if (best) return { ...best, bearer };
  if (offeredVersion) return undefined;
  return { version: PROTOCOL_VERSION, subprotocol: '', bearer };
}
