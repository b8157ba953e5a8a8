// The behaviour CredentialRepo must show on every driver.

import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectDbError, type DbFixture } from './contract-fixture.js';
import { apiCredentials } from './schema.js';

export function credentialRepoContract(name: string, fixture: () => DbFixture): void {
  describe(`CredentialRepo contract: ${name}`, () => {
    const repo = () => fixture().database.credentials;

    it('issues an ffk_ key once and verifies it to the credential', async () => {
      const { credential, key } = await repo().create('Studio desk', 'producer');
      expect(key).toMatch(/^ffk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
      expect(credential).toEqual({
        id: expect.any(String),
        name: 'Studio desk',
        role: 'producer',
        eventId: null,
        createdAt: expect.any(Date),
        revokedAt: null,
      });
      expect(await repo().verify(key)).toEqual(credential);
    });

    it('stores only the SHA-256 of the key, never the key', async () => {
      const { credential, key } = await repo().create('Ops', 'sre');
      const rows = await fixture()
        .db.select()
        .from(apiCredentials)
        .where(eq(apiCredentials.id, credential.id));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(key.slice(4));
    });

    it('gives every credential a different key and id', async () => {
      const a = await repo().create('A', 'moderator');
      const b = await repo().create('B', 'moderator');
      expect(a.key).not.toBe(b.key);
      expect(a.credential.id).not.toBe(b.credential.id);
      expect((await repo().verify(b.key))?.name).toBe('B');
    });

    it('verifies nothing for unknown, altered or malformed keys', async () => {
      const { key } = await repo().create('Desk', 'producer');
      const last = key.at(-1) === 'A' ? 'B' : 'A';
      for (const guess of [key.slice(0, -1) + last, key.slice(4), `${key}x`, '', 'ffk_']) {
        expect(await repo().verify(guess), guess).toBeUndefined();
      }
    });

    it('scopes a credential to one event, which must exist', async () => {
      await fixture().database.events.create({ id: 'final', title: 'Final' });
      const { credential, key } = await repo().create('Final mods', 'moderator', 'final');
      expect(credential.eventId).toBe('final');
      expect((await repo().verify(key))?.eventId).toBe('final');
      await expectDbError(repo().create('Lost', 'moderator', 'ghost'), 'event_not_found');
    });

    it('stops verifying a key once revoked, keeping the first revocation time', async () => {
      const { credential, key } = await repo().create('Temp', 'producer');
      const at = new Date('2025-06-01T20:00:00.000Z');
      const revoked = await repo().revoke(credential.id, at);
      expect(revoked).toEqual({ ...credential, revokedAt: at });
      expect(await repo().verify(key)).toBeUndefined();
      expect((await repo().revoke(credential.id)).revokedAt).toEqual(at);
      await expectDbError(repo().revoke('cred_ghost'), 'credential_not_found', {
        details: { id: 'cred_ghost' },
      });
    });

    it('lists every credential, revoked ones included, oldest first, without hashes', async () => {
      const a = await repo().create('A', 'producer');
      const b = await repo().create('B', 'sre');
      await repo().revoke(a.credential.id);
      const listed = await repo().list();
      expect(listed.map((c) => c.name)).toEqual(['A', 'B']);
      expect(listed.find((c) => c.id === a.credential.id)?.revokedAt).toBeInstanceOf(Date);
      expect(listed.find((c) => c.id === b.credential.id)?.revokedAt).toBeNull();
      expect(listed.every((c) => !('keyHash' in c))).toBe(true);
    });
  });
}
