// What goes on the bus when a sanction changes: enough for a shard to act at once (close a
// banned fan's sockets) without a store read. Notices are at-most-once; shards also re-check the
// store's version every second, so a lost notice delays enforcement by at most that.

import type { Sanction } from './sanction-store.js';

export interface SanctionNotice {
  /** The store's version after the change. */
  version: number;
  userId: string;
  /** The sanction now in force, or null when it was lifted. */
  sanction: Sanction | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSanctionNotice(notice: SanctionNotice): Uint8Array {
  return encoder.encode(JSON.stringify(notice));
}

/** The notice, or undefined when `data` is not one (it is then ignored, not trusted). */
export function decodeSanctionNotice(data: Uint8Array): SanctionNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined; // not JSON: nothing to act on
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, userId, sanction } = value as Partial<SanctionNotice>;
  if (typeof version !== 'number' || typeof userId !== 'string') return undefined;
  if (sanction === null) return { version, userId, sanction: null };
  if (typeof sanction !== 'object' || sanction === undefined || sanction.userId !== userId) {
    return undefined;
  }
  if (sanction.kind !== 'ban' && sanction.kind !== 'timeout') return undefined;
  return { version, userId, sanction };
}
