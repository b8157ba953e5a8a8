// A message the database cannot store (U+0000 in its text, which Postgres and PGlite refuse) must
// not wedge an event's archive: the archiver sets that row aside, counts it, reports it without
// the chat text, and archives the rest of the batch and every later one. Run on PGlite and on
// the machine's Postgres (a database of this file's own).

import { openDatabase, type Database } from '@fanfare/db';
import { createTestDatabase, requirePostgres } from '@fanfare/db/testing';
import { MemoryEventLog, encodeLogRecord, type LogFields, type Logger } from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import type { Author } from '@fanfare/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatArchiver } from '../src/chat-archiver.js';

const FAN: Author = { id: 'u-secret-author', name: 'Robin', role: 'fan' };
const SECRET = 'do-not-log-this';

interface Opened {
  db: Database;
  cleanup(): Promise<void>;
}

function suite(name: string, open: () => Promise<Opened | undefined>) {
  describe(`ChatArchiver with unstorable rows: ${name}`, () => {
    let opened: Opened | undefined;
    beforeAll(async () => {
      opened = await open();
    }, 90_000);
    afterAll(async () => {
      await opened?.cleanup();
    });

    it('sets the row aside, counts and reports it without its text, and archives the rest', async (ctx) => {
      if (!opened) return ctx.skip();
      const { db } = opened;
      const clock = new ManualClock(Date.parse('2026-11-24T12:00:00Z'));
      const log = new MemoryEventLog({ clock });
      const lines: { msg: string; fields: LogFields | undefined }[] = [];
      const record = (msg: string, fields?: LogFields) => void lines.push({ msg, fields });
      const logger: Logger = { info: record, warn: record, error: record };
      const eventId = `nul-${Date.now()}`;
      const event = await db.events.create({ id: eventId, title: 'NUL' });
      await db.events.transition(eventId, event.state, 'live');
      const say = (id: string, text: string) =>
        log.append(eventId, encodeLogRecord({ kind: 'chat', id, author: FAN, text }), id);
      await say('m1', 'hello');
      await say('m2', `${SECRET}\u0000`);
      await say('m3', 'still here');
      const archiver = new ChatArchiver({ db, log, clock, logger });
      await archiver.pass();
      const seqs = async () => (await db.chat.page(eventId)).items.map((m) => m.seq);
      expect(await seqs()).toEqual([1, 3]);
      expect(archiver.setAside).toBe(1);
      // A second pass neither retries the row set aside nor wedges on it; later chat archives.
      await say('m4', 'later');
      await archiver.pass();
      expect(await seqs()).toEqual([1, 3, 4]);
      expect(archiver.setAside).toBe(1);
      const reports = lines.filter((l) => l.msg === 'chat archive set a message aside');
      expect(reports).toHaveLength(1);
      expect(reports[0]?.fields).toMatchObject({ eventId, seq: 2, msgId: 'm2' });
      // Nothing logged carries the chat text or the author's id.
      const logged = JSON.stringify(lines, (_k, v: unknown) =>
        v instanceof Error ? { message: v.message, stack: v.stack, cause: String(v.cause) } : v,
      );
      expect(logged).not.toContain(SECRET);
      expect(logged).not.toContain(FAN.id);
    });
  });
}

suite('PGlite', async () => {
  const db = await openDatabase({ pglite: 'memory' });
  return { db, cleanup: () => db.close() };
});

suite('Postgres', async () => {
  if (!(await requirePostgres())) return undefined;
  const target = await createTestDatabase();
  const db = await openDatabase({ url: target.url, max: 2 });
  return {
    db,
    cleanup: async () => {
      await db.close();
      await target.drop();
    },
  };
});
