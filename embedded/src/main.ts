// `pnpm start`: the whole engine in one process, no outside service. Prints where everything is
// and a producer token, and shuts down gracefully on SIGINT or SIGTERM.

import { ConfigError } from '@fanfare/fanout';
import { startEngine } from './engine.js';

async function main(): Promise<void> {
  const engine = await startEngine(process.env);
  const lines = [
    '',
    'Fanfare is running (embedded mode: in-process bus, in-memory state, PGlite)',
    `  Data            ${engine.dataDir === 'memory' ? 'in memory (lost at exit)' : engine.dataDir}`,
    `  Demo page       ${engine.apiUrl}/`,
    `  API             ${engine.apiUrl}   (health: /healthz, JWKS: /.well-known/jwks.json)`,
    `  Gateway         ${engine.gatewayUrl}`,
    `  Join the demo   curl -s -X POST ${engine.apiUrl}/v1/events/demo/join -H 'content-type: application/json' -d '{"name":"Ann"}'`,
    `  Video           ${engine.media ? `LL-HLS origin ${engine.media.url} (the join reply's playback.url; see the [media] lines)` : 'off (EMBEDDED_MEDIA=off)'}`,
    `  Producer token  ${engine.producerToken}`,
    `  SRE token       ${engine.sreToken}`,
    `  Try a poll      see README.md "Run a poll" (Authorization: Bearer <producer token>)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`${signal}: draining fans and shutting down\n`);
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  // `once`: a second signal gets Node's default and ends a shutdown that hangs.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(
      `Fanfare cannot start: invalid configuration\n  - ${err.problems.join('\n  - ')}`,
    );
  } else {
    console.error('Fanfare failed to start', err);
  }
  process.exit(1);
});
