import type { Logger } from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { OutageLog } from './outage-log.js';
import {
  VersionedMirror,
  type MirrorSource,
  type NoticeKind,
  type Versioned,
} from './versioned-mirror.js';

const EVERY_MS = 1000;

/** A store held in the test: its value, and reads that wait until the test lets them go. */
class FakeSource implements MirrorSource<string> {
  stored: Versioned<string> | undefined = { version: 1, value: 'v1' };
  down = false;
  versionReads = 0;
  valueReads = 0;
  /** Resolvers of reads held back by `hold`. */
  held: (() => void)[] = [];
  hold = false;

  version = async (): Promise<number> => {
    this.versionReads++;
    await this.#gate();
    if (this.down) throw new Error('connection refused');
    return this.stored?.version ?? 0;
  };

  read = async (): Promise<Versioned<string> | undefined> => {
    this.valueReads++;
    if (this.down) throw new Error('connection refused');
    return this.stored;
  };

  /** Lets every held read go on. */
  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  async #gate(): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    info: (msg) => lines.push(`info ${msg}`),
    warn: (msg) => lines.push(`warn ${msg}`),
    error: (msg) => lines.push(`error ${msg}`),
  };
  return { lines, logger };
}

function setup(notices: NoticeKind, options: { onGone?: () => void } = {}) {
  const clock = new ManualClock();
  const source = new FakeSource();
  const { lines, logger } = recordingLogger();
  const changes: string[] = [];
  const mirror = new VersionedMirror<string>({
    source,
    initial: { version: 0, value: 'v0' },
    notices,
    clock,
    checkEveryMs: EVERY_MS,
    outage: new OutageLog(logger, { down: 'store down', up: 'store up' }),
    onChange: (current, previous) =>
      changes.push(`${previous.value}@${previous.version} -> ${current.value}@${current.version}`),
    ...options,
  });
  return { clock, source, lines, changes, mirror };
}

/** Lets the promises the mirror started on a timer settle. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Moves on `periods` check periods one at a time, letting each check finish, as in real time. */
const periods = async (clock: ManualClock, count: number) => {
  for (let i = 0; i < count; i++) {
    clock.advance(EVERY_MS);
    await settle();
  }
};

