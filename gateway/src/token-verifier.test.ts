import { GATEWAY_AUDIENCE, TOKEN_ISSUER } from '@fanfare/protocol';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Es256TokenVerifier } from './es256-token-verifier.js';
import { tokenVerifierContract } from './token-verifier.contract.js';
import { JoseTokenVerifier } from './token-verifier.js';

tokenVerifierContract(
  'JoseTokenVerifier',
  (source, issuer) => new JoseTokenVerifier(source, issuer),
);
tokenVerifierContract(
  'Es256TokenVerifier',
  (source, issuer) => new Es256TokenVerifier(source, issuer),
);

describe('Es256TokenVerifier with a JWKS URL', () => {
  it('fetches the keys once, picks the key by kid, and refuses a kid the set lacks', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    let fetched = 0;
    const server = createServer((_req, res) => {
      fetched++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const verifier = new Es256TokenVerifier(
        { kind: 'jwks-url', url: `http://127.0.0.1:${port}/.well-known/jwks.json` },
        TOKEN_ISSUER,
      );
      const sign = (kid: string, sub: string) =>
        new SignJWT({ evt: 'demo', role: 'fan', name: 'Ann' })
          .setProtectedHeader({ alg: 'ES256', kid })
          .setSubject(sub)
          .setIssuer(TOKEN_ISSUER)
          .setAudience(GATEWAY_AUDIENCE)
          .setExpirationTime('5m')
          .sign(privateKey);
      expect((await verifier.verify(await sign('k1', 'a'))).sub).toBe('a');
      expect((await verifier.verify(await sign('k1', 'b'))).sub).toBe('b');
      expect(fetched).toBe(1);
      await expect(verifier.verify(await sign('k9', 'c'))).rejects.toMatchObject({
        reason: 'token_invalid',
      });
    } finally {
      server.close();
    }
  });
});
