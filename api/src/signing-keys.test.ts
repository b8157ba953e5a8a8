import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@fanfare/fanout';
import { loadApiConfig } from './config.js';
import { loadSigningKeys } from './load-keys.js';
import { SigningKeys, SigningKeysError } from './signing-keys.js';

const pem = () => pkcs8Pem('P-256');

function pkcs8Pem(namedCurve: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function codeOf(action: () => unknown): Promise<string | undefined> {
  try {
    await action();
  } catch (err) {
    return err instanceof SigningKeysError ? err.code : `not a SigningKeysError: ${String(err)}`;
  }
  return undefined;
}

describe('SigningKeys', () => {
  it('publishes public keys only, with kid, alg and use', async () => {
    const keys = await SigningKeys.generate();
    const { keys: published } = keys.jwks();
    expect(published).toHaveLength(1);
    expect(published[0]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: keys.current().kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(published[0]).not.toHaveProperty('d');
  });

  it('uses the kid it is given', async () => {
    const keys = await SigningKeys.generate('2025-01');
    expect(keys.kids()).toEqual(['2025-01']);
  });

  it('derives the same kid from the same PEM, so replicas agree without configuration', async () => {
    const pem = pkcs8Pem('prime256v1');
    const a = await SigningKeys.fromPem(pem);
    const b = await SigningKeys.fromPem(pem);
    expect(a.current().kid).toBe(b.current().kid);
    expect(a.jwks()).toEqual(b.jwks());
  });

  it('refuses a PEM of another curve and text that is not a PEM', async () => {
    expect(await codeOf(() => SigningKeys.fromPem(pkcs8Pem('secp384r1'), 'k'))).toBe('invalid_key');
    expect(await codeOf(() => SigningKeys.fromPem('not a key', 'k'))).toBe('invalid_key');
  });

  it('rotates to a new current key while keeping the old one published', async () => {
    const keys = await SigningKeys.generate('old');
    const kid = await keys.rotate({ kid: 'new' });
    expect(kid).toBe('new');
    expect(keys.current().kid).toBe('new');
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['old', 'new']);
  });

  it('retires an old key but never the current one, nor an unknown one', async () => {
    const keys = await SigningKeys.generate('old');
    await keys.rotate({ kid: 'new' });
    expect(await codeOf(() => keys.retire('new'))).toBe('kid_current');
    expect(await codeOf(() => keys.retire('nope'))).toBe('kid_unknown');
    keys.retire('old');
    expect(keys.kids()).toEqual(['new']);
  });

  it('publishes a key that verifies but never signs, for rotation across replicas', async () => {
    const next = pem();
    const keys = await SigningKeys.generate('old');
    const kid = await keys.publish({ pem: next, kid: 'next' });
    expect(kid).toBe('next');
    expect(keys.current().kid).toBe('old');
    expect(keys.kids()).toEqual(['next', 'old']);
    await expect(keys.publish({ pem: next, kid: 'next' })).rejects.toMatchObject({
      code: 'kid_taken',
    });
  });

  it('loads JWT_PUBLISHED_KEYS from the config beside the signing key', async () => {
    const [current, extra] = [pem(), pem()];
    const config = loadApiConfig({
      JWT_PRIVATE_KEY: current,
      JWT_KID: 'now',
      JWT_PUBLISHED_KEYS: (extra + '\n' + pem()).replace(/\n/g, '\\n'),
    });
    const keys = await loadSigningKeys(config, silentLogger);
    expect(keys.current().kid).toBe('now');
    expect(keys.kids()).toHaveLength(3);
    expect(keys.kids().at(-1)).toBe('now');
    expect(() => loadApiConfig({ JWT_PUBLISHED_KEYS: 'nope' })).toThrow(/JWT_PUBLISHED_KEYS/);
  });

  it('refuses to rotate to a kid already in the set', async () => {
    const keys = await SigningKeys.generate('k1');
    expect(await codeOf(() => keys.rotate({ kid: 'k1' }))).toBe('kid_taken');
    expect(keys.kids()).toEqual(['k1']);
  });

  it('hands out JWKS copies that cannot alter the published set', async () => {
    const keys = await SigningKeys.generate('k1');
    const first = keys.jwks();
    first.keys[0]!.kid = 'tampered';
    first.keys.pop();
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['k1']);
  });
});
