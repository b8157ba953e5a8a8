// The chat text a bench sender writes: `b:<sendTimeMs>:<senderIdx>:<n>`. It carries the send
// stamp through the server untouched, so a receiver needs nothing else to measure latency, and
// it is unique per message, so the server's duplicate filter never refuses one.

/** Every bench text starts with this; other chat in the event is counted as foreign. */
export const BENCH_TEXT_PREFIX = 'b:';

export interface BenchText {
  /** Send stamp, ms since the Unix epoch (microsecond precision). */
  sendTimeMs: number;
  sender: number;
  n: number;
}

export function encodeBenchText(sendTimeMs: number, sender: number, n: number): string {
  return `${BENCH_TEXT_PREFIX}${sendTimeMs.toFixed(3)}:${sender}:${n}`;
}

/** Parses a bench text; undefined for any other text. */
export function parseBenchText(text: string): BenchText | undefined {
  if (!text.startsWith(BENCH_TEXT_PREFIX)) return undefined;
  const parts = text.slice(BENCH_TEXT_PREFIX.length).split(':');
  if (parts.length !== 3 || parts.includes('')) return undefined;
  const [sendTimeMs, sender, n] = parts.map(Number) as [number, number, number];
  if (!Number.isFinite(sendTimeMs) || !Number.isInteger(sender) || !Number.isInteger(n)) {
    return undefined;
  }
  return { sendTimeMs, sender, n };
}
