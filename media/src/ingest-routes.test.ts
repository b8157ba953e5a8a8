import { describe, expect, it } from 'vitest';
import { IngestRoutes, hashStreamKey } from './ingest-routes.js';
import { PublisherSlot } from './publisher-slot.js';

const route = (eventId: string) => ({
  eventId,
  rtmpUpstreamPort: 1,
  srtUpstreamPort: 2,
  slot: new PublisherSlot(),
});

describe('ingest routes', () => {
  it('leads each key to its own event, and an unknown key nowhere', () => {
    const routes = new IngestRoutes();
    routes.set(hashStreamKey('sk-a'), route('a'));
    routes.set(hashStreamKey('sk-b'), route('b'));
    expect(routes.find('sk-a')?.eventId).toBe('a');
    expect(routes.find('sk-b')?.eventId).toBe('b');
    expect(routes.find('sk-c')).toBeUndefined();
    expect(routes.keySha256('a')).toEqual(hashStreamKey('sk-a'));
  });

  it("replaces an event's route on a new key, and forgets it at the event's end", () => {
    const routes = new IngestRoutes();
    const a = route('a');
    routes.set(hashStreamKey('sk-old'), a);
    routes.set(hashStreamKey('sk-new'), a);
    expect(routes.find('sk-old')).toBeUndefined();
    expect(routes.find('sk-new')).toBe(a);
    routes.remove('a');
    expect(routes.find('sk-new')).toBeUndefined();
    expect(routes.route('a')).toBeUndefined();
  });

  it("refuses one key for two events and a hash that is not SHA-256's length", () => {
    const routes = new IngestRoutes();
    routes.set(hashStreamKey('sk-same'), route('a'));
    expect(() => routes.set(hashStreamKey('sk-same'), route('b'))).toThrow(/cannot also/);
    expect(routes.find('sk-same')?.eventId).toBe('a');
    expect(() => routes.set(Buffer.alloc(16), route('c'))).toThrow(RangeError);
  });
});
