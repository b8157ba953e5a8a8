// LiveKitTier through the real livekit-server-sdk: against the contract server always, and
// against a real LiveKit when LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET are set
// (skipped, saying so, when they are not).

import { RoomServiceClient } from 'livekit-server-sdk';
import { describe } from 'vitest';
import { LiveKitTier, type IngestMode } from '../src/index.js';
import { LiveKitContractServer, liveTierContract } from '../src/testing.js';

const KEY = 'APItest';
const SECRET = 'a-test-secret-of-at-least-32-characters!';

function roomReader(url: string, key: string, secret: string) {
  const rooms = new RoomServiceClient(url, key, secret);
  return async (name: string) => (await rooms.listRooms([name])).find((r) => r.name === name);
}

for (const ingest of ['ingress', 'whip'] as IngestMode[]) {
  liveTierContract(`LiveKitTier (${ingest}) on the contract server`, async () => {
    const server = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
    const tier = new LiveKitTier({
      url: server.url,
      apiKey: KEY,
      apiSecret: SECRET,
      ingest,
      roomPrefix: 'fanfare-',
    });
    return {
      tier,
      room: roomReader(server.url, KEY, SECRET),
      connect: async (token) => void (await server.connect(token)),
      hasIngressAndEgress: true,
      cleanup: () => server.close(),
    };
  });
}

const real = {
  url: process.env.LIVEKIT_URL,
  key: process.env.LIVEKIT_API_KEY,
  secret: process.env.LIVEKIT_API_SECRET,
};
if (real.url && real.key && real.secret) {
  const { url, key, secret } = real;
  liveTierContract(`LiveKitTier on the real LiveKit at ${url}`, async () => ({
    tier: new LiveKitTier({
      url,
      apiKey: key,
      apiSecret: secret,
      ingest: 'ingress',
      roomPrefix: 'fanfare-ct-',
    }),
    room: roomReader(url, key, secret),
    hasIngressAndEgress: process.env.LIVEKIT_HAS_INGRESS_EGRESS === '1',
    cleanup: async () => undefined,
  }));
} else {
  describe.skip('LiveTier contract on a real LiveKit (skipped: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET)', () =>
    undefined);
}
