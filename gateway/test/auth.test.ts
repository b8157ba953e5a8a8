import { GATEWAY_AUDIENCE, TOKEN_ISSUER } from '@fanfare/protocol';
import { connectFan, expectRefused } from '@fanfare/testkit';
import { SignJWT, base64url } from 'jose';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

describe('gateway auth at upgrade', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startGateway({ allowedOrigins: ['https://fans.example'] });
  });
  afterAll(async () => {
    await g.close();
  });

  const refusedWith = async (token: string) => expectRefused(`${g.url}?token=${token}`);

  it('admits a valid token and names the user, event and role from it', async () => {
    const { welcome } = await g.join({ sub: 'alice', name: 'Alice', role: 'moderator' });
    expect(welcome.user).toEqual({ id: 'alice', name: 'Alice', role: 'moderator' });
    expect(welcome.eventId).toBe('demo');
    expect(welcome.version).toBe(1);
  });

  it('refuses a missing token with 401 token_missing', async () => {
    const r = await expectRefused(g.url);
    expect(r.status).toBe(401);
    expect(r.reason).toBe('token_missing');
    expect(JSON.parse(r.body)).toMatchObject({ error: 'token_missing' });
  });

  it('refuses an expired token with 401 token_expired', async () => {
    const r = await refusedWith(await g.sign({ expiresIn: -60 }));
    expect([r.status, r.reason]).toEqual([401, 'token_expired']);
  });

  it('refuses a token that is not yet valid with 401 token_expired', async () => {
    const r = await refusedWith(await g.sign({ notBefore: 600 }));
    expect([r.status, r.reason]).toEqual([401, 'token_expired']);
  });

  it('refuses alg:none', async () => {
    const payload = base64url.encode(
      JSON.stringify({
        sub: 'mallory',
        evt: 'demo',
        role: 'producer',
        name: 'M',
        iss: TOKEN_ISSUER,
        aud: GATEWAY_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    );
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const r = await refusedWith(`${header}.${payload}.`);
    expect([r.status, r.reason]).toEqual([401, 'token_invalid']);
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const secret = Buffer.from(JSON.stringify(g.jwk));
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'k1', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({
        sub: 'mallory',
        evt: 'demo',
        role: 'fan',
        name: 'M',
        iss: TOKEN_ISSUER,
        aud: GATEWAY_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    );
    const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    const r = await refusedWith(`${header}.${payload}.${mac}`);
    expect([r.status, r.reason]).toEqual([401, 'token_invalid']);
    // and jose itself would sign HS256 happily: the pin is what refuses it
    const hs = await new SignJWT({ evt: 'demo', role: 'fan', name: 'M' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('m')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(GATEWAY_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new Uint8Array(secret));
    expect((await refusedWith(hs)).reason).toBe('token_invalid');
  });

  it('refuses a wrong audience, a wrong issuer and an unknown kid', async () => {
    for (const token of [
      await g.sign({ aud: 'fanfare-api' }),
      await g.sign({ iss: 'someone-else' }),
      await g.sign({ kid: 'k2' }),
    ]) {
      const r = await refusedWith(token);
      expect([r.status, r.reason]).toEqual([401, 'token_invalid']);
    }
  });

  it('refuses a tampered token', async () => {
    const [h, p, s] = (await g.sign({ role: 'fan' })).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = base64url.encode(JSON.stringify({ ...claims, role: 'producer' }));
    const r = await refusedWith(`${h}.${forged}.${s}`);
    expect([r.status, r.reason]).toEqual([401, 'token_invalid']);
  });

  it('refuses a token with a bad event id or role claim', async () => {
    expect((await refusedWith(await g.sign({ evt: 'Not An Id!' }))).reason).toBe('token_invalid');
    const r = await refusedWith(await g.sign({ extra: { role: 'admin' } }));
    expect(r.reason).toBe('token_invalid');
  });

  it('refuses an origin that is not on the allow-list, admits a listed one', async () => {
    const token = await g.sign();
    const r = await expectRefused(`${g.url}?token=${token}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect([r.status, r.reason]).toEqual([403, 'origin_forbidden']);
    const { welcome } = await g.join({}, { headers: { origin: 'https://fans.example' } });
    expect(welcome.type).toBe('welcome');
  });

  it('negotiates the version: unknown versions get 426, no offer means v1', async () => {
    const token = await g.sign();
    const r = await expectRefused(`${g.url}?token=${token}`, { protocols: ['fanfare.v9'] });
    expect([r.status, r.reason]).toEqual([426, 'version_unsupported']);
    const bare = await connectFan(`${g.url}?token=${await g.sign()}`, { protocols: [] });
    expect((await bare.next('welcome')).version).toBe(1);
    expect(bare.socket.protocol).toBe('');
    bare.close();
  });

  it('accepts the token as a bearer subprotocol and echoes only the version', async () => {
    const token = await g.sign({ name: 'Sub' });
    const fan = await connectFan(g.url, { protocols: ['fanfare.v1', `fanfare.bearer.${token}`] });
    expect((await fan.next('welcome')).user.name).toBe('Sub');
    expect(fan.socket.protocol).toBe('fanfare.v1');
    fan.close();
  });
});
