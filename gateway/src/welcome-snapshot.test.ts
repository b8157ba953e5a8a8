import type { ChatMessage, PollTally, Snapshot, StageView } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { WelcomeSnapshots, type RoomSnapshotParts } from './welcome-snapshot.js';

const stage = (version: number): StageView => ({
  version,
  title: 'Final',
  state: 'live',
  pinned: null,
  slowModeS: null,
  entitledOnlyChat: false,
  polls: [],
});
const message = (seq: number): ChatMessage => ({
  id: `m${seq}`,
  seq,
  ts: seq,
  author: { id: 'u-1', name: 'Ann "A"', role: 'fan' },
  text: `hello ${seq}`,
});
const tally = (total: number): PollTally => ({
  pollId: 'p1',
  version: total,
  counts: [total],
  total,
});

/** A room whose state the test changes, and how often the encoder read its chat. */
function room() {
  let chat = [message(1), message(2)];
  let reads = 0;
  const parts: Omit<RoomSnapshotParts, 'chat'> = {
    continuity: 'fresh',
    epoch: 'ep-1',
    lastSeq: 2,
    stage: stage(1),
    tallies: [],
    viewers: 10,
    reactions: {},
  };
  return {
    parts,
    reads: () => reads,
    publish(seq: number) {
      chat = [...chat, message(seq)];
      parts.lastSeq = seq;
    },
    encode(snapshots: WelcomeSnapshots): Snapshot {
      const json = snapshots.encode({
        ...parts,
        chat: () => {
          reads++;
          return chat;
        },
      });
      // Same bytes as serialising the whole snapshot, key order included.
      const { continuity, epoch, lastSeq, stage: s, tallies, viewers, reactions } = parts;
      expect(json).toBe(
        JSON.stringify({ continuity, chat, epoch, lastSeq, stage: s, tallies, viewers, reactions }),
      );
      return JSON.parse(json) as Snapshot;
    },
  };
}

describe('WelcomeSnapshots', () => {
  it('serialises the room part once while only the viewer count changes', () => {
    const r = room();
    const snapshots = new WelcomeSnapshots();
    for (let viewers = 10; viewers < 15; viewers++) {
      r.parts.viewers = viewers;
      expect(r.encode(snapshots).viewers).toBe(viewers);
    }
    expect(r.reads()).toBe(1);
  });

  it('serialises again after a message is published, the stage, a tally or the continuity changes', () => {
    const r = room();
    const snapshots = new WelcomeSnapshots();
    r.encode(snapshots);
    r.publish(3);
    expect(r.encode(snapshots).chat.map((m) => m.seq)).toEqual([1, 2, 3]);
    r.parts.stage = stage(2);
    expect(r.encode(snapshots).stage.version).toBe(2);
    r.parts.tallies = [tally(1)];
    expect(r.encode(snapshots).tallies).toEqual([tally(1)]);
    r.parts.tallies = [tally(2)];
    expect(r.encode(snapshots).tallies).toEqual([tally(2)]);
    r.parts.continuity = 'lost';
    expect(r.encode(snapshots).continuity).toBe('lost');
    r.parts.epoch = 'ep-2';
    expect(r.encode(snapshots).epoch).toBe('ep-2');
    expect(r.reads()).toBe(7);
  });

  it('follows the latest reaction window without reading the chat again', () => {
    const r = room();
    const snapshots = new WelcomeSnapshots();
    r.encode(snapshots);
    r.parts.reactions = { '🔥': 4 };
    expect(r.encode(snapshots).reactions).toEqual({ '🔥': 4 });
    expect(r.reads()).toBe(1);
  });
});
