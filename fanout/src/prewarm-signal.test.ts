import { describe, expect, it } from 'vitest';
import { decodePrewarmSignal, encodePrewarmSignal } from './prewarm-signal.js';

describe('prewarm signal', () => {
  it('carries the event id and refuses anything else', () => {
    expect(decodePrewarmSignal(encodePrewarmSignal({ eventId: 'final-2026' }))).toEqual({
      eventId: 'final-2026',
    });
    const bytes = (text: string) => new TextEncoder().encode(text);
    for (const bad of ['nope', '{}', '{"eventId":"a.b"}', '{"eventId":3}', 'null'])
      expect(decodePrewarmSignal(bytes(bad))).toBeUndefined();
  });
});
