// The outside contract a fan meets before its socket: POST /v1/events/:id/join with a display name,
// answered by a token and the gateway URL to connect to. Kept apart from the socket code.
// `JoinClient` is the generator's: node:http over a few keep-alive sockets, because a join storm
// of thousands through fetch costs the generator more CPU than the API spends answering it.

import { parseRetryAfterS } from '@fanfare/protocol';
import { Agent, request } from 'node:http';

export interface JoinGrant {
  token: string;
  gatewayUrl: string;
  /** The resume ticket the join hands out for the first connection, when it does. */
  ticket: string | undefined;
}

export type JoinErrorCode = 'join_refused' | 'join_bad_response' | 'join_failed';

export class JoinError extends Error {
  override name = 'JoinError';
  readonly code: JoinErrorCode;
  /** A refusal's HTTP status (0 when there was no answer) and `Retry-After`, seconds. */
  readonly status: number;
  readonly retryAfterS: number | undefined;

  constructor(
    code: JoinErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; retryAfterS?: number | undefined },
  ) {
    super(message, options);
    this.code = code;
    this.status = options?.status ?? 0;
    this.retryAfterS = options?.retryAfterS;
  }
}

/**
 * An idle keep-alive socket is closed by the client after this long, ms: below the API's
 * keep-alive timeout (Node's default, 5 s), so the client, not the server, ends idle sockets.
 */
export const IDLE_SOCKET_MS = 4000;

/** The request met a kept-alive socket the server had closed; sent again once (JoinClient). */
class StaleSocketError extends JoinError {
  override name = 'StaleSocketError';
  constructor(message: string, options: { cause: unknown }) {
    super('join_failed', message, options);
  }
}

function grantFrom(status: number, body: string, retryAfter?: string | null): JoinGrant {
  if (status !== 200) {
    throw new JoinError('join_refused', `join answered ${status}: ${body.slice(0, 200)}`, {
      status,
      retryAfterS: parseRetryAfterS(retryAfter),
    });
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
  const ticket = (grant as { resumeTicket?: { ticket?: unknown } }).resumeTicket?.ticket;
  return {
    token: grant.token,
    gatewayUrl: grant.gatewayUrl,
    ticket: typeof ticket === 'string' ? ticket : undefined,
  };
}

/**
 * Whether a failed request went out on a kept-alive socket the server had already closed: the
 * keep-alive race (the server's idle timeout fires as the client reuses the socket; under load
 * both event loops lag, so the window is wide). The request was never read, so sending it again
 * on a fresh socket is safe, as Node's documentation advises (`request.reusedSocket`).
 */
export function staleKeepAlive(reusedSocket: boolean, error: { code?: string }): boolean {
  return reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

/**
 * Joins over at most `maxSockets` keep-alive connections to one API. An idle socket is closed
 * after IDLE_SOCKET_MS, before the API's keep-alive timeout (Node's default 5 s) closes it from
 * the other side; a request that still met a socket the server had closed is sent again once on a
 * fresh one (staleKeepAlive) and counted.
 */
export class JoinClient {
  readonly #api: URL;
  readonly #agent: Agent;
  /** Requests sent again after meeting a socket the server had closed (staleKeepAlive). */
  staleRetries = 0;

  constructor(apiUrl: string, maxSockets: number) {
    this.#api = new URL(apiUrl);
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets,
      maxFreeSockets: maxSockets,
      timeout: IDLE_SOCKET_MS,
    });
  }

  /**
   * Joins `eventId` (body `{}`): as a new fan, or with `previousToken` as the fan that holds it
   * (the SDK's rejoin after its shard went away: the API keeps its identity and picks a live
   * shard). `unreachable`, as the SDK: the gateway URL the fan's last attempt failed to reach
   * before a welcome (body `{"unreachable"}`; the API places it elsewhere). Rejects with a
   * JoinError; bounded by `timeoutMs`.
   */
  async join(
    eventId: string,
    timeoutMs: number,
    previousToken?: string,
    unreachable?: string,
  ): Promise<JoinGrant> {
    const body = unreachable === undefined ? '{}' : JSON.stringify({ unreachable });
    try {
      return await this.#joinOnce(eventId, timeoutMs, previousToken, body);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      this.staleRetries++;
      return await this.#joinOnce(eventId, timeoutMs, previousToken, body, true);
    }
  }

  #joinOnce(
    eventId: string,
    timeoutMs: number,
    previousToken: string | undefined,
    body: string,
    retried = false,
  ): Promise<JoinGrant> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.#api.hostname,
          port: this.#api.port,
          method: 'POST',
          path: `/v1/events/${encodeURIComponent(eventId)}/join`,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            ...(previousToken === undefined ? {} : { authorization: `Bearer ${previousToken}` }),
          },
          timeout: timeoutMs,
        },
        (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (answer += chunk));
          res.on('end', () => {
            try {
              resolve(grantFrom(res.statusCode ?? 0, answer, res.headers['retry-after']));
            } catch (error) {
              reject(error as Error);
            }
          });
          res.on('error', (error) => reject(new JoinError('join_failed', error.message)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error: Error & { code?: string }) => {
        const message = `join request failed: ${error.message}`;
        reject(
          !retried && staleKeepAlive(req.reusedSocket, error)
            ? new StaleSocketError(message, { cause: error })
            : new JoinError('join_failed', message, { cause: error }),
        );
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
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
  return grantFrom(response.status, body, response.headers.get('retry-after'));
}

/** The URL a fan's socket opens: the gateway URL with the token as `?token=`. */
export function fanSocketUrl(grant: JoinGrant): string {
  const url = new URL(grant.gatewayUrl);
  url.searchParams.set('token', grant.token);
  return url.href;
}
