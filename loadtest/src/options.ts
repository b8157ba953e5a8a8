// The bench's command line, parsed once into a typed, frozen object. Every problem is listed at
// once so a long run is not started and then refused one flag at a time.

import { parseArgs } from 'node:util';
import { isEventId } from '@fanfare/protocol';

export const DEFAULT_FANS = 2000;
export const DEFAULT_DURATION_S = 10;
/** Chat messages per second, all senders together. */
export const DEFAULT_RATE_PER_S = 1000;
export const DEFAULT_SENDERS = 10;
export const DEFAULT_WORKERS = 2;
export const DEFAULT_EVENT_ID = 'demo';

export interface BenchOptions {
  /** Fans connected to the one event, senders included. */
  readonly fans: number;
  /** Length of the send phase, s. */
  readonly durationS: number;
  /** Chat messages per second over all senders. */
  readonly ratePerS: number;
  /** Fans that also send; each sends `ratePerS / senders` messages per second. */
  readonly senders: number;
  /** Generator processes the fans are spread over. */
  readonly workers: number;
  readonly eventId: string;
  /** Base URL of an engine already running; undefined to spawn one. */
  readonly targetApi: string | undefined;
}

export type ParsedOptions =
  | { kind: 'run'; options: BenchOptions }
  | { kind: 'help'; text: string }
  | { kind: 'invalid'; problems: string[] };

export const USAGE = `Usage: pnpm bench [options]

  --fans N          fans connected to one event (default ${DEFAULT_FANS})
  --duration S      send phase, seconds (default ${DEFAULT_DURATION_S})
  --rate R          chat messages per second, all senders together (default ${DEFAULT_RATE_PER_S})
  --senders N       fans that send chat (default ${DEFAULT_SENDERS})
  --workers N       generator processes (default ${DEFAULT_WORKERS})
  --event ID        event to join (default ${DEFAULT_EVENT_ID})
  --target-api URL  use an engine already running at this API base URL instead of spawning one
                    (server RSS and CPU are then not measured)
  --help            this text`;

function readNumber(
  raw: string | undefined,
  fallback: number,
  flag: string,
  problems: string[],
  integer: boolean,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    problems.push(`--${flag} must be a positive number, got "${raw}"`);
    return fallback;
  }
  if (integer && !Number.isInteger(value)) {
    problems.push(`--${flag} must be a whole number, got "${raw}"`);
    return fallback;
  }
  return value;
}

function readBaseUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.href.replace(/\/+$/, '');
  } catch {
    // The reason is always the same for the user: not a usable base URL.
    problems.push(`--target-api must be an http(s) URL, got "${raw}"`);
    return undefined;
  }
}

/** Parses the arguments after the script name (a leading `--` from pnpm is ignored). */
export function parseBenchOptions(argv: readonly string[]): ParsedOptions {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        fans: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        senders: { type: 'string' },
        workers: { type: 'string' },
        event: { type: 'string' },
        'target-api': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return { kind: 'invalid', problems: [(error as Error).message] };
  }
  if (values.help === true) return { kind: 'help', text: USAGE };

  const problems: string[] = [];
  const fans = readNumber(values.fans, DEFAULT_FANS, 'fans', problems, true);
  const durationS = readNumber(values.duration, DEFAULT_DURATION_S, 'duration', problems, false);
  const ratePerS = readNumber(values.rate, DEFAULT_RATE_PER_S, 'rate', problems, false);
  const senders = readNumber(values.senders, DEFAULT_SENDERS, 'senders', problems, true);
  const workers = readNumber(values.workers, DEFAULT_WORKERS, 'workers', problems, true);
  const eventId = values.event ?? DEFAULT_EVENT_ID;
  if (!isEventId(eventId)) problems.push(`--event must be an event id, got "${eventId}"`);
  const targetApi = readBaseUrl(values['target-api'], problems);
  if (senders > fans) problems.push(`--senders (${senders}) cannot exceed --fans (${fans})`);
  if (workers > fans) problems.push(`--workers (${workers}) cannot exceed --fans (${fans})`);

  if (problems.length > 0) return { kind: 'invalid', problems };
  return {
    kind: 'run',
    options: Object.freeze({ fans, durationS, ratePerS, senders, workers, eventId, targetApi }),
  };
}
