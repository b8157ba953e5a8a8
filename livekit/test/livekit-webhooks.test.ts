// LiveKitWebhooks accepts exactly what LiveKit signs (here: the contract server, which signs as
// livekit/protocol's notifier does) and turns it into Fanfare's notices; anything unsigned,
// signed with another secret, tampered with or expired is refused.

import { SignJWT } from 'jose';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitTier, LiveKitWebhooks, WebhookRejectedError } from '../src/index.js';
import { LiveKitContractServer } from '../src/testing.js';

const KEY = 'APIhooks';
const SECRET = 'hooks-secret-hooks-secret-hooks-secret';

let server: LiveKitContractServer;
let tier: LiveKitTier;
const hooks = new LiveKitWebhooks({ apiKey: KEY, apiSecret: SECRET, roomPrefix: 'ff-' });

beforeAll(async () => {
  server = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
  tier = new LiveKitTier({
    url: server.url,
    apiKey: KEY,
    apiSecret: SECRET,
    ingest: 'ingress',
    roomPrefix: 'ff-',
  });
});
afterAll(() => server.close());

async function notices() {
  await server.delivered();
  const out = [];
  for (const w of server.webhooks.splice(0))
    out.push((await hooks.verify(w.body, w.authorization)).notice);
  return out.filter((n) => n !== undefined);
}

describe('LiveKitWebhooks', () => {
  it('turns joins, leaves, ingest and the room finishing into notices for the event', async () => {
    await tier.openRoom({ eventId: 'e1', state: 'live', title: 't' });
    const ingest = await tier.openIngest('e1');
    server.state.setPublishing(ingest.ingressId!, true);
    await server.connect((await tier.viewerToken('e1', { identity: 'u1', name: 'Ann' })).token);
    await tier.removeViewer('e1', 'u1');
    server.state.setPublishing(ingest.ingressId!, false);
    await tier.closeRoom('e1');
    expect(await notices()).toEqual([
      { kind: 'ingest', eventId: 'e1', live: true },
      { kind: 'viewer-joined', eventId: 'e1', identity: 'u1' },
      { kind: 'viewer-left', eventId: 'e1', identity: 'u1' },
      { kind: 'ingest', eventId: 'e1', live: false },
      { kind: 'room-finished', eventId: 'e1' },
    ]);
  });

  it('ignores rooms of another deployment (another prefix)', async () => {
    const body = JSON.stringify({
      event: 'room_finished',
      room: { name: 'other-e1' },
      id: 'EV_x',
      createdAt: '1',
    });
    const signed = await server.sign(body);
    expect((await hooks.verify(signed.body, signed.authorization)).notice).toBeUndefined();
  });

  it('refuses unsigned, Bearer-prefixed, wrongly signed, tampered and expired webhooks', async () => {
    const body = JSON.stringify({
      event: 'room_finished',
      room: { name: 'ff-e2' },
      id: 'EV_y',
      createdAt: '1',
    });
    const good = await server.sign(body);
    expect((await hooks.verify(good.body, good.authorization)).id).toBe('EV_y');
    const expired = await new SignJWT({
      sha256: createHash('sha256').update(body).digest('base64'),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(KEY)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SECRET));
    const other = (await server.sign(body, 'another-secret-another-secret')).authorization;
    const refusals: Array<[string, string | undefined]> = [
      [body, undefined],
      [body, `Bearer ${good.authorization}`],
      [body, other],
      [body.replace('ff-e2', 'ff-e3'), good.authorization],
      [body, expired],
    ];
    for (const [text, auth] of refusals)
      await expect(hooks.verify(text, auth)).rejects.toBeInstanceOf(WebhookRejectedError);
  });
});
