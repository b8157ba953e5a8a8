import { describe, expect, it } from 'vitest';
import { fanCountry, readEntitlements, readPlacement } from './token.js';

describe('claim readers', () => {
  it('readEntitlements keeps the known entitlements, each once, and drops the rest', () => {
    expect(readEntitlements(['ticketed', 'vip', 'ticketed', 'public'])).toEqual([
      'ticketed',
      'public',
    ]);
    expect(readEntitlements(['vip', 3, null])).toEqual([]);
    expect(readEntitlements('ticketed')).toEqual([]);
    expect(readEntitlements(undefined)).toEqual([]);
  });

  it('readPlacement takes a replica id and a non-negative whole second, else nothing', () => {
    expect(readPlacement({ r: 'api-1', s: 1_700_000_000 })).toEqual({
      r: 'api-1',
      s: 1_700_000_000,
    });
    expect(readPlacement({ r: 'api 1', s: 1 })).toBeUndefined();
    expect(readPlacement({ r: 'api-1', s: 1.5 })).toBeUndefined();
    expect(readPlacement({ r: 'api-1', s: -1 })).toBeUndefined();
    expect(readPlacement('api-1')).toBeUndefined();
  });

  it('fanCountry upper-cases a two-letter code and refuses anything else', () => {
    expect(fanCountry(' de ')).toBe('DE');
    expect(fanCountry('DEU')).toBeUndefined();
    expect(fanCountry(49)).toBeUndefined();
  });
});
