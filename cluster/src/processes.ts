// Launches Fanfare's services as real processes: the API and any number of gateway shards, each
// `node --import tsx <main.ts>` (run from the build: `node <main.js>`) with its environment,
// output prefixed by name. Used by `pnpm start:cluster` and by the failure tests, which kill and
// restart them.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { freePort } from '@fanfare/testkit';
import { SigningKeys, TokenIssuer, type StaffRole } from '@fanfare/api';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long a process may take to answer its readiness check, ms (tsx on a busy 2-core box). */
export const STARTUP_LIMIT_MS = 60_000;

export interface ClusterOptions {
  shards: number;
  natsUrl: string;
  redisUrl: string;
  prefix: string;
  /** Postgres for the API; PGlite in memory (inside the API process) when unset. */
  databaseUrl?: string;
  apiPort?: number;
  /** Shard i listens on basePort + i - 1; free ports are picked when unset. */
  basePort?: number;
  /** Extra environment for every API process (the first and any replica). */
  apiEnv?: Record<string, string>;
  /** Extra environment for the shards (limits, capacity); a function gives each its own. */
  shardEnv?: Record<string, string> | ((index: number) => Record<string, string>);
  /** Where process output goes; defaults to stdout with a `[name]` prefix. */
  output?: (name: string, line: string) => void;
}

export interface Service {
  readonly name: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

async function waitReady(url: string, service: Service): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) throw new Error(`${service.name} exited while starting`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100); // polling a port that is not listening yet: nothing to wait on
  }
  throw new Error(`${url} was not ready within ${STARTUP_LIMIT_MS / 1000} s`);
}

export class Cluster {
  readonly apiUrl: string;
  readonly api: Service;
  readonly shards: Service[] = [];
  /** API processes started after the first (`startApiReplica`), as a deployment runs several. */
  readonly apiReplicas: Service[] = [];
  #options: ClusterOptions;
  #env: Record<string, string>;
  #signingKey: string;
  #stopping = false;

  private constructor(
    options: ClusterOptions,
    api: Service,
    env: Record<string, string>,
    signingKey: string,
  ) {
    this.#options = options;
    this.api = api;
    this.apiUrl = `http://127.0.0.1:${api.port}`;
    this.#env = env;
    this.#signingKey = signingKey;
  }

