import { ADMITTED_WINDOW_S } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { ADMITTED_SKEW_S, AdmittedLedger, MAX_REPLICAS_PER_SECOND } from './admitted-ledger.js';

const T = 1_700_000_000; // a second on the shard's clock

describe('AdmittedLedger', () => {
  it('counts admissions per replica and assignment second', () => {
    const ledger = new AdmittedLedger();
    ledger.record({ r: 'api1', s: T - 10 }, T * 1000);
    ledger.record({ r: 'api1', s: T - 10 }, T * 1000);
    ledger.record({ r: 'api1', s: T - 3 }, T * 1000);
    ledger.record({ r: 'api2', s: T - 10 }, T * 1000);
    expect(ledger.report(T * 1000)).toEqual({
      api1: { [T - 10]: 2, [T - 3]: 1 },
      api2: { [T - 10]: 1 },
    });
  });

  it('forgets seconds that leave the window, and records none outside it', () => {
    const ledger = new AdmittedLedger();
    ledger.record({ r: 'api1', s: T }, T * 1000);
    ledger.record({ r: 'api1', s: T - ADMITTED_WINDOW_S - 1 }, T * 1000); // too old
    ledger.record({ r: 'api1', s: T + ADMITTED_SKEW_S + 1 }, T * 1000); // too far ahead
    expect(ledger.report(T * 1000)).toEqual({ api1: { [T]: 1 } });
    expect(ledger.report((T + ADMITTED_WINDOW_S) * 1000)).toEqual({ api1: { [T]: 1 } });
    expect(ledger.report((T + ADMITTED_WINDOW_S + 1) * 1000)).toEqual({});
  });

  it('records at most MAX_REPLICAS_PER_SECOND replicas in one second', () => {
    const ledger = new AdmittedLedger();
    for (let i = 0; i < MAX_REPLICAS_PER_SECOND + 10; i++) {
      ledger.record({ r: `r${i}`, s: T }, T * 1000);
    }
    ledger.record({ r: 'r0', s: T }, T * 1000); // a known one still counts
    const report = ledger.report(T * 1000);
    expect(Object.keys(report)).toHaveLength(MAX_REPLICAS_PER_SECOND);
    expect(report.r0).toEqual({ [T]: 2 });
  });
});
