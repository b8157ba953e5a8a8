// Small steps the watch-party tests repeat: create, join, and wait for a party state.

import type { PartyView, Timeline } from '@fanfare/protocol';
import type { FanClient } from '@fanfare/testkit';

let refs = 0;

/** Creates a party as `fan` and returns the view answering it. */
export async function createParty(
  fan: FanClient,
  options: { media?: string; maxSize?: number } = {},
): Promise<PartyView> {
  const ref = `c${++refs}`;
  fan.send({ type: 'party.create', media: options.media ?? 'film', ref, ...options });
  return (await fan.next('party', (f) => f.ref === ref)).party;
}

/** Sends `party.join` and returns the `party` or `error` frame answering it. */
export async function joinParty(fan: FanClient, code: string) {
  const ref = `j${++refs}`;
  fan.send({ type: 'party.join', code, ref });
  await fan.until('an answer to the join', (frames) =>
    frames.some((f) => (f.type === 'party' || f.type === 'error') && f.ref === ref),
  );
  return fan.frames.find((f) => (f.type === 'party' || f.type === 'error') && f.ref === ref)!;
}

/** The next `party` frame (without a ref, or any) whose view satisfies `check`. */
export async function partyWhere(
  fan: FanClient,
  check: (party: PartyView) => boolean,
): Promise<PartyView> {
  return (await fan.next('party', (f) => check(f.party))).party;
}

/** The next `party.timeline` frame whose timeline satisfies `check`. */
export async function timelineWhere(
  fan: FanClient,
  check: (timeline: Timeline) => boolean,
): Promise<Timeline> {
  return (await fan.next('party.timeline', (f) => check(f.timeline))).timeline;
}

/** Resolves once every frame the gateway sent `fan` before this call has arrived. */
export async function barrier(fan: FanClient): Promise<void> {
  const ref = `b${++refs}`;
  fan.send({ type: 'ping', ref });
  await fan.next('pong', (p) => p.ref === ref);
}

export const online = (party: PartyView, userId: string): boolean | undefined =>
  party.members.find((m) => m.userId === userId)?.online;
