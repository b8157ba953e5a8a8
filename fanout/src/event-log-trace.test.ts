// Which delivered entries get a span: only those whose `traceparent` names a sampled trace.

import { describe, expect, it } from 'vitest';
import { sampled } from './event-log-trace.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('sampled', () => {
  it('reads the sampled flag of a version-00 traceparent', () => {
    expect(sampled(`00-${TRACE}-${SPAN}-01`)).toBe(true);
    expect(sampled(`00-${TRACE}-${SPAN}-03`)).toBe(true);
    expect(sampled(`00-${TRACE}-${SPAN}-00`)).toBe(false);
    expect(sampled(`00-${TRACE}-${SPAN}-02`)).toBe(false);
  });

  it('is false for a missing or malformed one', () => {
    expect(sampled('')).toBe(false);
    expect(sampled(`00-${TRACE}-${SPAN}`)).toBe(false);
    expect(sampled(`00-${TRACE}-${SPAN}-01-extra`)).toBe(false);
  });
});
