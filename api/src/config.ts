// The API's configuration, parsed once from the environment into a typed, frozen object. Every
// problem is collected and reported together so one restart fixes them all. Only this file and
// main.ts read process.env (and this file only through the `env` argument).

import { TOKEN_ISSUER } from '@fanfare/protocol';
import { FAN_TOKEN_TTL_S } from './token-issuer.js';

/** Default listen address: loopback, so a dev machine does not expose the API by accident. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default listen port. */
export const DEFAULT_API_PORT = 8080;
/** Default WebSocket URL handed to fans: the gateway on this machine. */
export const DEFAULT_GATEWAY_PUBLIC_URL = 'ws://127.0.0.1:9001/ws';
/** Shortest fan token lifetime accepted, seconds (1 minute). */
export const MIN_FAN_TOKEN_TTL_S = 60;
/** Longest fan token lifetime accepted, seconds (24 hours); tokens cannot be revoked early. */
export const MAX_FAN_TOKEN_TTL_S = 24 * 60 * 60;

export interface ApiConfig {
  /** API_HOST: address to listen on. */
  readonly host: string;
  /** API_PORT: TCP port, 0 for any free port. */
  readonly port: number;
  /** GATEWAY_PUBLIC_URL: ws:// or wss:// URL fans connect to. */
  readonly gatewayPublicUrl: string;
  /** JWT_ISSUER: `iss` of signed tokens; the gateway must expect the same. */
  readonly jwtIssuer: string;
  /** JWT_PRIVATE_KEY: PKCS#8 PEM of a P-256 key; undefined means an ephemeral key. */
  readonly jwtPrivateKey: string | undefined;
  /** JWT_KID: `kid` of the signing key; undefined means the key's RFC 7638 thumbprint. */
  readonly jwtKid: string | undefined;
  /**
   * JWT_PUBLISHED_KEYS: more PKCS#8 PEM private keys (concatenated) whose public halves are
   * published in the JWKS but never sign: the next key before a rotation, the previous one after.
   */
  readonly jwtPublishedKeys: readonly string[];
  /** FAN_TOKEN_TTL_S: fan token lifetime, seconds. */
  readonly fanTokenTtlS: number;
  /** REDIS_URL: when set, joins are assigned to shards from the registry in Redis. */
  readonly redisUrl: string | undefined;
  /** NATS_URL (comma-separated): moderation notices reach the shards over NATS; else in-process. */
  readonly natsServers: readonly string[];
  /** FANFARE_PREFIX: namespace of Redis keys and NATS subjects shared with the shards. */
  readonly prefix: string;
  /** DATABASE_URL: Postgres (postgres://…); when unset, PGlite in PGLITE_DATA_DIR. */
  readonly databaseUrl: string | undefined;
  /** PGLITE_DATA_DIR: PGlite's data directory, or `memory` for a database lost at exit. */
  readonly pgliteDataDir: string;
  /** COUNTRY_HEADER: the trusted CDN header holding the fan's country (e.g. cf-ipcountry). */
  readonly countryHeader: string | undefined;
}

/** Where the embedded mode keeps its database when PGLITE_DATA_DIR is unset. */
export const DEFAULT_PGLITE_DATA_DIR = '.fanfare/pglite';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  /** One line per problem, each naming its variable. */
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`invalid API configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** An unset or empty variable counts as absent, so `FOO=` in a .env file means the default. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function websocketUrl(env: Env, name: string, fallback: string, problems: string[]): string {
  const raw = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} must be an absolute ws:// or wss:// URL, got "${raw}"`);
    return raw;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    problems.push(`${name} must use ws:// or wss://, got "${url.protocol}//"`);
  }
  return raw;
}

function privateKey(env: Env, name: string, problems: string[]): string | undefined {
  // Many secret stores and .env files hold a PEM on one line with literal `\n` escapes.
  const raw = read(env, name)?.replace(/\\n/g, '\n');
  if (raw === undefined) return undefined;
  if (!raw.includes('-----BEGIN PRIVATE KEY-----')) {
    // Never echo the value: it is a secret, even when malformed.
    problems.push(`${name} must be a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")`);
  }
  return raw;
}

function pemList(env: Env, name: string, problems: string[]): string[] {
  const raw = read(env, name)?.replace(/\\n/g, '\n');
  if (raw === undefined) return [];
  const pems = raw.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? [];
  if (pems.length === 0) problems.push(`${name} must hold PKCS#8 PEM private keys`);
  return pems;
}

/** Parses the API's environment. Throws ConfigError listing every problem found. */
export function loadApiConfig(env: Env): ApiConfig {
  const problems: string[] = [];
  const config: ApiConfig = {
    host: read(env, 'API_HOST') ?? DEFAULT_API_HOST,
    port: integer(env, 'API_PORT', DEFAULT_API_PORT, 0, 65_535, problems),
    gatewayPublicUrl: websocketUrl(env, 'GATEWAY_PUBLIC_URL', DEFAULT_GATEWAY_PUBLIC_URL, problems),
    jwtIssuer: read(env, 'JWT_ISSUER') ?? TOKEN_ISSUER,
    jwtPrivateKey: privateKey(env, 'JWT_PRIVATE_KEY', problems),
    jwtKid: read(env, 'JWT_KID'),
    jwtPublishedKeys: pemList(env, 'JWT_PUBLISHED_KEYS', problems),
    fanTokenTtlS: integer(
      env,
      'FAN_TOKEN_TTL_S',
      FAN_TOKEN_TTL_S,
      MIN_FAN_TOKEN_TTL_S,
      MAX_FAN_TOKEN_TTL_S,
      problems,
    ),
    redisUrl: read(env, 'REDIS_URL'),
    natsServers: (read(env, 'NATS_URL') ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean),
    prefix: read(env, 'FANFARE_PREFIX') ?? 'fanfare',
    databaseUrl: read(env, 'DATABASE_URL'),
    pgliteDataDir: read(env, 'PGLITE_DATA_DIR') ?? DEFAULT_PGLITE_DATA_DIR,
    countryHeader: read(env, 'COUNTRY_HEADER')?.toLowerCase(),
  };
  if (config.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (config.countryHeader !== undefined && !/^[a-z0-9-]+$/.test(config.countryHeader)) {
    problems.push('COUNTRY_HEADER must be a header name (letters, digits, -)');
  }
  if (config.redisUrl !== undefined && !/^rediss?:\/\//.test(config.redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  }
  for (const url of config.natsServers) {
    if (!/^(nats|tls):\/\//.test(url))
      problems.push(`NATS_URL entries must be nats:// URLs: ${url}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
