// What a close code means for reconnecting, read from the protocol's CLOSE_CODES table so a
// code added there is handled here without a second list to keep in step.

import { CLOSE_CODES, type RetryPolicy } from '@fanfare/protocol';

/**
 * The retry policy of a WebSocket close code. Codes missing from the table follow the
 * documented ranges: 4000-4499 transient, 4500-4999 final; any other code (1001 going away,
 * 1005 no status, 1011 server error, ...) is treated as a dropped connection and reconnected.
 */
export function closeRetryPolicy(code: number): RetryPolicy {
  const known = (CLOSE_CODES as Readonly<Record<number, { retry: RetryPolicy } | undefined>>)[code];
  if (known) return known.retry;
  if (code >= 4500 && code <= 4999) return 'final';
  return 'reconnect';
}
