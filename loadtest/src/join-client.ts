// The outside contract a fan meets before its socket: POST /v1/events/:id/join with a display name,
// answered by a token and the gateway URL to connect to. Kept apart from the socket code so the
// real load tester can reuse it.

export interface JoinGrant {
  token: string;
  gatewayUrl: string;
}

export type JoinErrorCode = 'join_refused' | 'join_bad_response' | 'join_failed';

export class JoinError extends Error {
  override name = 'JoinError';
  readonly code: JoinErrorCode;

  constructor(code: JoinErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Joins `eventId` as a new fan. Rejects with a JoinError; never waits past `timeoutMs`. */
export async function joinEvent(
  apiUrl: string,
  eventId: string,
  name: string,
  timeoutMs: number,
): Promise<JoinGrant> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${apiUrl}/v1/events/${encodeURIComponent(eventId)}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    throw new JoinError('join_failed', `join request failed: ${String(error)}`, { cause: error });
  }
  if (response.status !== 200) {
    throw new JoinError('join_refused', `join answered ${response.status}: ${body.slice(0, 200)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new JoinError('join_bad_response', 'join answered with invalid JSON', { cause: error });
  }
  const grant = parsed as Partial<Record<keyof JoinGrant, unknown>> | null;
  if (typeof grant?.token !== 'string' || typeof grant.gatewayUrl !== 'string') {
    throw new JoinError(
      'join_bad_response',
      `join answer lacks token or gatewayUrl: ${body.slice(0, 200)}`,
    );
  }
  return { token: grant.token, gatewayUrl: grant.gatewayUrl };
}

/** The URL a fan's socket opens: the gateway URL with the token as `?token=`. */
export function fanSocketUrl(grant: JoinGrant): string {
  const url = new URL(grant.gatewayUrl);
  url.searchParams.set('token', grant.token);
  return url.href;
}
