// Property tests over the frame decoder and the text policy (fast-check, bounded runs so CI
// spends well under a second here): whatever a client sends, decoding never throws, refuses
// with a documented code, and what it accepts obeys the policy.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './codes.js';
import { decodeClientMessage } from './codec.js';
import { charLength } from './decoding.js';
import { CHAT_MAX_CHARS } from './limits.js';
import { TEXT_CLASSES, checkText } from './text-policy.js';

const RUNS = { numRuns: 300 };
const TYPES = ['chat.send', 'react', 'ping', 'vote', 'party.create', 'party.join', 'party.chat'];
/** Text that leans on the characters the policy is about, mixed with anything. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u202e',
      '\u2066',
      '\u200b',
      '\ufe0f',
      '\n',
      '\r',
      '\t',
      'a',
      'é',
      'e\u0301',
      '🔥',
      '\ud800',
      '\udc00',
      '\ufffe',
      ' ',
    ),
    maxLength: 40,
  }),
);
/** A frame with a known type and fields of any JSON shape, or plausible ones. */
const frame = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
    text: fc.oneof(hostileText, fc.jsonValue()),
    pollId: fc.oneof(fc.string({ maxLength: 100 }), fc.jsonValue()),
    option: fc.oneof(fc.integer({ min: -2, max: 30 }), fc.double(), fc.jsonValue()),
    emoji: fc.oneof(fc.constantFrom('🔥', '❤️', '💩'), fc.jsonValue()),
    count: fc.jsonValue(),
    ref: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
    key: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
    t: fc.jsonValue(),
    code: fc.jsonValue(),
  },
  { requiredKeys: ['type'] },
);

describe('decodeClientMessage under arbitrary input', () => {
  it('never throws on any string, and refuses with a documented code', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (raw) => {
        const decoded = decodeClientMessage(raw);
        if (!decoded.ok) expect(Object.keys(ERROR_CODES)).toContain(decoded.error.code);
      }),
      RUNS,
    );
  });

  it('answers every frame with a typed message or a documented code; accepted chat obeys the policy', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const decoded = decodeClientMessage(JSON.stringify(f));
        if (!decoded.ok) {
          expect(Object.keys(ERROR_CODES)).toContain(decoded.error.code);
          return;
        }
        const message = decoded.value;
        if (message.type === 'chat.send' || message.type === 'party.chat') {
          expect(checkText(message.text, 'multiline')).toEqual({ ok: true, text: message.text });
          expect(charLength(message.text)).toBeLessThanOrEqual(CHAT_MAX_CHARS);
        }
        if (message.type === 'vote') expect(Number.isInteger(message.option)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('the text policy under arbitrary input', () => {
  it('is idempotent and leaves nothing it refuses in what it accepts', () => {
    fc.assert(
      fc.property(
        hostileText,
        fc.constantFrom('line' as const, 'multiline' as const),
        (raw, kind) => {
          const result = checkText(raw, kind);
          if (!result.ok) return;
          expect(checkText(result.text, kind)).toEqual(result);
          expect(result.text).toBe(result.text.normalize('NFC'));
          for (const char of result.text) {
            const cp = char.codePointAt(0)!;
            const hit = Object.entries(TEXT_CLASSES).find(([, c]) =>
              c.ranges.some(([lo, hi]) => cp >= lo && cp <= hi),
            );
            // Only line feeds may remain, and only in multi-line text.
            if (hit) expect([kind, hit[0], char]).toEqual(['multiline', 'line_break', '\n']);
          }
        },
      ),
      RUNS,
    );
  });
});
