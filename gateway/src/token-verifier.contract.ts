// The contract every TokenVerifier runs (JoseTokenVerifier, Es256TokenVerifier): the same
// tokens admitted with the same claims, the same ones refused with the same reason.

import { GATEWAY_AUDIENCE, TOKEN_ISSUER } from '@fanfare/protocol';
import { KeyObject, createHmac, sign as signBytes } from 'node:crypto';
import { SignJWT, base64url, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenRejectedError, type KeySource, type TokenVerifier } from './token-verifier.js';

type Make = (source: KeySource, issuer: string) => TokenVerifier;

const claims = { evt: 'demo', role: 'fan', name: 'Ann', ent: ['ticketed', 'vip?'] };

async function outcome(verifier: TokenVerifier, token: string): Promise<unknown> {
  try {
    return await verifier.verify(token);
  } catch (err) {
    if (err instanceof TokenRejectedError) return err.reason;
    throw err;
  }
}

export function tokenVerifierContract(name: string, make: Make): void {
  describe(`${name} (token verifier contract)`, () => {
    let sign: (o?: {
      payload?: JWTPayload;
      header?: Record<string, unknown>;
      exp?: number;
      nbf?: number;
      iss?: string;
      aud?: string | string[];
      alg?: string;
      key?: CryptoKey;
    }) => Promise<string>;
    let verifier: TokenVerifier;
    let other: CryptoKey;
    let signRaw: (header: object, payload: string) => string;
    let jwk: JsonWebKey;
    const now = () => Math.floor(Date.now() / 1000);

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      other = (await generateKeyPair('ES256')).privateKey;
      // jose refuses to sign what it would not accept (a `crit` header): signed by hand.
      signRaw = (header, payload) => {
        const head = base64url.encode(JSON.stringify(header));
        const sig = signBytes('sha256', Buffer.from(`${head}.${payload}`), {
          key: KeyObject.from(privateKey),
          dsaEncoding: 'ieee-p1363',
        });
        return `${head}.${payload}.${sig.toString('base64url')}`;
      };
      jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } as JsonWebKey;
      verifier = make({ kind: 'jwks', jwks: { keys: [jwk as never] } }, TOKEN_ISSUER);
      sign = async (o = {}) =>
        new SignJWT({ ...claims, ...o.payload })
          .setProtectedHeader({ alg: o.alg ?? 'ES256', kid: 'k1', ...o.header })
          .setSubject('u1')
          .setIssuer(o.iss ?? TOKEN_ISSUER)
          .setAudience(o.aud ?? GATEWAY_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(o.exp ?? now() + 600)
          .setNotBefore(o.nbf ?? now() - 1)
          .sign(o.key ?? privateKey);
    });

    it('admits a good token with its claims, unknown entitlements dropped', async () => {
      expect(await outcome(verifier, await sign())).toEqual({
        sub: 'u1',
        evt: 'demo',
        role: 'fan',
        name: 'Ann',
        exp: expect.any(Number) as number,
        ent: ['ticketed'],
      });
      expect(await outcome(verifier, await sign({ aud: ['x', GATEWAY_AUDIENCE] }))).toMatchObject({
        sub: 'u1',
      });
    });

    it('refuses expired and not-yet-valid tokens as token_expired, within the tolerance', async () => {
      expect(await outcome(verifier, await sign({ exp: now() - 60 }))).toBe('token_expired');
      expect(await outcome(verifier, await sign({ nbf: now() + 600 }))).toBe('token_expired');
      expect(await outcome(verifier, await sign({ exp: now() - 2 }))).toMatchObject({ sub: 'u1' });
    });

    it('refuses every forgery and wrong claim as token_invalid', async () => {
      const good = await sign();
      const [h, p, s] = good.split('.') as [string, string, string];
      const forged = base64url.encode(
        JSON.stringify({
          ...JSON.parse(new TextDecoder().decode(base64url.decode(p))),
          role: 'producer',
        }),
      );
      const none = base64url.encode(JSON.stringify({ alg: 'none', kid: 'k1' }));
      const hsHeader = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'k1' }));
      const hs = createHmac('sha256', Buffer.from(JSON.stringify(jwk)))
        .update(`${hsHeader}.${p}`)
        .digest('base64url');
      // the hand signer itself is sound: without `crit` its token passes
      expect(await outcome(verifier, signRaw({ alg: 'ES256', kid: 'k1' }, p))).toMatchObject({
        sub: 'u1',
      });
      const bad = [
        `${h}.${forged}.${s}`,
        `${none}.${p}.`,
        `${hsHeader}.${p}.${hs}`,
        `${h}.${p}.${s.slice(0, -4)}`,
        `${h}.${p}`,
        'not a token',
        await sign({ key: other }),
        await sign({ header: { kid: 'k2' } }),
        await sign({ iss: 'someone-else' }),
        await sign({ aud: 'fanfare-api' }),
        signRaw({ alg: 'ES256', kid: 'k1', crit: ['exp'] }, p),
        await sign({ payload: { evt: 'no spaces allowed' } }),
        await sign({ payload: { role: 'admin' } }),
        await sign({ payload: { name: '' } }),
      ];
      for (const token of bad)
        expect([token, await outcome(verifier, token)]).toEqual([token, 'token_invalid']);
      // nothing refused above changed what the same verifier admits (its header memory)
      expect(await outcome(verifier, good)).toMatchObject({ sub: 'u1' });
    });
  });
}
