import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type * as Crypto from 'node:crypto';
import { PlaybackTokenChecker, checkPlaybackToken, mintPlaybackToken } from './playback-token.js';

// createHmac counted (and still computed): a remembered token costs no HMAC.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof Crypto>();
  return { ...crypto, createHmac: vi.fn(crypto.createHmac) };
});
const hmacs = (): number => vi.mocked(createHmac).mock.calls.length;

const SECRET = Buffer.alloc(32, 1);
const NOW = 1_800_000_000;
const claims = { eventId: 'demo', viewerId: 'fan-42', exp: NOW + 60 };

describe('playback token', () => {
  it('round-trips its claims', () => {
    const token = mintPlaybackToken(SECRET, claims);
    expect(checkPlaybackToken(SECRET, token, 'demo', NOW)).toEqual({ ok: true, claims });
  });

  it('is one URL path segment', () => {
    const token = mintPlaybackToken(SECRET, { ...claims, viewerId: 'ünïcode/../?#x' });
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(checkPlaybackToken(SECRET, token, 'demo', NOW).ok).toBe(true);
  });

  it('is a documented HMAC-SHA256 an edge can recompute', () => {
    const token = mintPlaybackToken(SECRET, claims);
    const cut = token.lastIndexOf('.');
    const signed = token.slice(0, cut);
    expect(signed).toBe(`v1.ZGVtbw.ZmFuLTQy.${NOW + 60}`);
    expect(token.slice(cut + 1)).toBe(
      createHmac('sha256', SECRET).update(signed).digest('base64url'),
    );
  });

  it('refuses a missing token', () => {
    expect(checkPlaybackToken(SECRET, undefined, 'demo', NOW)).toEqual({
      ok: false,
      refusal: 'token_missing',
    });
    expect(checkPlaybackToken(SECRET, '', 'demo', NOW).ok).toBe(false);
  });

  it('refuses a token that is not in the format', () => {
    const check = checkPlaybackToken(SECRET, 'v2.abc.def.1.xyz', 'demo', NOW);
    expect(check).toEqual({ ok: false, refusal: 'token_malformed' });
  });

  it('refuses an expired token, at its expiry second', () => {
    const token = mintPlaybackToken(SECRET, claims);
    expect(checkPlaybackToken(SECRET, token, 'demo', NOW + 59).ok).toBe(true);
    expect(checkPlaybackToken(SECRET, token, 'demo', NOW + 60)).toEqual({
      ok: false,
      refusal: 'token_expired',
    });
  });

  it('refuses a tampered token: a changed claim or another secret', () => {
    const token = mintPlaybackToken(SECRET, claims);
    const later = token.replace(`.${NOW + 60}.`, `.${NOW + 6000}.`);
    expect(checkPlaybackToken(SECRET, later, 'demo', NOW)).toEqual({
      ok: false,
      refusal: 'token_invalid',
    });
    const forged = mintPlaybackToken(Buffer.alloc(32, 2), claims);
    expect(checkPlaybackToken(SECRET, forged, 'demo', NOW).ok).toBe(false);
  });

  it('refuses a valid token of another event', () => {
    const token = mintPlaybackToken(SECRET, { ...claims, eventId: 'final' });
    expect(checkPlaybackToken(SECRET, token, 'demo', NOW)).toEqual({
      ok: false,
      refusal: 'token_wrong_event',
    });
  });
});

