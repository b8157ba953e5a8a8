// The outside contract, end to end in one process: join over HTTP, connect with the token,
// chat and react between two fans, and bad input answered while the others keep chatting.

import { connectFan, expectRefused, type FanClient } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fanfare/gateway';
import { startEngine, type Engine } from '../src/index.js';

describe('embedded engine', () => {
  let engine: Engine;
  const fans: FanClient[] = [];
  beforeAll(async () => {
    engine = await startEngine(
      { API_PORT: '0', GATEWAY_PORT: '0', PGLITE_DATA_DIR: 'memory', EMBEDDED_MEDIA: 'off' },
      { apiLogger: silentLogger, gatewayLogger: silentLogger },
    );
  });
  afterAll(async () => {
    for (const fan of fans) fan.socket.terminate();
    await engine.close();
  });

  async function join(name: string, protocols?: string[]): Promise<FanClient> {
    const res = await fetch(`${engine.apiUrl}/v1/events/demo/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; gatewayUrl: string };
    expect(body.gatewayUrl).toBe(engine.gatewayUrl);
    const fan = await connectFan(
      `${body.gatewayUrl}?token=${body.token}`,
      protocols ? { protocols } : {},
    );
    fans.push(fan);
    return fan;
  }

  it('answers /healthz on the API', async () => {
    expect((await fetch(`${engine.apiUrl}/healthz`)).status).toBe(200);
  });

  it('lets two joined fans chat and react', async () => {
    const ann = await join('Ann', []); // a plain client offering no subprotocol
    const bob = await join('Bob');
    expect((await ann.next('welcome')).user.name).toBe('Ann');
    await bob.next('welcome');
    ann.send({ type: 'chat.send', text: 'hello Bob' });
    const chat = await bob.next('chat');
    expect(chat.messages[0]).toMatchObject({
      text: 'hello Bob',
      author: { name: 'Ann', role: 'fan' },
    });
    bob.send({ type: 'react', emoji: '🔥' });
    bob.send({ type: 'react', emoji: '🔥', count: 2 });
    expect(await ann.next('reactions', (r) => (r.counts['🔥'] ?? 0) >= 3)).toMatchObject({
      counts: { '🔥': 3 },
    });
    expect((await ann.next('presence')).viewers).toBe(2);
  });

  it('answers an invalid frame with an error code while the others keep chatting', async () => {
    const carol = await join('Carol');
    const dave = await join('Dave');
    await Promise.all([carol.next('welcome'), dave.next('welcome')]);
    carol.sendRaw('not json');
    expect(await carol.next('error')).toMatchObject({ type: 'error', code: 'invalid_json' });
    dave.send({ type: 'chat.send', text: 'still chatting' });
    expect(
      (await carol.next('chat', (c) => c.messages.some((m) => m.text === 'still chatting'))).type,
    ).toBe('chat');
  });

  it('refuses a gateway connection without a valid token', async () => {
    const r = await expectRefused(`${engine.gatewayUrl}?token=forged.token.here`);
    expect([r.status, r.reason]).toEqual([401, 'token_invalid']);
  });

  it('issues a producer token the JWKS verifies', async () => {
    const jwks = (await (await fetch(`${engine.apiUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const header = JSON.parse(
      Buffer.from(engine.producerToken.split('.')[0]!, 'base64url').toString(),
    ) as { kid: string };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
  });
});
