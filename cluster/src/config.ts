// The cluster launcher's configuration (`pnpm start:cluster`): one zod schema, the shared parsers
// for the variables it passes on to every process, each variable's doc line as data (a test holds
// docs/config.md to them). Unlike the services, it defaults to the machine's own servers.

import {
  integer,
  natsServers,
  parseEnv,
  port,
  prefix,
  redisUrl,
  variable,
  documentVariables,
  type Env,
} from '@fanfare/fanout';
import { z } from 'zod';

export const DEFAULT_SHARDS = 2;
export const MAX_SHARDS = 32;
export const DEFAULT_CLUSTER_API_PORT = 8080;
export const DEFAULT_GATEWAY_BASE_PORT = 9001;
export const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The launcher's variables, in the order docs/config.md lists them. */
export const CLUSTER_VARIABLES = {
  SHARDS: variable(integer(1, MAX_SHARDS).default(DEFAULT_SHARDS), {
    meaning: `shard processes to start (1-${MAX_SHARDS})`,
  }),
  API_PORT: variable(port(DEFAULT_CLUSTER_API_PORT), { meaning: "the API's port" }),
  GATEWAY_BASE_PORT: variable(port(DEFAULT_GATEWAY_BASE_PORT), {
    meaning: 'shard _i_ listens on this port + _i_ - 1',
  }),
  NATS_URL: natsServers({
    default: `\`${LOCAL_NATS_URL}\``,
    meaning: 'passed to every process',
  }),
  REDIS_URL: redisUrl({ default: `\`${LOCAL_REDIS_URL}\``, meaning: 'passed to every process' }),
  FANFARE_PREFIX: prefix({ meaning: 'passed to every process' }),
  DATABASE_URL: variable(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
      .default(LOCAL_DATABASE_URL),
    { meaning: "the API's system of record (the machine's own Postgres by default)" },
  ),
};

const clusterSchema = z.object(CLUSTER_VARIABLES).transform((env) => ({
  shards: env.SHARDS,
  apiPort: env.API_PORT,
  basePort: env.GATEWAY_BASE_PORT,
  natsUrl: env.NATS_URL.length > 0 ? env.NATS_URL.join(',') : LOCAL_NATS_URL,
  redisUrl: env.REDIS_URL ?? LOCAL_REDIS_URL,
  prefix: env.FANFARE_PREFIX,
  databaseUrl: env.DATABASE_URL,
}));

export type ClusterConfig = z.output<typeof clusterSchema>;

/** Parses the launcher's environment; throws ConfigError listing every problem. */
export function loadClusterConfig(env: Env): Readonly<ClusterConfig> {
  return parseEnv(clusterSchema, env, 'cluster configuration');
}

/** The launcher's variables with their doc lines. */
export const clusterVariables = () => documentVariables(CLUSTER_VARIABLES);
