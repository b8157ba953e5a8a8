// The chat archiver against PGlite and the memory event log, driven by the manual clock: batches
// (one INSERT per MAX_CHAT_BATCH entries), deletions in log order, resuming from the archive's
// high-water mark, skipping what it cannot read, final drains of ended events, no overlapping
// passes, and retries after a failure.

import { MAX_CHAT_BATCH, type ChatArchive, type ChatArchiveRow, type Database } from '@fanfare/db';
import { MemoryEventLog, encodeLogRecord, type Logger } from '@fanfare/fanout';
import type { Author } from '@fanfare/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARCHIVE_INTERVAL_MS, ChatArchiver } from '../src/chat-archiver.js';
import { createFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.close();
});

const FAN: Author = { id: 'u1', name: 'Robin', role: 'fan' };

/** A fresh log per test (the fixture's outlives reset), and a db whose chat archive is spied on. */
let log: MemoryEventLog;
let batches: number[];
let warnings: string[];
/** When set, the next appendBatch waits for it (or throws it, if it is an Error). */
let hold: Promise<void> | Error | undefined;

function spiedDb(): Database {
  const chat: ChatArchive = {
    appendBatch: async (rows: readonly ChatArchiveRow[]) => {
      const blocker = hold;
      hold = undefined;
      if (blocker instanceof Error) throw blocker;
      if (blocker) await blocker;
      batches.push(rows.length);
      return f.db.chat.appendBatch(rows);
    },
    markDeleted: (...args) => f.db.chat.markDeleted(...args),
    page: (...args) => f.db.chat.page(...args),
    highWater: (...args) => f.db.chat.highWater(...args),
    find: (...args) => f.db.chat.find(...args),
  };
  return new Proxy(f.db, {
    get: (target, key) => (key === 'chat' ? chat : (Reflect.get(target, key) as unknown)),
  });
}

const logger: Logger = {
  info: () => undefined,
  warn: (msg) => void warnings.push(msg),
  error: (msg) => void warnings.push(msg),
};

function archiver(db = spiedDb()) {
  return new ChatArchiver({ db, log, clock: f.clock, logger });
}

async function say(eventId: string, count: number, from = 1) {
  for (let i = from; i < from + count; i++) {
    const id = `m${i}`;
    await log.append(
      eventId,
      encodeLogRecord({ kind: 'chat', id, author: FAN, text: `msg ${i}` }),
      id,
    );
  }
}

async function remove(eventId: string, id: string, target: number) {
  await log.append(
    eventId,
    encodeLogRecord({ kind: 'delete', id, target, by: 'mod-1' }),
    `del:${id}`,
  );
}

async function archivedSeqs(eventId: string): Promise<number[]> {
  const seqs: number[] = [];
  let cursor: { afterSeq?: number } = {};
  for (;;) {
    const page = await f.db.chat.page(eventId, { ...cursor, limit: 500 });
    seqs.push(...page.items.map((m) => m.seq));
    if (!page.next) return seqs;
    cursor = page.next;
  }
}

beforeEach(async () => {
  await f.reset();
  log = new MemoryEventLog({ clock: f.clock });
  batches = [];
  warnings = [];
  hold = undefined;
});

