// A stage as bytes: what RedisStageStore keeps and what the API publishes on `subjects.stage`
// after a change (the whole stage: a few KiB at most, so shards apply it without a store read).
// Notices are at-most-once; shards also re-check the store's version every second.

import type { Stage } from './stage-store.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeStage(stage: Stage): Uint8Array {
  return encoder.encode(JSON.stringify(stage));
}

/** The stage, or undefined when `data` is not one (it is then ignored, not trusted). */
export function decodeStage(data: Uint8Array | string): Stage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, view, rules } = value as Partial<Stage>;
  if (typeof version !== 'number' || typeof view !== 'object' || view === null) return undefined;
  if (typeof rules !== 'object' || rules === null || view.version !== version) return undefined;
  if (!Array.isArray(view.polls) || !Array.isArray(rules.blockedTerms)) return undefined;
  return value as Stage;
}
