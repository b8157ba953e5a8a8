// A small structured logger (one JSON object per line) so shard logs can be read by machines.
// Injected everywhere; tests pass `silentLogger`.

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function line(level: string, base: Record<string, unknown>) {
  return (msg: string, fields?: Record<string, unknown>) => {
    const err = fields?.err;
    const record: Record<string, unknown> = {
      t: new Date().toISOString(),
      level,
      msg,
      ...base,
      ...fields,
    };
    if (err instanceof Error)
      record.err = { name: err.name, message: err.message, stack: err.stack };
    (level === 'error' ? process.stderr : process.stdout).write(`${JSON.stringify(record)}\n`);
  };
}

export function jsonLogger(base: Record<string, unknown> = {}): Logger {
  return { info: line('info', base), warn: line('warn', base), error: line('error', base) };
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