  /** A staff token for the control API, signed with the API's key (as an operator's tool would). */
  async staffToken(role: StaffRole = 'producer', evt?: string): Promise<string> {
    const issuer = new TokenIssuer({ keys: await SigningKeys.fromPem(this.#signingKey) });
    const claims = { sub: `cluster-${role}`, role, name: role, ...(evt ? { evt } : {}) };
    return (await issuer.issueStaffToken(claims)).token;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const env = {
      NATS_URL: options.natsUrl,
      REDIS_URL: options.redisUrl,
      FANFARE_PREFIX: options.prefix,
      // One resume ticket key for every shard of this cluster, so any shard takes another's
      // tickets (a deployment sets its own, the same on every shard).
      RESUME_TICKET_KEYS: `c1:${randomBytes(32).toString('base64url')}`,
    };
    const apiPort = options.apiPort ?? (await freePort());
    const signingKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const api = launch(
      'api',
      'api/src/main.ts',
      apiPort,
      options,
      apiEnv(options, env, signingKey, apiPort),
    );
    const cluster = new Cluster(options, api, env, signingKey);
    try {
      await waitReady(`${cluster.apiUrl}/healthz`, api);
      for (let i = 1; i <= options.shards; i++) await cluster.startShard(`g${i}`, i);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * Starts one more API process with the first one's environment and signing key (so on one
   * Postgres, Redis and NATS), and waits until it is ready: replicas behind a load balancer.
   * Needs `databaseUrl`: replicas on PGlite would each have a database of their own.
   */
  async startApiReplica(): Promise<{ service: Service; url: string }> {
    if (!this.#options.databaseUrl) throw new Error('API replicas need a shared databaseUrl');
    const port = await freePort();
    const name = `api${this.apiReplicas.length + 2}`;
    const env = apiEnv(this.#options, this.#env, this.#signingKey, port);
    const service = launch(name, 'api/src/main.ts', port, this.#options, env);
    this.apiReplicas.push(service);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(`${url}/healthz`, service);
    return { service, url };
  }

  /** Starts (or restarts) shard `name` as the `index`-th shard, and waits until it is ready. */
  async startShard(name: string, index: number): Promise<Service> {
    const port = this.#options.basePort
      ? this.#options.basePort + index - 1
      : (this.shards.find((s) => s.name === name)?.port ?? (await freePort()));
    const shard = launch(name, SHARD_SCRIPT, port, this.#options, {
      ...this.#env,
      ...(typeof this.#options.shardEnv === 'function'
        ? this.#options.shardEnv(index)
        : this.#options.shardEnv),
      SHARD_ID: name,
      GATEWAY_PORT: String(port),
      JWKS_URL: `${this.apiUrl}/.well-known/jwks.json`,
      GATEWAY_ALLOWED_ORIGINS: `${this.apiUrl},http://localhost:${this.api.port}`,
    });
    const at = this.shards.findIndex((s) => s.name === name);
    if (at >= 0) this.shards[at] = shard;
    else this.shards.push(shard);
    await waitReady(`http://127.0.0.1:${port}/readyz`, shard);
    return shard;
  }

  /** Stops every process: shards first (SIGTERM, their graceful path), then the API. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const all = [...this.shards, ...this.apiReplicas, this.api];
    for (const service of all) service.process.kill('SIGTERM');
    await Promise.all(all.map((s) => s.exited));
  }
}

function apiEnv(
  options: ClusterOptions,
  shared: Record<string, string>,
  signingKey: string,
  port: number,
): Record<string, string> {
  return {
    ...shared,
    ...options.apiEnv,
    API_PORT: String(port),
    JWT_PRIVATE_KEY: signingKey,
    ...(options.databaseUrl
      ? { DATABASE_URL: options.databaseUrl }
      : { PGLITE_DATA_DIR: 'memory' }),
  };
}

const SHARD_SCRIPT = 'gateway/src/main.ts';

/** Run from its build (cluster/dist), the launcher starts the services' builds too, without tsx. */
const FROM_BUILD = import.meta.url.endsWith('.js');

/**
 * A launcher run under `node --cpu-prof` (the load tester's LOADTEST_CPU_PROF) profiles its
 * services too: each writes its own .cpuprofile into the same directory when it exits.
 */
const PROFILE_ARGS = ((argv: string[]): string[] => {
  const i = argv.indexOf('--cpu-prof');
  if (i < 0) return [];
  const dir = argv.findIndex((a) => a === '--cpu-prof-dir' || a.startsWith('--cpu-prof-dir='));
  if (dir < 0) return ['--cpu-prof'];
  return argv[dir]!.includes('=')
    ? ['--cpu-prof', argv[dir]!]
    : ['--cpu-prof', ...argv.slice(dir, dir + 2)];
})(process.execArgv);

/**
 * V8's young generation for a shard: semi-spaces of at most 2 MB (Node's default grows them to
 * 16 MB, ~32 MB of RSS). A shard's long-lived state is its fans', and a join storm grew the young
 * generation by 14 MB for 5,000 fans (2.8 KiB each); capped, it stayed at 4 MB. The same flag is
 * in deploy/docker-entrypoint.sh. See docs/benchmarks.md "Memory per connection".
 */
export const SHARD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

function nodeArgs(script: string): string[] {
  const flags = script === SHARD_SCRIPT ? SHARD_NODE_FLAGS : [];
  if (!FROM_BUILD) return ['--import', 'tsx', ...flags, ...PROFILE_ARGS, script];
  return [
    '--conditions=@fanfare/dist',
    ...flags,
    ...PROFILE_ARGS,
    script.replace('/src/', '/dist/').replace(/\.ts$/, '.js'),
  ];
}

function launch(
  name: string,
  script: string,
  port: number,
  options: ClusterOptions,
  env: Record<string, string>,
): Service {
  const child = spawn(process.execPath, nodeArgs(script), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = options.output ?? ((n, line) => process.stdout.write(`[${n}] ${line}\n`));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) output(name, line);
    });
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return { name, port, process: child, exited };
}
