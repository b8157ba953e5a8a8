import { describe, expect, it } from 'vitest';
import { sequenceBatch } from '../src/index.js';
import { chatMessage, tombstone } from './fake-server.js';

const seqsOf = (entries: { seq: number }[]) => entries.map((e) => e.seq);

describe('sequenceBatch', () => {
  it('accepts messages and deletions whose seqs together continue without a gap', () => {
    const batch = sequenceBatch(
      3,
      [chatMessage(4), chatMessage(6)],
      [tombstone(5, 2), tombstone(7, 4)],
    );
    expect(seqsOf(batch.messages)).toEqual([4, 6]);
    expect(seqsOf(batch.deleted)).toEqual([5, 7]);
    expect(batch.lastSeq).toBe(7);
    expect(batch.gap).toBeUndefined();
  });

  it('finds a gap that only the union of both lists shows', () => {
    const batch = sequenceBatch(3, [chatMessage(4), chatMessage(5)], [tombstone(7, 1)]);
    expect(batch.gap).toEqual({ expected: 6, got: 7 });
    expect(seqsOf(batch.messages)).toEqual([4, 5]);
    expect(batch.deleted).toEqual([]);
    expect(batch.lastSeq).toBe(5);
  });

  it('finds a gap where a deletion is missing between messages', () => {
    const batch = sequenceBatch(3, [chatMessage(5)]);
    expect(batch.gap).toEqual({ expected: 4, got: 5 });
    expect(batch.messages).toEqual([]);
    expect(batch.lastSeq).toBe(3);
  });

  it('skips seqs already delivered, in either list', () => {
    const batch = sequenceBatch(
      5,
      [chatMessage(4), chatMessage(6)],
      [tombstone(5, 1), tombstone(7, 6)],
    );
    expect(seqsOf(batch.messages)).toEqual([6]);
    expect(seqsOf(batch.deleted)).toEqual([7]);
    expect(batch.gap).toBeUndefined();
  });

  it('continues over a batch of deletions alone, and stays put on an empty one', () => {
    expect(sequenceBatch(3, [], [tombstone(4, 1)]).lastSeq).toBe(4);
    expect(sequenceBatch(3, [])).toEqual({ messages: [], deleted: [], lastSeq: 3 });
  });
});
