// The arguments of `pnpm fanfare prewarm` (cli.ts), parsed into the call it makes.

import { parseArgs } from 'node:util';

export const DEFAULT_CLI_API_URL = 'http://127.0.0.1:8080';

export interface PrewarmCall {
  eventId: string;
  method: 'POST' | 'GET';
  body?: Record<string, unknown>;
}

/** The call `prewarm <args>` makes; throws an Error with the usage on bad arguments. */
export function parsePrewarmArgs(args: string[]): PrewarmCall {
  const usage =
    'usage: fanfare prewarm <eventId> --fans N --joins-per-sec R [--starts-at ISO] [--webrtc N] | --show';
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      fans: { type: 'string' },
      'joins-per-sec': { type: 'string' },
      'starts-at': { type: 'string' },
      webrtc: { type: 'string' },
      show: { type: 'boolean' },
    },
  });
  const eventId = positionals[0];
  if (eventId === undefined || positionals.length > 1) throw new Error(usage);
  if (values.show) return { eventId, method: 'GET' };
  const whole = (v: string | undefined, name: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${name}: ${usage}`);
    return n;
  };
  const body: Record<string, unknown> = {
    expectedPeakFans: whole(values.fans, '--fans'),
    expectedJoinsPerSec: whole(values['joins-per-sec'], '--joins-per-sec'),
  };
  if (values['starts-at'] !== undefined) {
    const at = Date.parse(values['starts-at']);
    if (Number.isNaN(at)) throw new Error(`--starts-at: ${usage}`);
    body.startsAt = at;
  }
  if (values.webrtc !== undefined) body.tiers = { webrtc: whole(values.webrtc, '--webrtc') };
  return { eventId, method: 'POST', body };
}
