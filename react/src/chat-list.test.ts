import type { ChatMessage } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { appendMessage, removeMessage } from './chat-list.js';

const msg = (seq: number): ChatMessage => ({
  id: `m${seq}`,
  seq,
  ts: seq,
  author: { id: 'u', name: 'Ann', role: 'fan' },
  text: `text ${seq}`,
});

describe('the chat list', () => {
  it('appends in seq order and keeps only the newest max', () => {
    let list: readonly ChatMessage[] = [];
    for (let seq = 1; seq <= 5; seq++) list = appendMessage(list, msg(seq), 3);
    expect(list.map((m) => m.seq)).toEqual([3, 4, 5]);
  });

  it('ignores a seq it already holds (returns the same list)', () => {
    const list = appendMessage(appendMessage([], msg(1)), msg(2));
    expect(appendMessage(list, msg(2))).toBe(list);
    expect(appendMessage(list, msg(1))).toBe(list);
  });

  it('puts a message released after a later one in its seq place, once', () => {
    let list: readonly ChatMessage[] = [msg(1), msg(4)];
    list = appendMessage(list, msg(3));
    list = appendMessage(list, msg(2));
    expect(list.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(appendMessage(list, msg(3))).toBe(list);
    expect(appendMessage(list, msg(0), 4).map((m) => m.seq)).toEqual([1, 2, 3, 4]); // trimmed
  });

  it('removes a deleted message, and leaves the list alone for an id it never held', () => {
    const list = [msg(1), msg(2), msg(3)];
    expect(removeMessage(list, 'm2').map((m) => m.seq)).toEqual([1, 3]);
    expect(removeMessage(list, 'm9')).toBe(list);
  });
});
