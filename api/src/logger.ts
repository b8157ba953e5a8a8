// The smallest logging seam the API needs: a few levels and structured fields, so a JSON logger
// (pino or similar) can be wired in main.ts later without touching handlers.

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

function line(level: string, message: string, fields: LogFields | undefined): string {
  const entry: LogFields = { level, time: new Date().toISOString(), msg: message };
  for (const [key, value] of Object.entries(fields ?? {})) entry[key] = serialise(value);
  return JSON.stringify(entry);
}

/** One JSON object per line; info to stdout, warnings and errors to stderr. */
export const consoleLogger: Logger = {
  info: (message, fields) => console.log(line('info', message, fields)),
  warn: (message, fields) => console.error(line('warn', message, fields)),
  error: (message, fields) => console.error(line('error', message, fields)),
};
