// `pnpm start`: the whole engine in one process, no outside service. Prints where everything is
// and a producer token, and shuts down gracefully on SIGINT or SIGTERM.

import { ConfigError } from '@fanfare/fanout';
import { ensurePages } from '@fanfare/web';
import { startEngine } from './engine.js';

async function main(): Promise<void> {
  // A fresh clone has no pages yet, and a pull may have changed their sources: build them then
  // (Vite, a few seconds), else serve the last build.
  const pagesDir = await ensurePages((line) => process.stdout.write(`${line}\n`));
  const engine = await startEngine(process.env, { pagesDir });
  const lines = [
    '',
    'Fanfare is running (embedded mode: in-process bus, in-memory state, PGlite)',
    `  Data            ${engine.dataDir === 'memory' ? 'in memory (lost at exit)' : engine.dataDir}`,
    `  Fan page        ${engine.apiUrl}/   (the demo event; /e/<event> for another)`,
    `  Console         ${engine.apiUrl}/console   (sign in with the producer token below)`,
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
