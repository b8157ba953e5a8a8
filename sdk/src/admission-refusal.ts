// A 503 met before a session starts, from the API's join or the shard's upgrade (admission
// control's `overloaded`, or `not_ready`/`unavailable`): the server said when to come back, so
// the client waits that plus its own full jitter (`admissionRetryDelayMs`, protocol/src/
// admission.ts) instead of its exponential backoff. Browsers hide a refused upgrade's status and
// headers (the socket just closes with 1006), so there the client can only know the join's; with
// Node's `ws` the upgrade's are read too.

import { parseRetryAfterS } from '@fanfare/protocol';
import type { SocketLike } from './socket.js';

/** The server refused with 503; `retryAfterS` is its `Retry-After` when it sent one. */
export interface ServiceRefusal {
  retryAfterS: number | undefined;
}

/** A join error that carries a 503 (as JoinRefusedError does), else undefined. */
export function refusalOfJoinError(error: unknown): ServiceRefusal | undefined {
  const e = error as { status?: unknown; retryAfterS?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.status !== 503) return undefined;
  return { retryAfterS: typeof e.retryAfterS === 'number' ? e.retryAfterS : undefined };
}

/** The parts of Node's `ws` read here: its refused-upgrade event. */
interface UnexpectedResponseSource {
  on(
    event: 'unexpected-response',
    listener: (
      request: { destroy(error?: Error): void },
      response: { statusCode?: number; headers: Record<string, string | string[] | undefined> },
    ) => void,
  ): unknown;
}

/**
 * Watches `socket`'s upgrade for a 503 and returns a reader of what was seen (undefined before
 * a refusal, and always in browsers). With `ws`, listening takes over the refused response, so
 * the request is destroyed here as `ws` itself would: the socket still errors and closes 1006.
 */
export function watchUpgradeRefusal(socket: SocketLike): () => ServiceRefusal | undefined {
  const source = socket as unknown as Partial<UnexpectedResponseSource>;
  if (typeof source.on !== 'function') return () => undefined;
  let refusal: ServiceRefusal | undefined;
  source.on('unexpected-response', (request, response) => {
    const status = response.statusCode ?? 0;
    if (status === 503) {
      const header = response.headers['retry-after'];
      refusal = { retryAfterS: parseRetryAfterS(Array.isArray(header) ? header[0] : header) };
    }
    request.destroy(new Error(`Unexpected server response: ${status}`));
  });
  return () => refusal;
}
