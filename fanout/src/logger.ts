// The minimal structured logger the fanout adapters report through (connection state, failed
// consumers, throwing handlers). Structurally the same as the gateway's `Logger`, so a service
// passes its own; fanout depends on no logging library.

export interface FanoutLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The default when none is injected: one console line per record. */
export const consoleLogger: FanoutLogger = {
  info: (msg, fields) => console.info(msg, fields ?? ''),
  warn: (msg, fields) => console.warn(msg, fields ?? ''),
  error: (msg, fields) => console.error(msg, fields ?? ''),
};

/** Drops everything (tests that provoke failures on purpose). */
export const silentLogger: FanoutLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
