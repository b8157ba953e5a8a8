// The WebRTC tier end to end in the API, against the LiveKit contract server through the real
// livekit-server-sdk: the join's tier choice and seats, LiveKit's webhooks (verified, idempotent,
// refused when forged), the room following the event's lifecycle, a banned viewer removed and
// refused, and the producer's WHIP ingest.

import { MemorySeatStore } from '@fanfare/fanout';
import { LiveKitContractServer, type SignedWebhook } from '@fanfare/livekit/testing';
import type { LlHlsPlayback, WebRtcPlayback } from '@fanfare/protocol';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlHlsPlaybackIssuer, createApp, openWebrtcTier, type JoinResponse } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const KEY = 'APIfanfare';
const SECRET = 'livekit-secret-livekit-secret-livekit-secret';

let fx: Fixture;
let lk: LiveKitContractServer;
let seats: MemorySeatStore;
let app: ReturnType<typeof createApp>;
let producer: string;

beforeAll(async () => {
  fx = await createFixture();
  lk = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
  producer = await fx.staffToken('producer');
});
afterAll(async () => {
  await lk.close();
  await fx.close();
});
beforeEach(() => {
  seats = new MemorySeatStore();
  const webrtc = openWebrtcTier(
    { url: lk.url, apiKey: KEY, apiSecret: SECRET, ingest: 'ingress', roomPrefix: 'ff-' },
    { seats, clock: fx.clock, logger: fx.deps.logger! },
  );
  const playback = new LlHlsPlaybackIssuer({
    secret: Buffer.from('m'.repeat(32)),
    publicUrl: 'https://media.test',
    targetLatencyMs: 2_000,
  });
  app = createApp({ ...fx.deps, playback, webrtc });
});

let events = 0;
async function liveEvent(webrtcSeats: number): Promise<string> {
  const id = `w${events++}`;
  await fx.seedEvent(id, 'live', { webrtcSeats });
  // The room as the scheduling would have opened it.
  lk.state.rooms.set(`ff-${id}`, {
    sid: 'RM_t',
    name: `ff-${id}`,
    metadata: '',
    emptyTimeout: 0,
    creationTime: 0,
    participants: new Map(),
  });
  return id;
}

async function join(
  eventId: string,
  body: unknown = { tiers: ['webrtc', 'll-hls'] },
  token?: string,
) {
  const res = await app.request(`/v1/events/${eventId}/join`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as JoinResponse };
}

function webhook(hook: SignedWebhook, authorization = hook.authorization) {
  return app.request('/v1/livekit/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', authorization },
    body: hook.body,
  });
}

/** Delivers every webhook the contract server emitted since the last call. */
async function deliver(): Promise<void> {
  await lk.delivered();
  for (const hook of lk.webhooks.splice(0)) expect((await webhook(hook)).status).toBe(200);
}

describe('the tier in the join reply', () => {
  it('gives a seat as a subscribe-only LiveKit token for the room, with the LL-HLS fallback', async () => {
    const id = await liveEvent(3);
    const { status, body } = await join(id);
    expect(status).toBe(200);
    const playback = body.playback as WebRtcPlayback;
    expect(playback).toMatchObject({
      tier: 'webrtc',
      url: lk.url.replace('http', 'ws'),
      room: `ff-${id}`,
      targetLatencyMs: 2_000, // the fallback's event-wide target
    });
    expect(playback.fallback).toMatch(/^https:\/\/media\.test\/live\//);
    const { payload } = await jwtVerify(playback.token, new TextEncoder().encode(SECRET), {
      issuer: KEY,
      algorithms: ['HS256'],
    });
    expect(payload.sub).toBe(body.user.id);
    expect(payload['video']).toMatchObject({
      room: `ff-${id}`,
      roomJoin: true,
      canSubscribe: true,
      canPublish: false,
      canPublishData: false,
    });
    // The SFU admits it, as a subscriber only.
    const participant = await lk.connect(playback.token);
    expect([participant.canPublish, participant.canSubscribe]).toEqual([false, true]);
  });

  it('answers LL-HLS (with its fallback) when not asked, when seats are off, and when none is free', async () => {
    const off = await liveEvent(0);
    const on = await liveEvent(1);
    const llHls = (r: { body: JoinResponse }) => r.body.playback as LlHlsPlayback;
    expect(llHls(await join(on, {}))).toMatchObject({ tier: 'll-hls' });
    expect(llHls(await join(off))).toMatchObject({ tier: 'll-hls' });
    expect((await join(on)).body.playback?.tier).toBe('webrtc');
    const full = llHls(await join(on));
    expect(full.tier).toBe('ll-hls');
    expect(full.fallback).toBe(full.url);
  });

  it('frees a seat when LiveKit says the viewer left, and not on a forged webhook', async () => {
    const id = await liveEvent(1);
    const first = (await join(id)).body.playback as WebRtcPlayback;
    await lk.connect(first.token);
    await deliver();
    expect((await join(id)).body.playback?.tier).toBe('ll-hls');
    lk.state.leave(
      first.room,
      (await jwtVerify(first.token, new TextEncoder().encode(SECRET))).payload.sub!,
    );
    await lk.delivered();
    const [left] = lk.webhooks.splice(0);
    // Unsigned, signed with another secret, Bearer-prefixed, or a changed body: 401, no change.
    const forged = await lk.sign(left!.body, 'another-secret-another-secret-another');
    for (const res of [
      await webhook(left!, ''),
      await webhook(left!, forged.authorization),
      await webhook(left!, `Bearer ${left!.authorization}`),
      await webhook({
        ...left!,
        body: left!.body.replace('participant_left', 'participant_joined'),
      }),
    ]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'webhook_unverified' });
    }
    expect(await seats.held(id, fx.clock.now())).toBe(1);
    expect(await (await webhook(left!)).json()).toEqual({ outcome: 'applied' });
    expect(await (await webhook(left!)).json()).toEqual({ outcome: 'duplicate' });
    expect(await seats.held(id, fx.clock.now())).toBe(0);
    expect((await join(id)).body.playback?.tier).toBe('webrtc');
  });

  it('lets an unconnected seat lapse after its lease', async () => {
    const id = await liveEvent(1);
    expect((await join(id)).body.playback?.tier).toBe('webrtc');
    expect((await join(id)).body.playback?.tier).toBe('ll-hls');
    fx.clock.advance(60_000);
    expect((await join(id)).body.playback?.tier).toBe('webrtc');
  });
});

