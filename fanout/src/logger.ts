// The one structured logger seam every service uses: a few levels and fields, written as one
// JSON object per line so shard and API logs can be read by machines. Injected everywhere;
// tests pass `silentLogger`. No logging library: a service may wrap pino behind this. A line
// written inside a recording span carries its `traceId` and `spanId` (tracing.ts).

import { activeTraceIds } from './tracing.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function serialise(value: unknown): unknown {
  return value instanceof Error
    ? { name: value.name, message: value.message, stack: value.stack }
    : value;
}

function writer(level: string, base: LogFields) {
  return (msg: string, fields?: LogFields) => {
    const record: LogFields = { t: new Date().toISOString(), level, msg, ...base };
    const ids = activeTraceIds();
    if (ids) {
      record.traceId = ids.traceId;
      record.spanId = ids.spanId;
    }
    for (const [key, value] of Object.entries(fields ?? {})) record[key] = serialise(value);
    (level === 'info' ? process.stdout : process.stderr).write(`${JSON.stringify(record)}\n`);
  };
}

/** JSON lines: info to stdout, warnings and errors to stderr; `base` fields on every line. */
export function jsonLogger(base: LogFields = {}): Logger {
  return { info: writer('info', base), warn: writer('warn', base), error: writer('error', base) };
}

/** The default when none is injected. */
export const consoleLogger: Logger = jsonLogger();

/** Drops everything (tests that provoke failures on purpose). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
