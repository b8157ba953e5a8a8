// Spoiler-free chat over a stand-in client (the SDK's events, nothing else): with a player
// attached, messages show when its picture reaches their `ts`, in seq order and once; a tombstone
// removes a held message so it never shows; a lost continuity forgets what is held; detaching the
// player or the live toggle shows everything held at once; without a player all shows live.

import type { FanfareClient, FanfareClientEvents } from '@fanfare/sdk';
import type { ChatMessage } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { ChatStore } from './client-stores.js';
import { SpoilerFree } from './spoiler-free.js';

type Handler = (payload: never) => void;

function standInClient() {
  const handlers = new Map<string, Handler[]>();
  const client = {
    user: { id: 'me', name: 'Me', role: 'fan' },
    serverTime: { synced: false },
    serverNow: () => Date.now(),
    on(type: string, handler: Handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler]);
      return () => undefined;
    },
  };
  const emit = <K extends keyof FanfareClientEvents>(type: K, payload: FanfareClientEvents[K]) => {
    for (const handler of handlers.get(type) ?? [])
      (handler as (p: typeof payload) => void)(payload);
  };
  return { client: client as unknown as FanfareClient, emit };
}

const message = (seq: number, ts: number): ChatMessage => ({
  id: `m${seq}`,
  seq,
  ts,
  author: { id: 'u', name: 'U', role: 'fan' },
  text: `message ${seq}`,
});

function setup() {
  const { client, emit } = standInClient();
  const spoilerFree = new SpoilerFree(client);
  const store = new ChatStore(client, spoilerFree);
  const player = { at: 1000 };
  const shown = () => store.messages.map((m) => m.id);
  // Moves the picture to `at` (follow() rechecks the gates, as a timer would).
  const playTo = (at: number) => {
    player.at = at;
    spoilerFree.follow(() => player.at);
  };
  return { emit, spoilerFree, store, player, shown, playTo };
}

describe('spoiler-free chat', () => {
  it('shows everything live while no player is attached', () => {
    const { emit, shown } = setup();
    emit('chat', message(1, 5000));
    expect(shown()).toEqual(['m1']);
  });

  it('shows each message when the picture reaches its ts, in order and once', () => {
    const { emit, shown, playTo } = setup();
    playTo(1000);
    emit('chat', message(1, 1000));
    emit('chat', message(2, 1500));
    emit('chat', message(3, 2000));
    expect(shown()).toEqual(['m1']);
    playTo(1999);
    expect(shown()).toEqual(['m1', 'm2']);
    playTo(2000);
    playTo(2500);
    expect(shown()).toEqual(['m1', 'm2', 'm3']);
  });

  it("shows the fan's own message at once, and others' earlier ones above it later", () => {
    const { emit, shown, playTo } = setup();
    playTo(1000);
    emit('chat', message(1, 1500));
    emit('chat', { ...message(2, 1600), author: { id: 'me', name: 'Me', role: 'fan' } });
    expect(shown()).toEqual(['m2']);
    playTo(1500);
    expect(shown()).toEqual(['m1', 'm2']);
  });

  it('a tombstone removes a held message for good, and a shown one from the list', () => {
    const { emit, shown, playTo } = setup();
    playTo(1000);
    emit('chat', message(1, 900));
    emit('chat', message(2, 1500));
    emit('chat', message(3, 1600));
    emit('deleted', { seq: 4, id: 'm2' });
    emit('deleted', { seq: 5, id: 'm1' });
    expect(shown()).toEqual([]);
    playTo(2000);
    expect(shown()).toEqual(['m3']);
  });

  it('a lost continuity forgets what is held', () => {
    const { emit, shown, playTo } = setup();
    playTo(1000);
    emit('chat', message(1, 1500));
    emit('continuity', 'lost');
    emit('chat', message(7, 1600));
    playTo(2000);
    expect(shown()).toEqual(['m7']);
  });

  it('the live toggle and a detached player show what is held at once', () => {
    const { emit, spoilerFree, shown, playTo } = setup();
    playTo(1000);
    emit('chat', message(1, 3000));
    spoilerFree.setLive(true);
    expect(shown()).toEqual(['m1']);
    expect(spoilerFree.snapshot()).toEqual({ live: true, following: true });
    spoilerFree.setLive(false);
    emit('chat', message(2, 3000));
    expect(shown()).toEqual(['m1']);
    spoilerFree.follow(undefined);
    expect(shown()).toEqual(['m1', 'm2']);
    expect(spoilerFree.snapshot()).toEqual({ live: false, following: false });
  });
});