describe('rooms, bans and ingest', () => {
  it('opens the room when the event is scheduled, with its state, and closes it when it ends', async () => {
    await fx.seedEvent('lifecycle', 'draft');
    const route = (path: string, init: RequestInit) =>
      app.request(path, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${producer}` },
      });
    expect(
      (await route('/v1/events/lifecycle/state', { method: 'POST', body: '{"state":"scheduled"}' }))
        .status,
    ).toBe(200);
    expect(JSON.parse(lk.state.rooms.get('ff-lifecycle')!.metadata)).toMatchObject({
      state: 'scheduled',
    });
    await route('/v1/events/lifecycle/state', { method: 'POST', body: '{"state":"live"}' });
    expect(JSON.parse(lk.state.rooms.get('ff-lifecycle')!.metadata)).toMatchObject({
      state: 'live',
    });
    await route('/v1/events/lifecycle/state', { method: 'POST', body: '{"state":"ended"}' });
    expect(lk.state.rooms.has('ff-lifecycle')).toBe(false);
  });

  it('opens the room at the pre-warm and reports it among the readiness items', async () => {
    await fx.seedEvent('warm', 'scheduled', { webrtcSeats: 4 });
    await fx.seedEvent('warm-draft', 'draft');
    expect(lk.state.rooms.has('ff-warm')).toBe(false);
    const post = async (id: string) => {
      const res = await app.request(`/v1/events/${id}/prewarm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${producer}` },
        body: JSON.stringify({ expectedPeakFans: 1000, expectedJoinsPerSec: 50 }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { readiness: { item: string; state: string }[] };
      return body.readiness.find((r) => r.item === 'webrtc_room');
    };
    expect(await post('warm')).toMatchObject({ state: 'ready' });
    expect(JSON.parse(lk.state.rooms.get('ff-warm')!.metadata)).toMatchObject({
      eventId: 'warm',
      state: 'scheduled',
    });
    expect(await post('warm-draft')).toMatchObject({ state: 'pending' });
    expect(lk.state.rooms.has('ff-warm-draft')).toBe(false);
  });

  it('removes a banned viewer from the room and refuses them a new token', async () => {
    const id = await liveEvent(5);
    const { body } = await join(id);
    await lk.connect((body.playback as WebRtcPlayback).token);
    const moderator = await fx.staffToken('moderator');
    const ban = await app.request(`/v1/events/${id}/sanctions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${moderator}` },
      body: JSON.stringify({ userId: body.user.id, kind: 'ban' }),
    });
    expect(ban.status).toBe(201);
    expect(lk.state.rooms.get(`ff-${id}`)!.participants.has(body.user.id)).toBe(false);
    const again = await join(id, { tiers: ['webrtc'] }, body.token);
    expect([again.status, (again.body as unknown as { code: string }).code]).toEqual([
      403,
      'banned',
    ]);
  });

  it("hands the producer a WHIP ingest and reports LiveKit's ingest status", async () => {
    const id = await liveEvent(2);
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${producer}` };
    const res = await app.request(`/v1/events/${id}/webrtc/ingest`, {
      method: 'POST',
      headers: auth,
    });
    const { ingest } = (await res.json()) as {
      ingest: { mode: string; url: string; streamKey: string };
    };
    expect(ingest).toMatchObject({ mode: 'ingress', url: `${lk.url}/w` });
    const [info] = lk.state.ingresses.values();
    expect(info!.streamKey).toBe(ingest.streamKey);
    lk.webhooks.splice(0);
    lk.state.setPublishing(info!.ingressId, true);
    await deliver();
    const status = await app.request(`/v1/events/${id}/webrtc`, { headers: auth });
    expect(await status.json()).toMatchObject({
      webrtc: { seats: 2, held: 0, room: `ff-${id}`, ingest: { live: true } },
    });
  });

  it('lets the producer set the seats through the event update route', async () => {
    const event = await fx.seedEvent('seats-edit', 'live');
    const res = await fx.call('PATCH', '/v1/events/seats-edit', producer, {
      version: event.version,
      webrtcSeats: 40,
    });
    expect(((await res.json()) as { event: { webrtcSeats: number } }).event.webrtcSeats).toBe(40);
    const bad = await fx.call('PATCH', '/v1/events/seats-edit', producer, {
      version: 2,
      webrtcSeats: -1,
    });
    expect(bad.status).toBe(400);
  });
});
