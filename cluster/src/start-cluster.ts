// `pnpm start:cluster`: the distributed mode on one machine: the API and SHARDS gateway shard
// processes against the local NATS (JetStream) and Redis. Stops them all on SIGINT or SIGTERM.
// The same processes run on many machines; only the URLs change (docs/operations.md).

import { Cluster } from './processes.js';

const env = process.env;
const shards = Number(env.SHARDS ?? 2);
if (!Number.isInteger(shards) || shards < 1 || shards > 32) {
  console.error('SHARDS must be an integer from 1 to 32');
  process.exit(1);
}
const apiPort = Number(env.API_PORT ?? 8080);
const basePort = Number(env.GATEWAY_BASE_PORT ?? 9001);
const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let cluster: Cluster | undefined;
const stop = () => void (cluster?.stop() ?? Promise.resolve()).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  cluster = await Cluster.start({
    shards,
    natsUrl,
    redisUrl,
    databaseUrl,
    prefix: env.FANFARE_PREFIX ?? 'fanfare',
    apiPort,
    basePort,
  });
  const lines = [
    '',
    `Fanfare cluster: API and ${shards} shard(s) on NATS ${natsUrl}, Redis ${redisUrl}, Postgres`,
    `  Demo page   ${cluster.apiUrl}/`,
    `  Join        curl -s -X POST ${cluster.apiUrl}/v1/events/demo/join -H 'content-type: application/json' -d '{"name":"Ann"}'`,
    ...cluster.shards.map((s) => `  Shard ${s.name.padEnd(5)} ws://127.0.0.1:${s.port}/ws`),
    `  Producer    ${await cluster.staffToken('producer')}`,
    `  SRE         ${await cluster.staffToken('sre')}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  console.error('cluster failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
}
