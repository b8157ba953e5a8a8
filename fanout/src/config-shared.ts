// What every process's configuration shares: the one `ConfigError` (every problem listed at once),
// `parseEnv` (unset and blank mean "default"), the parsers of the variables several processes read
// (NATS_URL, REDIS_URL, FANFARE_PREFIX, ports, hosts), and the variable docs: each schema field
// carries its default and meaning as data, and `documentVariables` hands them to the test that
// holds docs/config.md to the schemas. Trade-off: a doc sentence changes in code, not in markdown.

import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

/** The default FANFARE_PREFIX: namespace of NATS subjects, streams and Redis keys. */
export const DEFAULT_PREFIX = 'fanfare';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  /** One line per problem, each naming its variable. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], what = 'configuration') {
    super(`invalid ${what}:\n  - ${problems.join('\n  - ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** One variable's line in docs/config.md. */
export interface VariableDoc {
  /**
   * The default cell. Derived (the default value in backticks) when the schema has a default and
   * this is absent; when both exist the doc test requires this text to contain that value.
   */
  default?: string;
  meaning: string;
}

const variableDocs = z.registry<VariableDoc>();

/** Attaches the doc line to a variable's schema (a fresh schema per variable). */
export function variable<T extends z.ZodType>(schema: T, doc: VariableDoc): T {
  variableDocs.add(schema, doc);
  return schema;
}

export interface DocumentedVariable {
  name: string;
  /** The default value the schema applies, or undefined when it has none. */
  value: unknown;
  /** The doc's default cell. */
  default: string;
  meaning: string;
}

/** The doc lines of a schema's variables, in schema order. Throws on an undocumented variable. */
export function documentVariables(shape: Record<string, z.ZodType>): DocumentedVariable[] {
  return Object.entries(shape).map(([name, schema]) => {
    const doc = variableDocs.get(schema);
    if (!doc) throw new Error(`${name} has no doc line (wrap its schema in variable())`);
    const value = schema instanceof z.ZodDefault ? schema.def.defaultValue : undefined;
    const cell = doc.default ?? (value === undefined ? 'unset' : `\`${String(value)}\``);
    return { name, value, default: cell, meaning: doc.meaning };
  });
}

/**
 * Parses `env` with `schema` (whose input is the variables as strings) and freezes the result.
 * Values are trimmed and an empty one counts as unset, so `FOO=` in a .env file means the
 * default. Throws one ConfigError listing every problem.
 */
export function parseEnv<T>(schema: z.ZodType<T>, env: Env, what: string): Readonly<T> {
  const clean: Record<string, string> = {};
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (value) clean[name] = value;
  }
  const result = schema.safeParse(clean);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) =>
        issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message,
      ),
      what,
    );
  }
  return Object.freeze(result.data);
}

/** An integer from `min` to `max` given in decimal digits. */
export function integer(min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an integer from ${min} to ${max}, got "${raw}"`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** A sustained rate with a burst, as `<per second>/<burst>`. */
export interface RateAndBurst {
  ratePerSecond: number;
  burst: number;
}

/**
 * A budget written `<rate/s>/<burst>` (e.g. `2000/4000`) or `off`; unset stays undefined, so
 * each caller decides what "not configured" means (a constant, or a figure from a profile).
 * Shared by the API's join limits and budget and the gateway's admission budget.
 */
export function rateAndBurst() {
  return z
    .string()
    .regex(/^(off|\d+(\.\d+)?\/\d+)$/, { message: 'must be `<rate/s>/<burst>` or `off`' })
    .optional()
    .transform((raw): RateAndBurst | 'off' | undefined => {
      if (raw === undefined || raw === 'off') return raw;
      const [ratePerSecond, burst] = raw.split('/').map(Number) as [number, number];
      return { ratePerSecond, burst };
    })
    .refine((v) => typeof v !== 'object' || (v.ratePerSecond > 0 && v.burst >= 1), {
      message: 'rate must be > 0 and burst >= 1',
    });
}

/** A TCP port; 0 asks for any free port. */
export function port(fallback: number) {
  return integer(0, 65_535).default(fallback);
}

/** An address to listen on. */
export function host(fallback: string) {
  return z.string().default(fallback);
}

/** An absolute ws:// or wss:// URL. */
export function websocketUrl() {
  return z.string().superRefine((raw, ctx) => {
    if (!URL.canParse(raw) || !/^wss?:$/.test(new URL(raw).protocol))
      ctx.addIssue({
        code: 'custom',
        message: `must be an absolute ws:// or wss:// URL, got "${raw}"`,
      });
  });
}

