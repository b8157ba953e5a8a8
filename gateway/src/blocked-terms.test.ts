import { describe, expect, it } from 'vitest';
import { compileBlockedTerms } from './blocked-terms.js';

describe('blocked terms', () => {
  it('matches a plain term as a whole word only, in any case', () => {
    const terms = compileBlockedTerms(['spoiler']);
    expect(terms.find('no SPOILER please')).toBe('spoiler');
    expect(terms.find('spoiler!')).toBe('spoiler');
    expect(terms.find('spoilers ahead')).toBeUndefined();
    expect(terms.find('antispoiler')).toBeUndefined();
  });

  it('matches `term*` as a prefix and `*term` as a suffix of a word', () => {
    const terms = compileBlockedTerms(['scam*', '*coin']);
    expect(terms.find('total scammers')).toBe('scam*');
    expect(terms.find('a scam')).toBe('scam*');
    expect(terms.find('nonscam')).toBeUndefined();
    expect(terms.find('buy shitcoin now')).toBe('*coin');
    expect(terms.find('coinage')).toBeUndefined();
  });

  it('matches `*term*` anywhere inside a word', () => {
    const terms = compileBlockedTerms(['*bad*']);
    expect(terms.find('Unbadly done')).toBe('*bad*');
    expect(terms.find('BAD')).toBe('*bad*');
    expect(terms.find('b a d')).toBeUndefined();
  });

  it('treats regex characters literally and words in any script as words', () => {
    const terms = compileBlockedTerms(['a.b', 'ölig']);
    expect(terms.find('a.b')).toBe('a.b');
    expect(terms.find('axb')).toBeUndefined();
    expect(terms.find('ÖLIG!')).toBe('ölig');
    expect(terms.find('schölig')).toBeUndefined();
  });

  it('skips empty and bare-star terms, so an empty list blocks nothing', () => {
    expect(compileBlockedTerms(['', '*', '**', '  ']).size).toBe(0);
    expect(compileBlockedTerms([]).find('anything at all')).toBeUndefined();
  });
});
