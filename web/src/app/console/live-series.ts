// The console's live panels as data: one point per second of viewers (the latest count), chat
// messages and reaction taps (summed over the second), kept for LIVE_WINDOW_S seconds. Pure: the
// caller feeds what its connection sees and asks for the series at a time it names.

/** One point per this, ms. */
export const LIVE_STEP_MS = 1000;
/** Points kept: the last five minutes. */
export const LIVE_WINDOW_S = 300;

export interface LiveSeriesData {
  /** Seconds since the Unix epoch, one per step, oldest first. */
  t: number[];
  viewers: (number | null)[];
  chat: number[];
  reactions: number[];
}

export class LiveSeries {
  readonly #data: LiveSeriesData = { t: [], viewers: [], chat: [], reactions: [] };
  #viewers: number | null = null;

  constructor(readonly windowS = LIVE_WINDOW_S) {}

  /** The viewer count now (it holds until the next). */
  viewers(count: number, atMs: number): void {
    this.#viewers = count;
    this.#bucket(atMs);
    this.#data.viewers[this.#data.viewers.length - 1] = count;
  }

  chat(count: number, atMs: number): void {
    const i = this.#bucket(atMs);
    this.#data.chat[i]! += count;
  }

  reactions(taps: number, atMs: number): void {
    const i = this.#bucket(atMs);
    this.#data.reactions[i]! += taps;
  }

  /** The series up to `atMs` (quiet seconds filled in), as arrays a chart takes. */
  at(atMs: number): LiveSeriesData {
    this.#bucket(atMs);
    const d = this.#data;
    return { t: [...d.t], viewers: [...d.viewers], chat: [...d.chat], reactions: [...d.reactions] };
  }

  /** Sum of chat messages and of reaction taps over the last `seconds`, up to `atMs`. */
  totals(atMs: number, seconds: number): { chat: number; reactions: number } {
    this.#bucket(atMs);
    const from = Math.max(0, this.#data.t.length - seconds);
    const sum = (xs: number[]) => xs.slice(from).reduce((a, b) => a + b, 0);
    return { chat: sum(this.#data.chat), reactions: sum(this.#data.reactions) };
  }

  /** The index of the step holding `atMs`, adding steps (and dropping old ones) as time passes. */
  #bucket(atMs: number): number {
    const d = this.#data;
    const t = Math.floor(atMs / LIVE_STEP_MS);
    let last = d.t.at(-1);
    if (last !== undefined && t <= last) return d.t.length - 1 - Math.min(last - t, d.t.length - 1);
    // Quiet steps in between, at most a window's worth (older ones would be trimmed at once).
    if (last === undefined) last = t - 1;
    else if (t - last > this.windowS) last = t - this.windowS;
    for (let s = last + 1; s <= t; s++) {
      d.t.push(s);
      d.viewers.push(this.#viewers);
      d.chat.push(0);
      d.reactions.push(0);
    }
    const extra = d.t.length - this.windowS;
    if (extra > 0) for (const xs of [d.t, d.viewers, d.chat, d.reactions]) xs.splice(0, extra);
    return d.t.length - 1;
  }
}
