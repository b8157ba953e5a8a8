import { describe, expect, it } from 'vitest';
import { parseResumeQuery, resumeQuery } from './stream-position.js';

const parse = (query: string) => parseResumeQuery(new URLSearchParams(query));

describe('resume positions in the upgrade query', () => {
  it('round-trips an (epoch, seq) position', () => {
    const query = resumeQuery({ epoch: 'lq3k2x_-A9', seq: 42 });
    expect(query).toBe('&since=42&epoch=lq3k2x_-A9');
    expect(parse(query.slice(1))).toEqual({ ok: true, value: { seq: 42, epoch: 'lq3k2x_-A9' } });
    expect(resumeQuery(undefined)).toBe('');
  });

  it('reads a bare since (an older client) and no position at all', () => {
    expect(parse('since=7')).toEqual({ ok: true, value: { seq: 7 } });
    expect(parse('token=x')).toEqual({ ok: true, value: undefined });
  });

  it('refuses a malformed since or epoch, and an epoch without since', () => {
    for (const bad of ['since=-1', 'since=abc', 'since=1.5', 'since=', 'epoch=abc']) {
      expect(parse(bad).ok).toBe(false);
    }
    for (const epoch of ['', 'a.b', 'x'.repeat(33), 'ä']) {
      expect(parse(`since=1&epoch=${encodeURIComponent(epoch)}`).ok).toBe(false);
    }
  });
});
