// `pnpm fanfare <command>`: the SRE's command line over the control API. One command so far:
//
//   pnpm fanfare prewarm <eventId> --fans N --joins-per-sec R [--starts-at ISO] [--webrtc N]
//                        [--show]          (GET the plan last posted instead of posting one)
//
// It calls `POST` (or `GET`) `/v1/events/{id}/prewarm` on FANFARE_API_URL (default
// http://127.0.0.1:8080) with FANFARE_TOKEN (an SRE or producer token or API key) and prints the
// answer as JSON; it exits 1 on a refusal, 2 when the plan's cluster is missing something.

import { DEFAULT_CLI_API_URL, parsePrewarmArgs } from './prewarm-args.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'prewarm') {
    process.stderr.write('usage: fanfare prewarm <eventId> ...\n');
    return 1;
  }
  const call = parsePrewarmArgs(rest);
  const base = process.env.FANFARE_API_URL ?? DEFAULT_CLI_API_URL;
  const token = process.env.FANFARE_TOKEN;
  const res = await fetch(`${base}/v1/events/${encodeURIComponent(call.eventId)}/prewarm`, {
    method: call.method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(call.body ? { body: JSON.stringify(call.body) } : {}),
  });
  const text = await res.text();
  process.stdout.write(`${text}\n`);
  if (!res.ok) return 1;
  const missing = (JSON.parse(text) as { plan: { cluster: { missing: string[] } } }).plan.cluster
    .missing;
  return missing.length > 0 ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
