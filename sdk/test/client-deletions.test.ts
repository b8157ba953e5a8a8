// Deletions on the wire: tombstones share the chat's seq sequence, so the client's gap check runs
// over messages and tombstones together, and deleted messages leave what the app shows.

import { describe, expect, it } from 'vitest';
import type { FanfareClient } from '../src/index.js';
import { chatMessage, open, setup, tombstone, welcome } from './fake-server.js';
import { collect } from './wait-for.js';

/** What a chat view shows: message ids in arrival order, minus deleted ones. */
function shownIds(client: FanfareClient): () => string[] {
  const shown = new Map<string, true>();
  client.on('chat', (m) => shown.set(m.id, true));
  client.on('deleted', (t) => shown.delete(t.id));
  return () => [...shown.keys()];
}

describe('FanfareClient deletions', () => {
  it('sees no gap in a frame that mixes messages and deletions', async () => {
    const { server, client, seqs } = setup();
    const deleted = collect(client, 'deleted');
    const reconnecting = collect(client, 'reconnecting');
    const socket = await open(server, client, { chat: [1, 2, 3].map((n) => chatMessage(n)) });
    socket.deliver({
      type: 'chat',
      messages: [chatMessage(4), chatMessage(6)],
      deleted: [tombstone(5, 2)],
    });
    socket.deliver({ type: 'chat', messages: [], deleted: [tombstone(7, 4)] });
    socket.deliver({ type: 'chat', messages: [chatMessage(8)] });
    expect(seqs()).toEqual([1, 2, 3, 4, 6, 8]);
    expect(deleted).toEqual([tombstone(5, 2), tombstone(7, 4)]);
    expect(reconnecting).toEqual([]);
    expect(client.state).toBe('open');
    expect(client.lastSeq).toBe(8);
  });

  it('applies a frame’s messages before its deletions, so a message and its deletion cancel', async () => {
    const { server, client } = setup();
    const shown = shownIds(client);
    const order: string[] = [];
    client.on('chat', (m) => order.push(`chat ${m.id}`));
    client.on('deleted', (t) => order.push(`deleted ${t.id}`));
    const socket = await open(server, client, { chat: [chatMessage(1)] });
    socket.deliver({
      type: 'chat',
      messages: [chatMessage(2), chatMessage(4)],
      deleted: [tombstone(3, 2)],
    });
    expect(order).toEqual(['chat m1', 'chat m2', 'chat m4', 'deleted m2']);
    expect(shown()).toEqual(['m1', 'm4']);
  });

  it('resumes with since when a deletion is missing, then removes what the snapshot deleted', async () => {
    const { server, clock, client, seqs } = setup();
    const shown = shownIds(client);
    const reconnecting = collect(client, 'reconnecting');
    const first = await open(server, client, { chat: [1, 2, 3].map((n) => chatMessage(n)) });
    first.deliver({ type: 'chat', messages: [], deleted: [tombstone(5, 1)] }); // 4 is missing
    expect(reconnecting[0]?.reason).toContain('expected seq 4, got 5');
    expect(client.state).toBe('waiting');
    expect(shown()).toEqual(['m1', 'm2', 'm3']); // nothing past the gap was applied

    clock.advance(reconnecting[0]!.delayMs);
    const second = await server.next();
    expect(second.url.searchParams.get('since')).toBe('3');
    second.deliver(
      welcome({
        continuity: 'resumed',
        chat: [chatMessage(6)], // message 4 was deleted at 7: left out of the snapshot
        deleted: [tombstone(5, 1), tombstone(7, 4)],
        lastSeq: 7,
      }),
    );
    expect(seqs()).toEqual([1, 2, 3, 6]);
    expect(shown()).toEqual(['m2', 'm3', 'm6']);
    expect(client.lastSeq).toBe(7);
    second.deliver({ type: 'chat', messages: [chatMessage(8)] });
    expect(client.state).toBe('open');
  });

  it('reconnects when a message skips over a seq the frame left out', async () => {
    const { server, client } = setup();
    const reconnecting = collect(client, 'reconnecting');
    const socket = await open(server, client, { chat: [chatMessage(1)] });
    socket.deliver({ type: 'chat', messages: [chatMessage(3)] }); // 2 was a lost deletion
    expect(reconnecting[0]?.reason).toContain('expected seq 2, got 3');
  });

  it('does not repeat deletions a lagging shard resends in its snapshot', async () => {
    const { server, clock, client } = setup();
    const deleted = collect(client, 'deleted');
    const first = await open(server, client, { chat: [chatMessage(1), chatMessage(2)] });
    first.deliver({ type: 'chat', messages: [], deleted: [tombstone(3, 1)] });
    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    expect(second.url.searchParams.get('since')).toBe('3');
    second.deliver(
      welcome({
        continuity: 'resumed',
        chat: [],
        deleted: [tombstone(3, 1), tombstone(4, 2)],
        lastSeq: 4,
      }),
    );
    expect(deleted).toEqual([tombstone(3, 1), tombstone(4, 2)]);
    expect(client.lastSeq).toBe(4);
  });
});