describe('VersionedMirror with whole notices', () => {
  it('applies a newer notice at once, without reading the store', () => {
    const { mirror, source, changes } = setup('whole');
    mirror.start();
    expect(mirror.offer({ version: 3, value: 'v3' })).toBe(true);
    expect(mirror.current).toEqual({ version: 3, value: 'v3' });
    expect(changes).toEqual(['v0@0 -> v3@3']);
    expect(source.versionReads + source.valueReads).toBe(0);
  });

  it('ignores a stale or equal notice', () => {
    const { mirror, changes } = setup('whole');
    mirror.offer({ version: 3, value: 'v3' });
    expect(mirror.offer({ version: 2, value: 'v2' })).toBe(false);
    expect(mirror.offer({ version: 3, value: 'other v3' })).toBe(false);
    expect(mirror.current.value).toBe('v3');
    expect(changes).toHaveLength(1);
  });

  it("checks the store's version every interval and reads the value only when it is newer", async () => {
    const { mirror, source, clock, changes } = setup('whole');
    mirror.start();
    clock.advance(EVERY_MS - 1);
    await settle();
    expect(source.versionReads).toBe(0);
    clock.advance(1);
    await settle();
    expect([source.versionReads, source.valueReads]).toEqual([1, 1]);
    expect(mirror.current).toEqual({ version: 1, value: 'v1' });
    await periods(clock, 3); // unchanged: versions only
    expect([source.versionReads, source.valueReads]).toEqual([4, 1]);
    source.stored = { version: 2, value: 'v2' }; // a change whose notice was lost
    clock.advance(EVERY_MS);
    await settle();
    expect(mirror.current.value).toBe('v2');
    expect(changes).toEqual(['v0@0 -> v1@1', 'v1@1 -> v2@2']);
  });

  it('keeps a notice that ran ahead of the store, and never reads back an older value', async () => {
    const { mirror, source, clock } = setup('whole');
    mirror.start();
    mirror.offer({ version: 5, value: 'v5' });
    clock.advance(EVERY_MS * 2);
    await settle();
    expect(source.valueReads).toBe(0);
    expect(mirror.current.value).toBe('v5');
  });

  it('keeps one read in flight: checks during a read join it', async () => {
    const { mirror, source, clock } = setup('whole');
    mirror.start();
    source.hold = true;
    const first = mirror.check();
    expect(mirror.check()).toBe(first);
    clock.advance(EVERY_MS * 3);
    await settle();
    expect(source.versionReads).toBe(1);
    source.release();
    await first;
    expect(mirror.current.value).toBe('v1');
    source.hold = false;
    await mirror.check();
    expect(source.versionReads).toBe(2);
  });

  it('logs an outage once, keeps the last copy, and logs the recovery once', async () => {
    const { mirror, source, clock, lines } = setup('whole');
    mirror.start();
    await mirror.check();
    source.down = true;
    await periods(clock, 5);
    expect(source.versionReads).toBe(6);
    expect(mirror.current.value).toBe('v1');
    expect(lines).toEqual(['warn store down']);
    source.down = false;
    source.stored = { version: 2, value: 'v2' };
    await periods(clock, 3);
    expect(mirror.current.value).toBe('v2');
    expect(lines).toEqual(['warn store down', 'info store up']);
  });

  it('calls onGone instead of reading when the store holds version 0', async () => {
    let gone = 0;
    const { mirror, source } = setup('whole', { onGone: () => gone++ });
    mirror.offer({ version: 2, value: 'v2' });
    source.stored = undefined;
    await mirror.check();
    expect(gone).toBe(1);
    expect(source.valueReads).toBe(0);
    expect(mirror.current.value).toBe('v2');
  });

  it('stops its timer on close, ignores later notices and reads, and closes twice safely', async () => {
    const { mirror, source, clock, changes } = setup('whole');
    mirror.start();
    expect(clock.pendingTimers).toBe(1);
    source.hold = true;
    const reading = mirror.check();
    mirror.close();
    mirror.close();
    expect(mirror.state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
    source.release();
    await reading;
    expect(mirror.offer({ version: 9, value: 'v9' })).toBe(false);
    clock.advance(EVERY_MS * 3);
    await mirror.check();
    expect(source.versionReads).toBe(1);
    expect(changes).toEqual([]);
    expect(() => mirror.start()).toThrow(/cannot move from closed to running/);
  });

  it('reads on every check when the source has no cheap version', async () => {
    const clock = new ManualClock();
    let reads = 0;
    const mirror = new VersionedMirror<string>({
      source: { read: async () => ({ version: ++reads > 2 ? 2 : 1, value: 'tally' }) },
      initial: { version: 0, value: 'zero' },
      notices: 'whole',
      clock,
      checkEveryMs: EVERY_MS,
      outage: new OutageLog(recordingLogger().logger, { down: 'd', up: 'u' }),
    });
    mirror.start();
    await periods(clock, 3);
    expect(reads).toBe(3);
    expect(mirror.current.version).toBe(2);
  });
});

describe('VersionedMirror with delta notices', () => {
  const append = (suffix: string) => (value: string) => `${value}+${suffix}`;

  it('applies a newer change at once but keeps the version of the last read', async () => {
    const { mirror, source, changes } = setup('delta');
    await mirror.check();
    expect(mirror.current).toEqual({ version: 1, value: 'v1' });
    expect(mirror.patch(2, append('n2'))).toBe(true);
    expect(mirror.current).toEqual({ version: 1, value: 'v1+n2' });
    expect(changes.at(-1)).toBe('v1@1 -> v1+n2@1');
    // The store is at 2 now: the next check reads it, in case a change before it was lost.
    source.stored = { version: 2, value: 'v2' };
    await mirror.check();
    expect(mirror.current).toEqual({ version: 2, value: 'v2' });
  });

  it('ignores a change no newer than the last read', async () => {
    const { mirror } = setup('delta');
    await mirror.check();
    expect(mirror.patch(1, append('old'))).toBe(false);
    expect(mirror.current.value).toBe('v1');
  });

  it('applies again, after a read, the changes newer than it that arrived meanwhile', async () => {
    const { mirror, source } = setup('delta');
    source.hold = true;
    const reading = mirror.check();
    await settle();
    mirror.patch(1, append('n1')); // already in the read's value
    mirror.patch(2, append('n2')); // newer than the read
    source.release();
    await reading;
    expect(mirror.current).toEqual({ version: 1, value: 'v1+n2' });
  });

  it('reads again when the store went back to a lower version (a store that started over)', async () => {
    const { mirror, source } = setup('delta');
    source.stored = { version: 7, value: 'v7' };
    await mirror.check();
    source.stored = { version: 0, value: 'empty' };
    await mirror.check();
    expect(mirror.current).toEqual({ version: 0, value: 'empty' });
  });

  it('refuses the notice method of the other kind', () => {
    expect(() => setup('delta').mirror.offer({ version: 1, value: 'x' })).toThrow(/offer/);
    expect(() => setup('whole').mirror.patch(1, append('x'))).toThrow(/patch/);
  });
});
