// Reading a fan token's expiry on the client. The gateway checks the token only at the upgrade,
// and a browser cannot see why an upgrade was refused (it gets a bare 1006), so a client that
// reconnected with an expired token would retry it forever. Reading `exp` lets the client ask its
// provider for a new token before that happens. The signature is not checked: the server does.

/** Replace a token this close to its `exp`, ms (covers modest clock skew). */
export const TOKEN_REFRESH_MARGIN_MS = 30_000;

/** The token's `exp` in ms since the epoch, or undefined when it is not a readable JWT. */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== 'object' || claims === null) return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    // Not base64 or not JSON: an opaque token, whose expiry only the provider knows.
    return undefined;
  }
}

/** Whether the token should be replaced before connecting at `now`. */
export function tokenNeedsRefresh(token: string, now: number): boolean {
  const exp = tokenExpiresAt(token);
  return exp !== undefined && exp - TOKEN_REFRESH_MARGIN_MS <= now;
}
