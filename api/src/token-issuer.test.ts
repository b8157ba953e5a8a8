import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { API_AUDIENCE, GATEWAY_AUDIENCE, TOKEN_ISSUER } from '@fanfare/protocol';
import { SigningKeys } from './signing-keys.js';
import { FAN_TOKEN_TTL_S, REJOIN_GRACE_S, STAFF_TOKEN_TTL_S, TokenIssuer } from './token-issuer.js';

const NOW_MS = 1_750_000_000_123;
const NOW_S = Math.floor(NOW_MS / 1000);
const fan = { sub: 'anon-1', evt: 'demo', role: 'fan', name: 'Ada' } as const;

async function setup(options: { issuer?: string; fanTtlS?: number } = {}) {
  const keys = await SigningKeys.generate('k1');
  const issuer = new TokenIssuer({ keys, now: () => NOW_MS, ...options });
  // Verify at the pinned issue time, so the test does not depend on the wall clock.
  const verify = (token: string, audience: string) =>
    jwtVerify(token, createLocalJWKSet(keys.jwks()), {
      algorithms: ['ES256'],
      audience,
      issuer: options.issuer ?? TOKEN_ISSUER,
      currentDate: new Date(NOW_MS),
    });
  return { keys, issuer, verify };
}

describe('TokenIssuer', () => {
  it('signs fan tokens for the gateway with every claim the gateway reads', async () => {
    const { issuer, verify } = await setup();
    const { token, expiresAt } = await issuer.issueFanToken(fan);
    const { payload, protectedHeader } = await verify(token, GATEWAY_AUDIENCE);
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    expect(payload).toEqual({
      ...fan,
      iss: TOKEN_ISSUER,
      aud: GATEWAY_AUDIENCE,
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + FAN_TOKEN_TTL_S,
      auth_time: NOW_S,
      jti: expect.any(String),
    });
    expect(expiresAt).toBe((NOW_S + FAN_TOKEN_TTL_S) * 1000);
  });

  it('uses the configured issuer and fan lifetime', async () => {
    const { issuer, verify } = await setup({ issuer: 'fanfare-staging', fanTtlS: 120 });
    const { token } = await issuer.issueFanToken(fan);
    const { payload } = await verify(token, GATEWAY_AUDIENCE);
    expect(payload.iss).toBe('fanfare-staging');
    expect(payload.exp).toBe(NOW_S + 120);
  });

  it('gives every token its own jti', async () => {
    const { issuer } = await setup();
    const a = await issuer.issueFanToken(fan);
    const b = await issuer.issueFanToken(fan);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });

  it('signs staff tokens for the API audience, which the gateway audience refuses', async () => {
    const { issuer, verify } = await setup();
    const { token, expiresAt } = await issuer.issueStaffToken({
      sub: 'staff-7',
      role: 'producer',
      name: 'Grace',
    });
    const { payload } = await verify(token, API_AUDIENCE);
    expect(payload).toMatchObject({ sub: 'staff-7', role: 'producer', name: 'Grace' });
    expect(payload).not.toHaveProperty('evt');
    expect(expiresAt).toBe((NOW_S + STAFF_TOKEN_TTL_S) * 1000);
    await expect(verify(token, GATEWAY_AUDIENCE)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
  });

  it('signs with whichever key is current at the time', async () => {
    const { keys, issuer } = await setup();
    await keys.rotate({ kid: 'k2' });
    const { token } = await issuer.issueFanToken(fan);
    expect(decodeProtectedHeader(token).kid).toBe('k2');
  });
});

describe('TokenIssuer.verifyFanToken', () => {
  it('keeps auth_time along a renewal chain and calls the session expired past its maximum age', async () => {
    const keys = await SigningKeys.generate('k1');
    let now = Date.UTC(2026, 0, 1);
    const issuer = new TokenIssuer({ keys, maxSessionAgeS: 7200, now: () => now });
    const first = await issuer.issueFanToken({ sub: 'u1', evt: 'demo', role: 'fan', name: 'A' });
    now += 3_600_000;
    const claims = (await issuer.verifyFanToken(first.token))!;
    const renewed = await issuer.issueFanToken(claims);
    const again = (await issuer.verifyFanToken(renewed.token))!;
    expect(again.auth_time).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(issuer.sessionExpired(again)).toBe(false);
    now += 3_600_001;
    expect(issuer.sessionExpired(again)).toBe(true);
  });

  it('accepts its own fan tokens up to an hour past expiry, then refuses them', async () => {
    const keys = await SigningKeys.generate('k1');
    let now = Date.UTC(2026, 0, 1);
    const issuer = new TokenIssuer({ keys, fanTtlS: 60, now: () => now });
    const claims = { sub: 'u1', evt: 'demo', role: 'fan' as const, name: 'Ann' };
    const { token } = await issuer.issueFanToken(claims);
    const started = { ...claims, auth_time: now / 1000 };
    expect(await issuer.verifyFanToken(token)).toEqual(started);
    now += (60 + REJOIN_GRACE_S / 2) * 1000;
    expect(await issuer.verifyFanToken(token)).toEqual(started);
    now += REJOIN_GRACE_S * 1000;
    expect(await issuer.verifyFanToken(token)).toBeUndefined();
    const staff = await issuer.issueStaffToken({ sub: 'p', role: 'producer', name: 'P' });
    expect(await issuer.verifyFanToken(staff.token)).toBeUndefined(); // wrong audience
  });
});
