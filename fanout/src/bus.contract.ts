// The behaviour every Bus must show, run against MemoryBus here and against the NATS bus in
// its own package tests. Waits on deliveries, never on time.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus } from './bus.js';

export interface BusFixture {
  bus: Bus;
  /** A second Bus on the same transport (another shard), or the same bus for in-process ones. */
  peer: Bus;
  /** A subject prefix unique to this run. */
  prefix: string;
  cleanup(): Promise<void>;
}

const text = new TextEncoder();
const untext = new TextDecoder();
/** The time between two settle probes, ms (a round trip to a local server takes a few). */
const SETTLE_PROBE_MS = 10;

function collector() {
  const received: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    received,
    handler: (data: Uint8Array) => {
      received.push(untext.decode(data));
      for (const w of [...waiters]) if (received.length >= w.n) w.resolve();
    },
    /** Resolves once `n` messages have arrived in total. */
    until(n: number): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

export function busContract(name: string, create: () => Promise<BusFixture>): void {
  describe(`Bus contract: ${name}`, () => {
    let f: BusFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('delivers a published message to a subscriber of the subject, in order', async () => {
      const c = collector();
      f.bus.subscribe(`${f.prefix}.a`, c.handler);
      await settle(f);
      for (let i = 0; i < 100; i++) f.peer.publish(`${f.prefix}.a`, text.encode(`m${i}`));
      await c.until(100);
      expect(c.received).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    });

    it('does not deliver messages of other subjects', async () => {
      const a = collector();
      const b = collector();
      f.bus.subscribe(`${f.prefix}.a`, a.handler);
      f.bus.subscribe(`${f.prefix}.b`, b.handler);
      await settle(f);
      f.peer.publish(`${f.prefix}.a`, text.encode('for-a'));
      f.peer.publish(`${f.prefix}.b`, text.encode('for-b'));
      await Promise.all([a.until(1), b.until(1)]);
      expect(a.received).toEqual(['for-a']);
      expect(b.received).toEqual(['for-b']);
    });

    it('shares one transport subscription among handlers of a subject (ref-counted)', async () => {
      const first = collector();
      const second = collector();
      const s1 = f.bus.subscribe(`${f.prefix}.rc`, first.handler);
      const s2 = f.bus.subscribe(`${f.prefix}.rc`, second.handler);
      expect(f.bus.activeSubjects()).toBe(1);
      await settle(f);
      f.peer.publish(`${f.prefix}.rc`, text.encode('both'));
      await Promise.all([first.until(1), second.until(1)]);

      s1.unsubscribe();
      s1.unsubscribe(); // idempotent: must not drop the second handler's share
      expect(f.bus.activeSubjects()).toBe(1);
      f.peer.publish(`${f.prefix}.rc`, text.encode('second-only'));
      await second.until(2);
      // Same transport subscription, same order: had `first` still been attached it would
      // have received 'second-only' before `second` did.
      expect(first.received).toEqual(['both']);
      expect(second.received).toEqual(['both', 'second-only']);

      s2.unsubscribe();
      expect(f.bus.activeSubjects()).toBe(0);
    });

    it('keeps delivering to other handlers when one throws', async () => {
      const c = collector();
      f.bus.subscribe(`${f.prefix}.t`, () => {
        throw new Error('handler failure');
      });
      f.bus.subscribe(`${f.prefix}.t`, c.handler);
      await settle(f);
      f.peer.publish(`${f.prefix}.t`, text.encode('x'));
      f.peer.publish(`${f.prefix}.t`, text.encode('y'));
      await c.until(2);
      expect(c.received).toEqual(['x', 'y']);
    });

    it('accepts a publish with no subscribers', async () => {
      expect(() => f.peer.publish(`${f.prefix}.nobody`, text.encode('void'))).not.toThrow();
    });
  });
}

/** Lets a transport finish registering interest (a round trip on networked buses). */
async function settle(f: BusFixture): Promise<void> {
  const probe = `${f.prefix}.settle.${Math.random().toString(36).slice(2)}`;
  const c = collector();
  const sub = f.bus.subscribe(probe, c.handler);
  const arrived = c.until(1).then(() => true);
  // A probe on a fresh subject proves the server has seen our earlier subscriptions: servers
  // apply a client's protocol messages in order. One probe per SETTLE_PROBE_MS, not one per
  // turn of the event loop: a round trip to a server takes a few ms, and a loaded machine
  // would spend them publishing probes nobody reads yet.
  for (;;) {
    f.peer.publish(probe, text.encode('p'));
    const wait = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), SETTLE_PROBE_MS),
    );
    if (await Promise.race([arrived, wait])) break;
  }
  sub.unsubscribe();
}
