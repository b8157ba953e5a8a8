// The one place subject names are built. Every subject starts with a prefix (per deployment, or
// per test run so runs never see each other) and names the event it belongs to, so a shard
// subscribes only to the events it serves: there is no global channel every shard receives.

import { isEventId } from '@fanfare/protocol';

export interface Subjects {
  readonly prefix: string;
  /** Core (ephemeral): per-shard partial reaction counts for one event. */
  reactions(eventId: string): string;
  /** Core (ephemeral): per-shard viewer counts for one event. */
  presence(eventId: string): string;
  /** Core (ephemeral): notice of a change to the event's sanctions (the store holds them). */
  sanctions(eventId: string): string;
  /** Core (ephemeral): the event's new stage after a change (the store holds it). */
  stage(eventId: string): string;
  /** Core (ephemeral): a watch party's changes and chat, for the shards holding its members. */
  party(eventId: string, partyId: string): string;
  /**
   * Core (ephemeral): every shard's QoE windows (qoe-window.ts), for the API's roll-up. The one
   * subject not scoped to an event: only API processes subscribe to it, never a shard.
   */
  qoe(): string;
  /**
   * Core (ephemeral): the API's pre-warm signals (prewarm-signal.ts). Not scoped to an event, as
   * a shard must hear of an event before it serves it; every shard subscribes, and the API sends
   * on it only when an SRE posts a pre-warm (a few messages per event, never per fan).
   */
  prewarm(): string;
  /** Ordered log (JetStream in the distributed mode): chat and other sequenced records. */
  log(eventId: string): string;
  /**
   * The JetStream stream holding one event's log (its single subject is `log(eventId)`).
   * Stream names may not contain '.', so the prefix's dots become '_': prefixes that differ
   * only in '.' versus '_' share streams and must not be used side by side.
   */
  logStream(eventId: string): string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function createSubjects(prefix = 'fanfare'): Subjects {
  if (!PREFIX_PATTERN.test(prefix)) throw new TypeError(`invalid subject prefix: ${prefix}`);
  const checked = (eventId: string): string => {
    if (!isEventId(eventId)) throw new TypeError(`invalid event id: ${eventId}`);
    return eventId;
  };
  const scoped = (eventId: string, leaf: string): string =>
    `${prefix}.ev.${checked(eventId)}.${leaf}`;
  // Event ids and prefixes hold no '*', '>', whitespace or path separators (both patterns).
  const streamPrefix = `${prefix.replaceAll('.', '_')}_ev_`;
  return {
    prefix,
    reactions: (eventId) => scoped(eventId, 'reactions'),
    presence: (eventId) => scoped(eventId, 'presence'),
    sanctions: (eventId) => scoped(eventId, 'sanctions'),
    stage: (eventId) => scoped(eventId, 'stage'),
    party: (eventId, partyId) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(partyId))
        throw new TypeError(`invalid party id: ${partyId}`);
      return scoped(eventId, `party.${partyId}`);
    },
    qoe: () => `${prefix}.qoe.windows`,
    prewarm: () => `${prefix}.ctl.prewarm`,
    log: (eventId) => scoped(eventId, 'log'),
    logStream: (eventId) => `${streamPrefix}${checked(eventId)}`,
  };
}
