// The start lead follows the party's slowest member, and `party.ready` carries the path that
// sets it.

import { describe, expect, it } from 'vitest';
import { decodeClientMessage } from './codec.js';
import {
  MAX_START_LEAD_MS,
  PATH_MS_MAX,
  PATH_REPORT_STEP_MS,
  START_LEAD_MARGIN_MS,
  START_LEAD_MS,
  reportedPathMs,
  startLeadMs,
} from './party.js';

describe('startLeadMs', () => {
  it('is START_LEAD_MS for fast members and for members that said nothing', () => {
    expect(startLeadMs([])).toBe(START_LEAD_MS);
    expect(startLeadMs([undefined, 40, 120])).toBe(START_LEAD_MS);
  });

  it('covers the slowest member with a margin', () => {
    expect(startLeadMs([80, 620, undefined, 300])).toBe(620 + START_LEAD_MARGIN_MS);
  });

  it('never waits longer than MAX_START_LEAD_MS', () => {
    expect(startLeadMs([40, 9_000])).toBe(MAX_START_LEAD_MS);
  });
});

describe('reportedPathMs', () => {
  it('rounds a round trip up to a step, caps it, and says nothing before one', () => {
    expect(reportedPathMs(undefined)).toBeUndefined();
    expect(reportedPathMs(Infinity)).toBeUndefined();
    expect(reportedPathMs(0)).toBe(0);
    expect(reportedPathMs(1)).toBe(PATH_REPORT_STEP_MS);
    expect(reportedPathMs(412)).toBe(450);
    expect(reportedPathMs(PATH_MS_MAX * 3)).toBe(PATH_MS_MAX);
  });
});

describe('party.ready pathMs', () => {
  it('is optional and kept when given', () => {
    expect(decodeClientMessage('{"type":"party.ready","readiness":"ready"}')).toEqual({
      ok: true,
      value: { type: 'party.ready', readiness: 'ready' },
    });
    expect(decodeClientMessage('{"type":"party.ready","readiness":"ready","pathMs":412}')).toEqual({
      ok: true,
      value: { type: 'party.ready', readiness: 'ready', pathMs: 412 },
    });
  });

  it.each([['"300"'], ['-1'], [String(PATH_MS_MAX + 1)], ['null'], ['1e400']])(
    'refuses pathMs %s with invalid_frame',
    (value) => {
      const decoded = decodeClientMessage(
        `{"type":"party.ready","readiness":"buffering","pathMs":${value}}`,
      );
      expect(decoded.ok ? 'accepted' : decoded.error.code).toBe('invalid_frame');
    },
  );
});