describe('ChatArchiver', () => {
  it('archives N messages in ceil(N / MAX_CHAT_BATCH) batches', async () => {
    await f.seedEvent('final');
    const n = 2 * MAX_CHAT_BATCH + 5;
    await say('final', n);
    await archiver().pass();
    expect(batches).toEqual([MAX_CHAT_BATCH, MAX_CHAT_BATCH, 5]);
    const seqs = await archivedSeqs('final');
    expect(seqs).toHaveLength(n);
    expect(seqs.at(-1)).toBe(n);
    expect(await f.db.chat.find('final', 'm7')).toMatchObject({
      seq: 7,
      authorId: 'u1',
      authorName: 'Robin',
      authorRole: 'fan',
      text: 'msg 7',
      ts: new Date(f.clock.now()),
    });
  });

  it('applies deletions in log order, in the same pass and in later ones', async () => {
    await f.seedEvent('final');
    await say('final', 3);
    await remove('final', 'm2', 2);
    const a = archiver();
    await a.pass();
    expect(await archivedSeqs('final')).toEqual([1, 3]);
    expect(await f.db.chat.find('final', 'm2')).toMatchObject({ deletedBy: 'mod-1' });
    await remove('final', 'm3', 3);
    await say('final', 1, 4);
    await a.pass();
    expect(await archivedSeqs('final')).toEqual([1, 6]);
    expect(batches).toEqual([3, 1]);
  });

  it('resumes after a restart from the archive’s high-water mark', async () => {
    await f.seedEvent('final');
    await say('final', 5);
    await archiver().pass();
    await say('final', 3, 6);
    await archiver().pass();
    expect(batches).toEqual([5, 3]);
    expect(await archivedSeqs('final')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('skips records it cannot read and carries on after them', async () => {
    await f.seedEvent('final');
    await say('final', 1);
    await log.append('final', new TextEncoder().encode('not json'), 'junk');
    await log.append('final', new TextEncoder().encode('{"kind":"reaction","id":"r1"}'), 'r1');
    await say('final', 1, 4);
    const a = archiver();
    await a.pass();
    expect(await archivedSeqs('final')).toEqual([1, 4]);
    // A log ending in records that are not chat is not re-read by the next pass.
    await log.append('final', new TextEncoder().encode('null'), 'nothing');
    await a.pass();
    await a.pass();
    expect(batches).toEqual([2]);
  });

  it('carries on past entries the log expired before they were archived', async () => {
    await f.seedEvent('final');
    log = new MemoryEventLog({ clock: f.clock, maxEntries: 3 });
    await say('final', 5);
    await archiver().pass();
    expect(await archivedSeqs('final')).toEqual([3, 4, 5]);
    expect(warnings).toEqual(['chat log entries expired before they were archived']);
  });

  it('drains an event that ended since the last pass, then leaves it alone', async () => {
    await f.seedEvent('final');
    const a = archiver();
    await say('final', 2);
    await a.pass();
    await say('final', 2, 3);
    const event = await f.db.events.get('final');
    await f.db.events.transition('final', event!.state, 'ended');
    await a.pass();
    expect(await archivedSeqs('final')).toEqual([1, 2, 3, 4]);
    await say('final', 1, 5);
    await a.pass();
    expect(batches).toEqual([2, 2]);
  });

  it('drains events that ended while no archiver ran, on its first pass', async () => {
    await f.seedEvent('over', 'ended');
    await f.seedEvent('draft', 'draft');
    await say('over', 2);
    await say('draft', 2);
    await archiver().pass();
    expect(await archivedSeqs('over')).toEqual([1, 2]);
    expect(await archivedSeqs('draft')).toEqual([]);
  });

  it('runs every ARCHIVE_INTERVAL_MS, never two passes at once, and a final pass on close', async () => {
    await f.seedEvent('final');
    const a = archiver();
    a.start();
    await say('final', 2);
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    f.clock.advance(ARCHIVE_INTERVAL_MS);
    f.clock.advance(ARCHIVE_INTERVAL_MS); // still running: skipped
    expect(batches).toEqual([]);
    release();
    await a.idle();
    expect(batches).toEqual([2]);
    await say('final', 1, 3);
    f.clock.advance(ARCHIVE_INTERVAL_MS);
    await a.idle();
    expect(batches).toEqual([2, 1]);
    await say('final', 1, 4);
    const timers = f.clock.pendingTimers;
    await a.close();
    expect(f.clock.pendingTimers).toBe(timers - 1);
    expect(batches).toEqual([2, 1, 1]);
    await a.close();
  });

  it('logs a failed write and retries it on the next pass', async () => {
    await f.seedEvent('final');
    const a = archiver();
    await say('final', 3);
    hold = new Error('connection reset');
    await a.pass();
    expect(warnings).toEqual(['chat archive failed for an event; retrying next pass']);
    expect(await archivedSeqs('final')).toEqual([]);
    await a.pass();
    expect(await archivedSeqs('final')).toEqual([1, 2, 3]);
  });
});