describe('playback token checker (MAC verified once per token)', () => {
  it('answers as checkPlaybackToken does, remembering only tokens with a good MAC', () => {
    const checker = new PlaybackTokenChecker(SECRET);
    const token = mintPlaybackToken(SECRET, claims);
    expect(checker.check(token, 'demo', NOW)).toEqual({ ok: true, claims });
    expect(checker.check(token, 'demo', NOW)).toEqual({ ok: true, claims });
    expect(checker.size).toBe(1);
    const tampered = token.replace(`.${NOW + 60}.`, `.${NOW + 6000}.`);
    expect(checker.check(tampered, 'demo', NOW)).toEqual({ ok: false, refusal: 'token_invalid' });
    expect(checker.check(tampered, 'demo', NOW).ok).toBe(false);
    expect(checker.check(undefined, 'demo', NOW)).toEqual({ ok: false, refusal: 'token_missing' });
    expect(checker.check('v1.x', 'demo', NOW)).toEqual({ ok: false, refusal: 'token_malformed' });
    expect(checker.size).toBe(1);
  });

  it('never accepts a remembered token from its expiry second on', () => {
    const checker = new PlaybackTokenChecker(SECRET);
    const token = mintPlaybackToken(SECRET, claims);
    expect(checker.check(token, 'demo', NOW + 59).ok).toBe(true); // remembered
    expect(checker.check(token, 'demo', NOW + 60)).toEqual({
      ok: false,
      refusal: 'token_expired',
    });
    expect(checker.check(token, 'demo', NOW + 61).ok).toBe(false);
    expect(checker.check(token, 'demo', NOW + 3600).ok).toBe(false);
  });

  it('checks the event of a remembered token on every request', () => {
    const checker = new PlaybackTokenChecker(SECRET);
    const token = mintPlaybackToken(SECRET, claims);
    expect(checker.check(token, 'demo', NOW).ok).toBe(true);
    expect(checker.check(token, 'final', NOW)).toEqual({
      ok: false,
      refusal: 'token_wrong_event',
    });
  });

  it('is bounded: past its size the oldest token is forgotten (and checked again)', () => {
    const checker = new PlaybackTokenChecker(SECRET, 2);
    const tokens = ['a', 'b', 'c'].map((viewerId) =>
      mintPlaybackToken(SECRET, { ...claims, viewerId }),
    );
    for (const t of tokens) expect(checker.check(t, 'demo', NOW).ok).toBe(true);
    expect(checker.size).toBe(2);
    expect(checker.check(tokens[0], 'demo', NOW).ok).toBe(true); // re-verified by its MAC
    expect(checker.check(tokens[0], 'demo', NOW + 60).ok).toBe(false);
  });
});

describe('playback token checker: remembered until expiry only', () => {
  it('verifies a remembered token’s MAC once', () => {
    const checker = new PlaybackTokenChecker(SECRET);
    const token = mintPlaybackToken(SECRET, claims);
    const before = hmacs();
    for (let i = 0; i < 3; i += 1) expect(checker.check(token, 'demo', NOW).ok).toBe(true);
    expect(hmacs() - before).toBe(1);
  });

  it('never remembers a token that has expired, and forgets one when it expires', () => {
    const checker = new PlaybackTokenChecker(SECRET);
    const token = mintPlaybackToken(SECRET, claims);
    expect(checker.check(token, 'demo', NOW + 60).ok).toBe(false);
    expect(checker.size).toBe(0);
    expect(checker.check(token, 'final', NOW + 60).ok).toBe(false);
    expect(checker.size).toBe(0);
    expect(checker.check(token, 'demo', NOW + 59).ok).toBe(true);
    expect(checker.size).toBe(1);
    expect(checker.check(token, 'demo', NOW + 60)).toEqual({ ok: false, refusal: 'token_expired' });
    expect(checker.size).toBe(0);
  });

  it('when full, forgets expired tokens before the oldest live one', () => {
    const checker = new PlaybackTokenChecker(SECRET, 2);
    const live = mintPlaybackToken(SECRET, { ...claims, viewerId: 'live' });
    const brief = mintPlaybackToken(SECRET, { ...claims, viewerId: 'brief', exp: NOW + 10 });
    const next = mintPlaybackToken(SECRET, { ...claims, viewerId: 'next' });
    expect(checker.check(live, 'demo', NOW).ok).toBe(true); // the oldest
    expect(checker.check(brief, 'demo', NOW).ok).toBe(true);
    expect(checker.check(next, 'demo', NOW + 20).ok).toBe(true); // full: `brief` has expired
    expect(checker.size).toBe(2);
    const before = hmacs();
    expect(checker.check(live, 'demo', NOW + 20).ok).toBe(true);
    expect(checker.check(next, 'demo', NOW + 20).ok).toBe(true);
    expect(hmacs() - before).toBe(0);
  });
});
