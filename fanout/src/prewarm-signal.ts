// What the API sends on `subjects.prewarm()` when an SRE pre-warms an event: the event whose room
// every shard should open before its fans arrive. At-most-once, like every bus message: a shard
// that misses one is caught by the next POST (the readiness list shows which shards lack it).

import { isEventId } from '@fanfare/protocol';

export interface PrewarmSignal {
  eventId: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePrewarmSignal(signal: PrewarmSignal): Uint8Array {
  return encoder.encode(JSON.stringify({ eventId: signal.eventId }));
}

/** The signal, or undefined when `data` is not one (it is then ignored, not trusted). */
export function decodePrewarmSignal(data: Uint8Array): PrewarmSignal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { eventId } = value as Partial<PrewarmSignal>;
  return typeof eventId === 'string' && isEventId(eventId) ? { eventId } : undefined;
}
