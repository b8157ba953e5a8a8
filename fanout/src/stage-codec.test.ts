import { describe, expect, it } from 'vitest';
import { decodeStage, encodeStage } from './stage-codec.js';
import { sampleStage } from './stage-store.contract.js';

describe('stage codec', () => {
  it('round-trips a stage through bytes and through a string', () => {
    const bytes = encodeStage(sampleStage(4));
    expect(decodeStage(bytes)).toEqual(sampleStage(4));
    expect(decodeStage(new TextDecoder().decode(bytes))).toEqual(sampleStage(4));
  });

  it('rejects bytes that are not JSON, or JSON that is not an object', () => {
    expect(decodeStage('{"version":')).toBeUndefined();
    expect(decodeStage(new Uint8Array([0xff, 0xfe, 0x00]))).toBeUndefined();
    expect(decodeStage('null')).toBeUndefined();
    expect(decodeStage('42')).toBeUndefined();
    expect(decodeStage('"stage"')).toBeUndefined();
  });

  it('rejects a stage whose view version differs from its own', () => {
    const stage = sampleStage(4);
    stage.view.version = 3;
    expect(decodeStage(JSON.stringify(stage))).toBeUndefined();
  });

  it('rejects a stage missing its version, view, rules, polls or blocked terms', () => {
    const { version: _v, ...noVersion } = sampleStage(1);
    const { view: _view, ...noView } = sampleStage(1);
    const { rules: _rules, ...noRules } = sampleStage(1);
    const noPolls = sampleStage(1) as unknown as { view: { polls?: unknown } };
    delete noPolls.view.polls;
    const noTerms = sampleStage(1) as unknown as { rules: { blockedTerms: unknown } };
    noTerms.rules.blockedTerms = 'spoiler';
    for (const bad of [noVersion, noView, noRules, noPolls, noTerms]) {
      expect(decodeStage(JSON.stringify(bad))).toBeUndefined();
    }
    expect(decodeStage(JSON.stringify({ ...sampleStage(1), version: '1' }))).toBeUndefined();
  });
});
