import { describe, expect, it } from 'vitest';
import { decodeClientMessage } from './codec.js';
import { checkText, type TextRefusal } from './text-policy.js';

function refusalOf(raw: string, kind: 'line' | 'multiline' = 'multiline'): TextRefusal | 'ok' {
  const result = checkText(raw, kind);
  return result.ok ? 'ok' : result.refusal;
}

describe('the text policy', () => {
  it.each([
    ['NUL', 'a\u0000b', 'control'],
    ['a C0 escape', 'a\u001b[31mred', 'control'],
    ['DEL', 'a\u007f', 'control'],
    ['a C1 control', 'a\u0085b', 'control'],
    ['a right-to-left override', 'Ada\u202etxt.exe', 'bidi_control'],
    ['a left-to-right embedding', '\u202aab', 'bidi_control'],
    ['a first-strong isolate', 'ab\u2068cd\u2069', 'bidi_control'],
    ['a lone high surrogate', 'a\ud800b', 'lone_surrogate'],
    ['a lone low surrogate', 'a\udc00', 'lone_surrogate'],
    ['a noncharacter', 'a\ufffe', 'noncharacter'],
    ['a noncharacter of plane 16', 'a\u{10ffff}', 'noncharacter'],
    ['nothing', '', 'empty'],
    ['white space only', ' \n\t ', 'empty'],
    ['zero-width spaces only', '\u200b\u200b', 'empty'],
    ['a word joiner and a BOM', '\u2060\ufeff', 'empty'],
    ['a variation selector alone', '\ufe0f', 'empty'],
    ['a Hangul filler', '\u3164 \u3164', 'empty'],
    ['a braille blank', '\u2800', 'empty'],
    ['tag characters', '\u{e0041}\u{e0042}', 'empty'],
  ] as const)('refuses %s', (_why, raw, refusal) => {
    expect(refusalOf(raw)).toBe(refusal);
  });

  it('refuses a line break in one-line text and keeps it in chat', () => {
    expect(refusalOf('Ada\nAdmin: hi', 'line')).toBe('line_break');
    expect(refusalOf('Ada\u2028x', 'line')).toBe('line_break');
    expect(checkText('one\r\ntwo\rthree\u2029four', 'multiline')).toEqual({
      ok: true,
      text: 'one\ntwo\nthree\nfour',
    });
  });

  it('collapses more than two line feeds in a row to two', () => {
    expect(checkText('a\n\n\n\n\nb', 'multiline')).toEqual({ ok: true, text: 'a\n\nb' });
  });

  it('turns tabs into spaces, normalises to NFC and trims', () => {
    expect(checkText('\tcafe\u0301\t!  ', 'line')).toEqual({ ok: true, text: 'caf\u00e9 !' });
  });

  it('keeps what visible text needs: joiners in emoji, marks, pairs, other scripts', () => {
    for (const text of ['👩‍👩‍👧', '❤️', 'می‌خواهم', 'שלום\u200f!', '𝒜𝒷𝒸', 'Zoë 🇫🇷']) {
      expect(checkText(text, 'line')).toEqual({ ok: true, text: text.normalize('NFC') });
    }
  });

  it('names the character it refused', () => {
    expect(checkText('x\u0000', 'line')).toEqual({
      ok: false,
      refusal: 'control',
      message: 'holds U+0000 (control)',
    });
  });
});

describe('chat frames under the text policy', () => {
  it.each([
    ['{"type":"chat.send","text":"a\\u0000b"}', 'invalid_text'],
    ['{"type":"chat.send","text":"\\u202egnp.exe"}', 'invalid_text'],
    ['{"type":"chat.send","text":"\\ud800"}', 'invalid_text'],
    ['{"type":"chat.send","text":"\\u200b\\u2060"}', 'text_empty'],
    ['{"type":"party.chat","text":"a\\u0007"}', 'invalid_text'],
  ])('refuses %s with %s', (frame, code) => {
    const decoded = decodeClientMessage(frame);
    expect(decoded.ok ? 'accepted' : decoded.error.code).toBe(code);
  });

  it('delivers chat text normalised', () => {
    const decoded = decodeClientMessage('{"type":"chat.send","text":"e\\u0301\\r\\nok"}');
    expect(decoded).toEqual({ ok: true, value: { type: 'chat.send', text: '\u00e9\nok' } });
  });
});
