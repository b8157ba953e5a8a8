// `pnpm start:cluster`: the distributed mode on one machine. Starts the API and N gateway shard
// processes against the local NATS (JetStream) and Redis, with one signing key shared through
// the API's JWKS, prints where everything is, and stops them all on SIGINT or SIGTERM.
// The same processes run on many machines; only the URLs change.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = process.env;
const shards = Number(env.SHARDS ?? 2);
const apiPort = Number(env.API_PORT ?? 8080);
const basePort = Number(env.GATEWAY_BASE_PORT ?? 9001);
const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = env.FANFARE_PREFIX ?? 'fanfare';
const STARTUP_LIMIT_MS = 30_000;

if (!Number.isInteger(shards) || shards < 1 || shards > 32) {
  console.error('SHARDS must be an integer from 1 to 32');
  process.exit(1);
}

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function start(name: string, script: string, extraEnv: Record<string, string>): void {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...env, NATS_URL: natsUrl, REDIS_URL: redisUrl, FANFARE_PREFIX: prefix, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${tag}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${tag}exited unexpectedly (code ${code}, signal ${signal})`);
  });
  children.push({ name, child });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} was not ready within ${STARTUP_LIMIT_MS / 1000} s`);
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Shards first, so fans are told to reconnect while the API still answers.
  for (const { child } of [...children].reverse()) child.kill('SIGTERM');
  await Promise.all(
    children.map(({ child }) =>
      child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)),
    ),
  );
}

process.once('SIGINT', () => void stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

try {
  start('api', 'api/src/main.ts', {
    API_PORT: String(apiPort),
    JWT_PRIVATE_KEY: privatePem,
  });
  await waitReady(`${apiUrl}/healthz`);
  for (let i = 1; i <= shards; i++) {
    start(`g${i}`, 'gateway/src/main.ts', {
      SHARD_ID: `g${i}`,
      GATEWAY_PORT: String(basePort + i - 1),
      JWKS_URL: `${apiUrl}/.well-known/jwks.json`,
      GATEWAY_ALLOWED_ORIGINS: `${apiUrl},http://localhost:${apiPort}`,
    });
  }
  for (let i = 1; i <= shards; i++) await waitReady(`http://127.0.0.1:${basePort + i - 1}/readyz`);
  const lines = [
    '',
    `Fanfare cluster: API and ${shards} shard(s) on NATS ${natsUrl} and Redis ${redisUrl}`,
    `  Demo page   ${apiUrl}/`,
    `  Join        curl -s -X POST ${apiUrl}/v1/events/demo/join -H 'content-type: application/json' -d '{"name":"Ann"}'`,
    ...Array.from(
      { length: shards },
      (_, i) => `  Shard g${i + 1}    ws://127.0.0.1:${basePort + i}/ws`,
    ),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  console.error('cluster failed to start:', err instanceof Error ? err.message : err);
  await stop();
  process.exit(1);
}
