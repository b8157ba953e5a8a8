// What shards tell each other on a party's subject (`subjects.party`): the whole new record
// after a write (so other shards apply it without a store read), the party's removal, or one
// chat message (never stored). `from` names the sending shard, which has applied the notice
// already and skips its own echo. Notices are at-most-once; the hub's version check against the
// store repairs a lost record notice within a second (a lost chat message stays lost).

import type { PartyChatMessage } from '@fanfare/protocol';
import type { PartyRecord } from '@fanfare/fanout';

export type PartyNotice =
  | { kind: 'party'; from: string; party: PartyRecord }
  | { kind: 'gone'; from: string; partyId: string }
  | { kind: 'chat'; from: string; message: PartyChatMessage };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePartyNotice(notice: PartyNotice): Uint8Array {
  return encoder.encode(JSON.stringify(notice));
}

/** The notice, or undefined for bytes no shard of this version sends. */
export function decodePartyNotice(data: Uint8Array): PartyNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined; // not ours: ignored like any other stray message
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const n = value as Record<string, unknown>;
  if (typeof n.from !== 'string') return undefined;
  const object = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  switch (n.kind) {
    case 'party':
      return object(n.party) &&
        typeof n.party.version === 'number' &&
        Array.isArray(n.party.members) &&
        object(n.party.timeline)
        ? (n as PartyNotice)
        : undefined;
    case 'gone':
      return typeof n.partyId === 'string' ? (n as PartyNotice) : undefined;
    case 'chat':
      return object(n.message) && typeof n.message.text === 'string'
        ? (n as PartyNotice)
        : undefined;
    default:
      return undefined;
  }
}