/** NATS_URL: comma-separated `nats://` (or `tls://`) servers; unset is an empty list. */
export function natsServers(doc: VariableDoc) {
  return variable(
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const urls = (raw ?? '')
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean);
        const wrong = urls.filter((url) => !/^(nats|tls):\/\//.test(url));
        for (const url of wrong)
          ctx.addIssue({ code: 'custom', message: `entries must be nats:// URLs: ${url}` });
        return wrong.length > 0 ? z.NEVER : (urls as readonly string[]);
      }),
    doc,
  );
}

/** REDIS_URL: a redis:// or rediss:// URL, or unset. */
export function redisUrl(doc: VariableDoc) {
  return variable(
    z
      .string()
      .regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
      .optional(),
    doc,
  );
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT: the standard OpenTelemetry variable, an http(s) URL or unset
 * (tracing off); every process reads it the same way (tracing.ts).
 */
export function otlpEndpoint() {
  return variable(
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'must be an http:// or https:// URL' })
      .optional(),
    {
      meaning:
        'an OTLP/HTTP collector (e.g. `http://otel-collector:4318`): traces and the `/metrics` series are sent as JSON to `<url>/v1/traces` and `<url>/v1/metrics`; unset: neither',
    },
  );
}

/**
 * OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER: the OpenTelemetry variables, `otlp` (the default)
 * or `none`, which turns that signal's OTLP export off while OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export function otlpExporter(signal: 'traces' | 'metrics') {
  const what = signal === 'traces' ? 'traces' : 'the `/metrics` series';
  return variable(z.enum(['otlp', 'none']).default('otlp'), {
    meaning: `\`none\`: ${what} are not sent over OTLP even with \`OTEL_EXPORTER_OTLP_ENDPOINT\` set (the OpenTelemetry variable; \`otlp\`: sent)`,
  });
}

/** The OTLP endpoint a signal is exported to: the endpoint unless its exporter is `none`. */
export function otlpSignalEndpoint(
  endpoint: string | undefined,
  exporter: 'otlp' | 'none',
): string | undefined {
  return exporter === 'none' ? undefined : endpoint;
}

/** OTEL_METRIC_EXPORT_INTERVAL: the OpenTelemetry variable, ms between OTLP metric pushes. */
export function otlpMetricInterval(fallback: number) {
  return variable(integer(1_000, 3_600_000).default(fallback), {
    meaning:
      'with `OTEL_EXPORTER_OTLP_ENDPOINT`: ms between pushes of the `/metrics` series as OTLP JSON to `<url>/v1/metrics`',
  });
}

/** FANFARE_PREFIX: the namespace shared by the API and every shard. */
export function prefix(doc: VariableDoc) {
  return variable(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 of [A-Za-z0-9_-]' })
      .default(DEFAULT_PREFIX),
    doc,
  );
}

/**
 * The rule for processes that share state with others: with NATS_URL (other processes exist)
 * the stores must be shared too, or bans, votes, stages and parties would differ per process.
 */
export function requireSharedState(
  value: { NATS_URL?: unknown; REDIS_URL?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (Array.isArray(value.NATS_URL) && value.NATS_URL.length > 0 && !value.REDIS_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        'must be set when NATS_URL is: sanctions, votes, stages, parties and the shard registry are shared through Redis',
    });
  }
}
