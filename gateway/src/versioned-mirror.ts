// A shard's copy of one versioned value kept in a shared store (an event's sanctions, its stage,
// a poll's tally, a watch party). Notices on the bus apply at once; a periodic check compares the
// store's version with the copy's and reads the value only when they disagree, so a lost notice
// costs at most one check period and a quiet value costs one cheap read per period. One read is
// in flight at a time; while the store is unreachable the last copy stays in force and the outage
// is logged once (see OutageLog). The trade-off: the copy may lag the store by one period.

import type { Clock, TimerHandle } from '@fanfare/fanout';
import type { OutageLog } from './outage-log.js';

/** A value with the store version it reflects. Versions only grow while the store keeps them. */
export interface Versioned<T> {
  readonly version: number;
  readonly value: T;
}

/** Where the mirror reads; every call may reject (store unreachable), which the mirror logs. */
export interface MirrorSource<T> {
  /**
   * The stored version, a cheap read compared with the copy's before reading the value; 0 when
   * nothing is stored. Omitted when the value is as cheap as its version: every check reads it.
   */
  version?: () => Promise<number>;
  /** The stored value with its version; undefined when nothing is stored (the copy stays). */
  read(): Promise<Versioned<T> | undefined>;
}

/**
 * How notices relate to the store:
 * - `whole`: a notice carries the whole value at its version (`offer`). The copy takes the
 *   notice's version and may run ahead of the store, so it is read again only when the store's
 *   version is above the copy's, and a read never replaces a newer copy.
 * - `delta`: a notice carries one change and the store version after it (`patch`). The copy's
 *   version comes from reads only (a notice before it may have been lost), so it is read again
 *   whenever the store's version differs, lower included (a store that started over); notices
 *   that arrive during a read and are newer than what it returned are applied again after it.
 */
export type NoticeKind = 'whole' | 'delta';

/** `idle` until `start`; `running` while the timer (if any) is armed; `closed` for good. */
export type MirrorState = 'idle' | 'running' | 'closed';

const MOVES: Record<MirrorState, readonly MirrorState[]> = {
  idle: ['running', 'closed'],
  running: ['closed'],
  closed: [],
};

export interface VersionedMirrorOptions<T> {
  source: MirrorSource<T>;
  /** The copy before anything was read (version -1 or 0: below every stored version). */
  initial: Versioned<T>;
  notices: NoticeKind;
  clock: Clock;
  /** The check period, ms, on the mirror's own timer; omitted when an owner's round calls `check`. */
  checkEveryMs?: number;
  /** Told of every failed and every successful store call; may be shared by several mirrors. */
  outage: OutageLog;
  /**
   * Called after each change of the copy (a newer notice, or a read that changed it) with the
   * copy it replaced; never for a stale notice or an unchanged version (`whole`), never after
   * close.
   */
  onChange?: (current: Versioned<T>, previous: Versioned<T>) => void;
  /**
   * Called by a check that finds the store's version at 0 (the value was removed); the copy stays
   * and no read follows. Without it, a 0 is handled as any other version.
   */
  onGone?: () => void;
}

export class VersionedMirror<T> {
  #options: VersionedMirrorOptions<T>;
  #copy: Versioned<T>;
  #state: MirrorState = 'idle';
  #timer: TimerHandle | undefined;
  #reading: Promise<void> | undefined;
  /** `delta` notices that arrived while a read was in flight, with their update. */
  #arrived: { version: number; update: (value: T) => T }[] = [];

  constructor(options: VersionedMirrorOptions<T>) {
    this.#options = options;
    this.#copy = options.initial;
  }

  /** The copy in force: the newest seen. */
  get current(): Versioned<T> {
    return this.#copy;
  }

  get state(): MirrorState {
    return this.#state;
  }

  /** Arms the periodic check (when `checkEveryMs` is set). Does not read: call `check` for that. */
  start(): void {
    this.#move('running');
    const { clock, checkEveryMs } = this.#options;
    if (checkEveryMs !== undefined)
      this.#timer = clock.setInterval(() => void this.check(), checkEveryMs);
  }

  /** Stops the timer; later notices and reads in flight change nothing. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#move('closed');
    if (this.#timer) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A `whole` notice: taken at once when newer than the copy. True when it was taken. */
  offer(next: Versioned<T>): boolean {
    this.#expect('whole', 'offer');
    if (this.#state === 'closed' || next.version <= this.#copy.version) return false;
    this.#replace(next);
    return true;
  }

  /**
   * A `delta` notice: `update` (pure: it may run twice) applied at once when `version`, the store
   * version after the change, is above the copy's. True when it was applied.
   */
  patch(version: number, update: (value: T) => T): boolean {
    this.#expect('delta', 'patch');
    if (this.#state === 'closed' || version <= this.#copy.version) return false;
    if (this.#reading) this.#arrived.push({ version, update });
    this.#replace({ version: this.#copy.version, value: update(this.#copy.value) });
    return true;
  }

  /**
   * Compares the store's version with the copy's and reads the value when they disagree (see
   * NoticeKind). Never rejects. One at a time: a call during a check returns that check.
   */
  check(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#reading ??= this.#check().finally(() => {
      this.#reading = undefined;
      this.#arrived = [];
    });
    return this.#reading;
  }

  async #check(): Promise<void> {
    const { source, outage, onGone } = this.#options;
    try {
      if (source.version) {
        const stored = await source.version();
        if (stored === 0 && onGone) {
          outage.answered();
          if (this.#state !== 'closed') onGone();
          return;
        }
        if (!this.#behind(stored)) return outage.answered();
      }
      const read = await source.read();
      outage.answered();
      if (read && this.#state !== 'closed') this.#adopt(read);
    } catch (err) {
      outage.failed(err);
    }
  }

  #behind(stored: number): boolean {
    const held = this.#copy.version;
    return this.#options.notices === 'whole' ? stored > held : stored !== held;
  }

  #adopt(read: Versioned<T>): void {
    if (this.#options.notices === 'whole') {
      // A notice may have brought something newer during the read: the newest stays.
      if (read.version > this.#copy.version) this.#replace(read);
      return;
    }
    let value = read.value;
    for (const notice of this.#arrived)
      if (notice.version > read.version) value = notice.update(value);
    this.#replace({ version: read.version, value });
  }

  #replace(next: Versioned<T>): void {
    const previous = this.#copy;
    this.#copy = next;
    this.#options.onChange?.(next, previous);
  }

  #expect(kind: NoticeKind, method: string): void {
    if (this.#options.notices !== kind)
      throw new Error(
        `${method} takes ${kind} notices; this mirror takes ${this.#options.notices}`,
      );
  }

  #move(to: MirrorState): void {
    if (!MOVES[this.#state].includes(to))
      throw new Error(`versioned mirror: cannot move from ${this.#state} to ${to}`);
    this.#state = to;
  }
}
