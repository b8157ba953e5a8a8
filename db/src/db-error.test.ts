import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DB_ERROR_CODES, DbError, isDbError, sqlState } from './db-error.js';

describe('DbError', () => {
  it('carries name, code, details and cause, with the code table’s message by default', () => {
    const cause = new Error('driver');
    const err = new DbError('event_exists', undefined, { cause, details: { id: 'x' } });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'DbError', code: 'event_exists', details: { id: 'x' } });
    expect(err.message).toBe(DB_ERROR_CODES.event_exists);
    expect(err.cause).toBe(cause);
    expect(isDbError(err, 'event_exists')).toBe(true);
    expect(isDbError(err, 'poll_exists')).toBe(false);
    expect(isDbError(cause)).toBe(false);
  });

  it('finds the SQLSTATE through drizzle’s wrapping of the driver error', () => {
    const driver = Object.assign(new Error('duplicate key'), { code: '23505' });
    const wrapped = new Error('Failed query', { cause: driver });
    expect(sqlState(wrapped)).toBe('23505');
    expect(sqlState(new Error('plain'))).toBeUndefined();
    expect(sqlState(Object.assign(new Error('node'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('lists exactly the codes of DB_ERROR_CODES in docs/data.md', () => {
    const doc = readFileSync(new URL('../../docs/data.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Errors'), doc.indexOf('## Migrations'));
    const documented = [...section.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(DB_ERROR_CODES).sort());
  });
});
