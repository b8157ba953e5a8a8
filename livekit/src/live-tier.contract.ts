// The behaviour every LiveTier must show, run through the real livekit-server-sdk against the
// contract server here and against a real LiveKit when LIVEKIT_URL and its key are set. What
// needs a connected client (a viewer in the room) runs only where the fixture can simulate one.

import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveTier } from './live-tier.js';

export interface LiveTierFixture {
  tier: LiveTier;
  /** Reads a room as the server holds it (metadata), or undefined when there is none. */
  room(name: string): Promise<{ metadata: string } | undefined>;
  /**
   * Connects a client with an access token as the SFU would admit it. Absent against a real
   * server (no client runs here): the tests that need one are skipped there, saying so.
   */
  connect?: (token: string) => Promise<void>;
  /** Whether the server runs LiveKit's Ingress and Egress services. */
  hasIngressAndEgress: boolean;
  cleanup(): Promise<void>;
}

let counter = 0;
const freshEvent = () => `ct-${Date.now().toString(36)}-${counter++}`;

export function liveTierContract(name: string, create: () => Promise<LiveTierFixture>): void {
  describe(`LiveTier contract: ${name}`, () => {
    let f: LiveTierFixture;
    let eventId: string;
    beforeEach(async () => {
      f = await create();
      eventId = freshEvent();
    });
    afterEach(async () => {
      await f.tier.closeRoom(eventId);
      await f.cleanup();
    });

    it('opens a room per event carrying the event state, and updates it when reopened', async () => {
      const room = f.tier.roomOf(eventId);
      await f.tier.openRoom({ eventId, state: 'scheduled', title: 'Final' });
      expect(JSON.parse((await f.room(room))!.metadata)).toEqual({
        eventId,
        state: 'scheduled',
        title: 'Final',
      });
      await f.tier.openRoom({ eventId, state: 'live', title: 'Final' });
      expect(JSON.parse((await f.room(room))!.metadata)).toMatchObject({ state: 'live' });
    });

    it('closes the room once; closing again answers false', async () => {
      await f.tier.openRoom({ eventId, state: 'live', title: 'x' });
      expect(await f.tier.closeRoom(eventId)).toBe(true);
      expect(await f.room(f.tier.roomOf(eventId))).toBeUndefined();
      expect(await f.tier.closeRoom(eventId)).toBe(false);
    });

    it('mints subscribe-only viewer tokens for the event room with a short lifetime', async () => {
      const grant = await f.tier.viewerToken(eventId, { identity: 'u1', name: 'Ann' });
      const claims = decodeJwt(grant.token) as Record<string, unknown> & {
        video: Record<string, unknown>;
      };
      expect(grant.room).toBe(f.tier.roomOf(eventId));
      expect(grant.url).toMatch(/^wss?:\/\//);
      expect(claims.sub).toBe('u1');
      expect(claims.video).toMatchObject({
        room: grant.room,
        roomJoin: true,
        canSubscribe: true,
        canPublish: false,
        canPublishData: false,
      });
      expect((claims.exp as number) - (claims.nbf as number)).toBeLessThanOrEqual(300);
    });

    it('removes a viewer from the room; removing someone absent answers false', async (ctx) => {
      if (!f.connect) return ctx.skip('needs a connected client: a real SFU and livekit-client');
      await f.tier.openRoom({ eventId, state: 'live', title: 'x' });
      const { token } = await f.tier.viewerToken(eventId, { identity: 'u2', name: 'Bo' });
      await f.connect(token);
      expect(await f.tier.removeViewer(eventId, 'u2')).toBe(true);
      expect(await f.tier.removeViewer(eventId, 'u2')).toBe(false);
    });

    it('refuses a viewer token a connection when its room was never opened', async (ctx) => {
      if (!f.connect) return ctx.skip('needs a connected client: a real SFU and livekit-client');
      const { token } = await f.tier.viewerToken(eventId, { identity: 'u3', name: 'Cy' });
      await expect(f.connect(token)).rejects.toThrow();
    });

    it('opens one WHIP ingest per event and hands the same one out again', async (ctx) => {
      if (!f.hasIngressAndEgress) return ctx.skip('the server runs no Ingress service');
      await f.tier.openRoom({ eventId, state: 'scheduled', title: 'x' });
      const before = await f.tier.findIngest(eventId);
      const first = await f.tier.openIngest(eventId);
      expect(first.url).toMatch(/^https?:\/\//);
      expect(first.streamKey.length).toBeGreaterThan(8);
      expect(await f.tier.openIngest(eventId)).toEqual(first);
      // Looking it up opens nothing and never carries the key.
      expect(before).toEqual({
        mode: first.mode,
        url: first.mode === 'ingress' ? null : first.url,
      });
      expect(await f.tier.findIngest(eventId)).toEqual({ mode: first.mode, url: first.url });
    });

    it('starts an RTMP egress of the room and stops it once', async (ctx) => {
      if (!f.hasIngressAndEgress) return ctx.skip('the server runs no Egress service');
      await f.tier.openRoom({ eventId, state: 'live', title: 'x' });
      const { egressId } = await f.tier.startEgress(eventId, 'rtmp://127.0.0.1:1935/live/key');
      expect(egressId).toMatch(/^EG_/);
      expect(await f.tier.stopEgress(egressId)).toBe(true);
      expect(await f.tier.stopEgress(egressId)).toBe(false);
    });

    it('refuses an egress of a room that does not exist', async (ctx) => {
      if (!f.hasIngressAndEgress) return ctx.skip('the server runs no Egress service');
      await expect(
        f.tier.startEgress(eventId, 'rtmp://127.0.0.1:1935/live/key'),
      ).rejects.toMatchObject({ name: 'LiveTierError', code: 'not_found' });
    });
  });
}
