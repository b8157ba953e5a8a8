// The contract server is as strict as LiveKit: each admin RPC refuses a token without its grant
// (401 `unauthenticated`), a token signed with another secret or naming another key, a token
// without `exp`, a non-Bearer header; bad routes and bodies get Twirp's codes; replies use
// LiveKit's proto names. Driven by the real livekit-server-sdk clients and by raw HTTP.

import { SignJWT } from 'jose';
import {
  AccessToken,
  EgressClient,
  IngressClient,
  IngressInput,
  RoomServiceClient,
  StreamOutput,
  StreamProtocol,
  WebhookReceiver,
  type VideoGrant,
} from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitContractServer } from '../src/testing.js';

const KEY = 'APIstrict';
const SECRET = 'strict-secret-strict-secret-strict-secret';

let server: LiveKitContractServer;
beforeAll(async () => {
  server = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
});
afterAll(() => server.close());

async function token(grant: VideoGrant, secret = SECRET, key = KEY): Promise<string> {
  const at = new AccessToken(key, secret, { ttl: 60 });
  at.addGrant(grant);
  return at.toJwt();
}

async function twirp(
  method: string,
  body: unknown,
  authorization?: string,
  type = 'application/json',
) {
  const res = await fetch(`${server.url}/twirp/livekit.${method}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text };
}

describe('the contract server', () => {
  it('serves each RPC only to a token holding its grant', async () => {
    const cases: Array<[string, unknown, VideoGrant, VideoGrant]> = [
      [
        'RoomService/CreateRoom',
        { name: 'g1' },
        { roomCreate: true },
        { roomAdmin: true, room: 'g1' },
      ],
      ['RoomService/ListRooms', {}, { roomList: true }, { roomCreate: true }],
      [
        'RoomService/UpdateRoomMetadata',
        { room: 'g1', metadata: 'm' },
        { roomAdmin: true, room: 'g1' },
        { roomAdmin: true, room: 'other' },
      ],
      [
        'RoomService/ListParticipants',
        { room: 'g1' },
        { roomAdmin: true, room: 'g1' },
        { roomCreate: true },
      ],
      ['Ingress/ListIngress', {}, { ingressAdmin: true }, { roomRecord: true }],
      ['Egress/ListEgress', {}, { roomRecord: true }, { ingressAdmin: true }],
      [
        'RoomService/DeleteRoom',
        { room: 'g1' },
        { roomCreate: true },
        { roomAdmin: true, room: 'g1' },
      ],
    ];
    for (const [method, body, right, wrong] of cases) {
      const refused = await twirp(method, body, `Bearer ${await token(wrong)}`);
      expect([method, refused.status, JSON.parse(refused.text)]).toEqual([
        method,
        401,
        { code: 'unauthenticated', msg: 'permissions denied' },
      ]);
      const none = await twirp(method, body);
      expect([method, none.status]).toEqual([method, 401]);
      const served = await twirp(method, body, `Bearer ${await token(right)}`);
      expect([method, served.status]).toEqual([method, 200]);
    }
  });

  it('refuses tokens LiveKit would refuse, before any RPC runs', async () => {
    const create = { roomCreate: true };
    const otherSecret = await twirp(
      'RoomService/CreateRoom',
      { name: 'x' },
      `Bearer ${await token(create, 'another-secret-another-secret-another')}`,
    );
    expect(otherSecret.status).toBe(401);
    expect(otherSecret.text).toMatch(/^invalid authorization token/);
    const otherKey = await twirp(
      'RoomService/CreateRoom',
      { name: 'x' },
      `Bearer ${await token(create, SECRET, 'APIother')}`,
    );
    expect([otherKey.status, otherKey.text]).toEqual([401, 'invalid API key']);
    const noExp = await new SignJWT({ video: create })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(KEY)
      .sign(new TextEncoder().encode(SECRET));
    expect((await twirp('RoomService/CreateRoom', { name: 'x' }, `Bearer ${noExp}`)).status).toBe(
      401,
    );
    const expired = await new SignJWT({ video: create })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(KEY)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
      .sign(new TextEncoder().encode(SECRET));
    expect((await twirp('RoomService/CreateRoom', { name: 'x' }, `Bearer ${expired}`)).status).toBe(
      401,
    );
    const raw = await twirp('RoomService/CreateRoom', { name: 'x' }, await token(create));
    expect([raw.status, raw.type]).toEqual([401, 'text/plain']);
    expect(server.state.rooms.has('x')).toBe(false);
  });

  it("answers Twirp's codes for bad routes and bodies, and LiveKit's for bad fields", async () => {
    const auth = `Bearer ${await token({ roomCreate: true })}`;
    expect(JSON.parse((await twirp('RoomService/Nope', {}, auth)).text).code).toBe('bad_route');
    expect(
      (await twirp('RoomService/CreateRoom', { name: 'x' }, auth, 'application/protobuf')).status,
    ).toBe(404);
    const broken = await twirp('RoomService/CreateRoom', '{"name":', auth);
    expect([broken.status, JSON.parse(broken.text).code]).toEqual([400, 'malformed']);
    const long = await twirp('RoomService/CreateRoom', { name: 'r'.repeat(257) }, auth);
    expect([long.status, JSON.parse(long.text).code]).toEqual([400, 'invalid_argument']);
    const wrongType = await twirp('RoomService/CreateRoom', { name: 7 }, auth);
    expect(JSON.parse(wrongType.text).code).toBe('malformed');
    const missing = await twirp('RoomService/DeleteRoom', { room: 'never' }, auth);
    expect([missing.status, JSON.parse(missing.text)]).toEqual([
      404,
      { code: 'not_found', msg: 'requested room does not exist' },
    ]);
  });

  it('replies with proto field names, every field present, 64-bit integers as strings', async () => {
    const reply = await twirp(
      'RoomService/CreateRoom',
      { name: 'cased', emptyTimeout: 30 },
      `Bearer ${await token({ roomCreate: true })}`,
    );
    const room = JSON.parse(reply.text) as Record<string, unknown>;
    expect(room).toMatchObject({
      name: 'cased',
      empty_timeout: 30,
      num_participants: 0,
      metadata: '',
    });
    expect(typeof room['creation_time']).toBe('string');
    expect(room['sid']).toMatch(/^RM_/);
  });

  it('serves the real SDK clients: rooms, participants, ingress, egress', async () => {
    const rooms = new RoomServiceClient(server.url, KEY, SECRET);
    const ingress = new IngressClient(server.url, KEY, SECRET);
    const egress = new EgressClient(server.url, KEY, SECRET);
    const room = await rooms.createRoom({ name: 'sdk', metadata: '{"a":1}' });
    expect(room.metadata).toBe('{"a":1}');
    const viewer = new AccessToken(KEY, SECRET, { identity: 'v1', ttl: 60 });
    viewer.addGrant({ roomJoin: true, room: 'sdk', canSubscribe: true, canPublish: false });
    await server.connect(await viewer.toJwt());
    const [p] = await rooms.listParticipants('sdk');
    expect(p).toMatchObject({
      identity: 'v1',
      permission: { canPublish: false, canSubscribe: true },
    });
    const info = await ingress.createIngress(IngressInput.WHIP_INPUT, {
      roomName: 'sdk',
      participantIdentity: 'enc',
    });
    expect(info).toMatchObject({
      inputType: IngressInput.WHIP_INPUT,
      roomName: 'sdk',
      url: `${server.url}/w`,
    });
    const noRoom = await twirp(
      'Ingress/CreateIngress',
      { inputType: 'WHIP_INPUT', participantIdentity: 'enc' },
      `Bearer ${await token({ ingressAdmin: true })}`,
    );
    expect([noRoom.status, JSON.parse(noRoom.text).code]).toEqual([400, 'invalid_argument']);
    const started = await egress.startRoomCompositeEgress('sdk', {
      stream: new StreamOutput({ protocol: StreamProtocol.SRT, urls: ['srt://127.0.0.1:9000'] }),
    });
    expect(started.roomName).toBe('sdk');
    await expect(
      egress.startRoomCompositeEgress('sdk', {
        stream: new StreamOutput({ protocol: StreamProtocol.RTMP, urls: ['http://x'] }),
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await rooms.deleteRoom('sdk');
  });

  it('signs its webhooks as LiveKit does: the SDK receiver accepts them, in order', async () => {
    const rooms = new RoomServiceClient(server.url, KEY, SECRET);
    await rooms.createRoom({ name: 'hooks' });
    await rooms.deleteRoom('hooks');
    await server.delivered();
    const receiver = new WebhookReceiver(KEY, SECRET);
    const events = await Promise.all(
      server.webhooks.slice(-2).map((w) => receiver.receive(w.body, w.authorization)),
    );
    expect(events.map((e) => [e.event, e.room?.name])).toEqual([
      ['room_started', 'hooks'],
      ['room_finished', 'hooks'],
    ]);
    expect(events[0]!.id).not.toBe(events[1]!.id);
    // The body is protojson's JSON names (camelCase), not the proto names of Twirp replies.
    expect(server.webhooks.at(-1)!.body).toContain('"createdAt"');
  });
});
