// The behaviour ChatArchive must show on every driver.

import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAX_CHAT_BATCH, type ChatArchiveRow } from './chat-archive.js';
import { expectDbError, type DbFixture } from './contract-fixture.js';
import { chatArchive } from './schema.js';

const T0 = Date.parse('2025-06-01T20:00:00.000Z');

function msg(seq: number, over: Partial<ChatArchiveRow> = {}): ChatArchiveRow {
  return {
    eventId: 'final',
    seq,
    msgId: `m${seq}`,
    authorId: `u${seq % 3}`,
    authorName: `Fan ${seq % 3}`,
    authorRole: 'fan',
    text: `message ${seq}`,
    ts: new Date(T0 + seq * 1000),
    ...over,
  };
}

const seqs = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

export function chatArchiveContract(name: string, fixture: () => DbFixture): void {
  describe(`ChatArchive contract: ${name}`, () => {
    const chat = () => fixture().database.chat;
    const seqsOf = (page: { items: { seq: number }[] }) => page.items.map((r) => r.seq);

    it('stores a batch and reads every field back', async () => {
      expect(await chat().appendBatch(seqs(1, 3))).toBe(3);
      const page = await chat().page('final');
      expect(page.items).toEqual(
        seqs(1, 3).map((row) => ({ ...row, deletedAt: null, deletedBy: null })),
      );
      expect(page.next).toBeUndefined();
    });

    it('skips rows already stored, so replaying a batch writes nothing twice', async () => {
      expect(await chat().appendBatch(seqs(1, 5))).toBe(5);
      expect(await chat().appendBatch(seqs(1, 5))).toBe(0);
      // A replay overlapping new rows stores only the new ones and keeps the first copy.
      const replay = [msg(4, { text: 'changed on replay' }), ...seqs(6, 7)];
      expect(await chat().appendBatch(replay)).toBe(2);
      // Duplicates inside one batch are skipped too.
      expect(await chat().appendBatch([msg(8), msg(8)])).toBe(1);
      const page = await chat().page('final');
      expect(seqsOf(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(page.items[3]?.text).toBe('message 4');
    });

    it('writes a batch atomically: one bad row stores none of it', async () => {
      const bad = msg(3, { authorName: null as unknown as string });
      await expect(chat().appendBatch([msg(1), msg(2), bad])).rejects.toThrow();
      expect((await chat().page('final')).items).toEqual([]);
    });

    it('refuses a batch holding text the database cannot store as unstorable_value', async () => {
      // Postgres (and PGlite) refuse U+0000 in text: the whole batch is refused, typed, and its
      // message carries no row's content (it ends up in logs).
      const bad = msg(2, { text: 'before\u0000after' });
      const refused = chat().appendBatch([msg(1), bad]);
      await expectDbError(refused, 'unstorable_value');
      await refused.catch((err: Error) => expect(err.message).not.toContain('before'));
      expect((await chat().page('final')).items).toEqual([]);
    });

    it('takes an empty batch as a no-op and refuses one over MAX_CHAT_BATCH', async () => {
      expect(await chat().appendBatch([])).toBe(0);
      await expectDbError(chat().appendBatch(seqs(1, MAX_CHAT_BATCH + 1)), 'invalid_argument', {
        details: { rows: MAX_CHAT_BATCH + 1 },
      });
      expect(await chat().appendBatch(seqs(1, MAX_CHAT_BATCH))).toBe(MAX_CHAT_BATCH);
    });

    it('pages forward with the returned cursor until the end', async () => {
      await chat().appendBatch(seqs(1, 7));
      const first = await chat().page('final', { limit: 3 });
      expect(seqsOf(first)).toEqual([1, 2, 3]);
      expect(first.next).toEqual({ afterSeq: 3 });
      const second = await chat().page('final', { ...first.next, limit: 3 });
      expect(seqsOf(second)).toEqual([4, 5, 6]);
      const third = await chat().page('final', { ...second.next, limit: 3 });
      expect(seqsOf(third)).toEqual([7]);
      expect(third.next).toBeUndefined();
    });

    it('pages backward from beforeSeq, each page still oldest first', async () => {
      await chat().appendBatch(seqs(1, 7));
      const newest = await chat().page('final', { beforeSeq: 8, limit: 3 });
      expect(seqsOf(newest)).toEqual([5, 6, 7]);
      expect(newest.next).toEqual({ beforeSeq: 5 });
      const older = await chat().page('final', { ...newest.next, limit: 3 });
      expect(seqsOf(older)).toEqual([2, 3, 4]);
      const oldest = await chat().page('final', { ...older.next, limit: 3 });
      expect(seqsOf(oldest)).toEqual([1]);
      expect(oldest.next).toBeUndefined();
    });

    it('pages forward within a range when given both bounds', async () => {
      await chat().appendBatch(seqs(1, 10));
      const first = await chat().page('final', { afterSeq: 2, beforeSeq: 8, limit: 3 });
      expect(seqsOf(first)).toEqual([3, 4, 5]);
      expect(first.next).toEqual({ afterSeq: 5, beforeSeq: 8 });
      const second = await chat().page('final', { ...first.next, limit: 3 });
      expect(seqsOf(second)).toEqual([6, 7]);
      expect(second.next).toBeUndefined();
    });

    it('leaves tombstoned messages out of pages, which still fill to the limit', async () => {
      await chat().appendBatch(seqs(1, 6));
      const at = new Date(T0 + 60_000);
      expect(await chat().markDeleted('final', 'm2', 'mod-1', at)).toBe(true);
      expect(await chat().markDeleted('final', 'm3', 'mod-1', at)).toBe(true);
      const first = await chat().page('final', { limit: 2 });
      expect(seqsOf(first)).toEqual([1, 4]);
      expect(seqsOf(await chat().page('final', { ...first.next, limit: 2 }))).toEqual([5, 6]);
      expect(seqsOf(await chat().page('final', { beforeSeq: 5, limit: 2 }))).toEqual([1, 4]);
    });

    it('keeps the first deletion and reports unknown messages as not deleted', async () => {
      await chat().appendBatch(seqs(1, 2));
      const first = new Date(T0 + 60_000);
      expect(await chat().markDeleted('final', 'm1', 'mod-1', first)).toBe(true);
      expect(await chat().markDeleted('final', 'm1', 'mod-2', new Date(T0 + 90_000))).toBe(false);
      expect(await chat().markDeleted('final', 'nope', 'mod-1', first)).toBe(false);
      expect(await chat().markDeleted('other', 'm2', 'mod-1', first)).toBe(false);
      expect(seqsOf(await chat().page('final'))).toEqual([2]);
      const [stored] = await fixture()
        .db.select()
        .from(chatArchive)
        .where(and(eq(chatArchive.eventId, 'final'), eq(chatArchive.msgId, 'm1')));
      expect(stored).toMatchObject({ deletedBy: 'mod-1', deletedAt: first, text: 'message 1' });
      // The tombstone is stored, not the row removed: replaying the message does not revive it.
      expect(await chat().appendBatch([msg(1)])).toBe(0);
      expect(seqsOf(await chat().page('final'))).toEqual([2]);
    });

    it('keeps events apart', async () => {
      await chat().appendBatch([msg(1), msg(1, { eventId: 'other', text: 'elsewhere' })]);
      expect((await chat().page('other')).items.map((r) => r.text)).toEqual(['elsewhere']);
      expect((await chat().page('final')).items.map((r) => r.text)).toEqual(['message 1']);
    });

    it('reports the highest stored seq per event, tombstones included, 0 when none', async () => {
      expect(await chat().highWater('final')).toBe(0);
      await chat().appendBatch([...seqs(1, 4), msg(9, { eventId: 'other' })]);
      await chat().markDeleted('final', 'm4', 'mod-1', new Date(T0 + 60_000));
      expect(await chat().highWater('final')).toBe(4);
      expect(await chat().highWater('other')).toBe(9);
      expect(await chat().highWater('ghost')).toBe(0);
    });

    it('finds one message by id within its event, tombstoned or not', async () => {
      await chat().appendBatch([...seqs(1, 3), msg(1, { eventId: 'other', text: 'elsewhere' })]);
      const at = new Date(T0 + 60_000);
      await chat().markDeleted('final', 'm2', 'mod-1', at);
      expect(await chat().find('final', 'm1')).toEqual({
        ...msg(1),
        deletedAt: null,
        deletedBy: null,
      });
      expect(await chat().find('final', 'm2')).toMatchObject({ seq: 2, deletedBy: 'mod-1' });
      expect((await chat().find('other', 'm1'))?.text).toBe('elsewhere');
      expect(await chat().find('final', 'nope')).toBeUndefined();
      expect(await chat().find('other', 'm2')).toBeUndefined();
    });
  });
}
