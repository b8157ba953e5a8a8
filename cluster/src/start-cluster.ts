// `pnpm start:cluster`: the distributed mode on one machine: the API and SHARDS gateway shard
// processes against the local NATS (JetStream) and Redis. Stops them all on SIGINT or SIGTERM.
// The same processes run on many machines; only the URLs change (docs/operations.md).

import { ConfigError } from '@fanfare/fanout';
import { loadClusterConfig } from './config.js';
import { Cluster } from './processes.js';

let config: ReturnType<typeof loadClusterConfig>;
try {
  config = loadClusterConfig(process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? `cluster cannot start: ${err.message}` : err);
  process.exit(1);
}
const { shards, natsUrl, redisUrl } = config;

let cluster: Cluster | undefined;
const stop = () => void (cluster?.stop() ?? Promise.resolve()).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  cluster = await Cluster.start(config);
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
