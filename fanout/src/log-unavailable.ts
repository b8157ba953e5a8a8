// The error an EventLog append rejects with when the log is known to be unreachable (JetStream
// while its NATS connection is down): nothing was appended, and the caller answers at once with
// a retryable `unavailable` instead of waiting out a publish timeout.

export class LogUnavailableError extends Error {
  override readonly name = 'LogUnavailableError';
  readonly code = 'log_unavailable';
  constructor(reason: string, cause?: unknown) {
    super(`the event log is unreachable: ${reason}`, { cause });
  }
}
