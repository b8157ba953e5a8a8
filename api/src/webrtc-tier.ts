// The API's side of the WebRTC tier: it decides a join's tier (tier-choice.ts) against the
// shared seat count, keeps each event's LiveKit room in step with the event's lifecycle, removes
// banned viewers, opens the producer's WHIP ingest, and applies LiveKit's webhooks to the seats
// and the ingest status. Every LiveKit call goes through the LiveTier seam (@fanfare/livekit).
// Trade-off: a LiveKit or Redis failure never fails a join, a lifecycle move or a ban; the join
// falls back to LL-HLS and the rest is logged (a room left open closes on LiveKit's empty
// timeout; a viewer not removed holds a 2-minute token that cannot be renewed by a banned fan).

import type { Clock, Logger, SeatStore } from '@fanfare/fanout';
import {
  LiveKitTier,
  LiveKitWebhooks,
  type EgressHandle,
  type IngestPoint,
  type LiveKitTierOptions,
  type LiveNotice,
  type LiveTier,
} from '@fanfare/livekit';
import type { Entitlement, LlHlsPlayback, Playback, Role } from '@fanfare/protocol';
import {
  SEAT_CONNECTED_LEASE_MS,
  SEAT_PENDING_LEASE_MS,
  hasSeatPriority,
  planTier,
} from './tier-choice.js';

/** Webhook ids remembered per process to drop redeliveries (effects are idempotent anyway). */
export const WEBHOOK_IDS_REMEMBERED = 10_000;

export interface WebrtcTierDeps {
  tier: LiveTier;
  webhooks: LiveKitWebhooks;
  seats: SeatStore;
  clock: Clock;
  logger: Logger;
}

export interface TierRequest {
  eventId: string;
  /** The event's seat budget (`webrtcSeats`); 0: the tier is off for it. */
  budget: number;
  user: { id: string; name: string; role: Role };
  ent: readonly Entitlement[];
  /** The join asked for `webrtc` (`"tiers"` in its body). */
  asked: boolean;
}

/** What a webhook did: `duplicate` when its id was seen already, `ignored` when not ours. */
export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

export class WebrtcTier {
  readonly #deps: WebrtcTierDeps;
  readonly #seen = new Set<string>();

  constructor(deps: WebrtcTierDeps) {
    this.#deps = deps;
  }

  /**
   * The join's playback: WebRTC when the plan says claim and a seat is granted, else the LL-HLS
   * one. Either way `fallback` is the LL-HLS URL. Never rejects: a seat store or token failure
   * answers LL-HLS.
   */
  async choose(request: TierRequest, llHls: LlHlsPlayback): Promise<Playback> {
    const plan = planTier({
      tierOn: true,
      budget: request.budget,
      asked: request.asked,
      priority: hasSeatPriority(request.user.role, request.ent),
    });
    if (!plan.claim) return llHls;
    const now = this.#deps.clock.now();
    try {
      const claim = await this.#deps.seats.claim(
        request.eventId,
        request.user.id,
        plan.limit,
        now,
        now + SEAT_PENDING_LEASE_MS,
      );
      if (!claim.granted) return llHls;
      const grant = await this.#deps.tier.viewerToken(request.eventId, {
        identity: request.user.id,
        name: request.user.name,
      });
      return { tier: 'webrtc', ...grant, fallback: llHls.url };
    } catch (err) {
      this.#deps.logger.warn('webrtc seat not given; answering ll-hls', {
        eventId: request.eventId,
        err,
      });
      return llHls;
    }
  }

  /**
   * Keeps the room in step with the event: open (metadata = state) while scheduled or live,
   * closed when ended or archived. Logs and resolves on a LiveKit failure.
   */
  async eventChanged(event: { id: string; state: string; title: string }): Promise<void> {
    try {
      if (event.state === 'scheduled' || event.state === 'live') {
        await this.#deps.tier.openRoom({
          eventId: event.id,
          state: event.state,
          title: event.title,
        });
      } else if (event.state === 'ended' || event.state === 'archived') {
        await this.#deps.tier.closeRoom(event.id);
        await this.#deps.seats.releaseAll(event.id);
      }
    } catch (err) {
      this.#deps.logger.warn('livekit room not updated', { eventId: event.id, err });
    }
  }

  /** A banned fan leaves the room and gives its seat back; the join refuses it a new token. */
  async banned(eventId: string, userId: string): Promise<void> {
    try {
      await this.#deps.tier.removeViewer(eventId, userId);
      await this.#deps.seats.release(eventId, userId);
    } catch (err) {
      this.#deps.logger.warn('banned viewer not removed from the livekit room', { eventId, err });
    }
  }

  /** The producer's WHIP ingest for the event (rejects with LiveTierError). */
  openIngest(eventId: string): Promise<IngestPoint> {
    return this.#deps.tier.openIngest(eventId);
  }

  /** Starts the room's egress into `url` (RTMP or SRT; rejects with LiveTierError). */
  startEgress(eventId: string, url: string): Promise<EgressHandle> {
    return this.#deps.tier.startEgress(eventId, url);
  }

  /** Seats held now and the ingest status LiveKit last reported. */
  async status(eventId: string) {
    const [held, ingest] = await Promise.all([
      this.#deps.seats.held(eventId, this.#deps.clock.now()),
      this.#deps.seats.ingest(eventId),
    ]);
    return { room: this.#deps.tier.roomOf(eventId), held, ingest: ingest ?? null };
  }

  /**
   * Verifies a webhook (rejects with WebhookRejectedError, changing nothing) and applies it once
   * per id in this process; a redelivery to another replica applies again, harmlessly (every
   * effect is idempotent: confirm, release, latest ingest status).
   */
  async receive(body: string, authorization: string | undefined): Promise<WebhookOutcome> {
    const hook = await this.#deps.webhooks.verify(body, authorization);
    if (this.#seen.has(hook.id)) return 'duplicate';
    if (hook.notice) await this.#apply(hook.notice, hook.createdAt * 1000);
    // Remembered only once applied: a failure (Redis down) lets LiveKit's retry apply it.
    this.#seen.add(hook.id);
    if (this.#seen.size > WEBHOOK_IDS_REMEMBERED) {
      this.#seen.delete(this.#seen.values().next().value!);
    }
    return hook.notice ? 'applied' : 'ignored';
  }

  async #apply(notice: LiveNotice, at: number): Promise<void> {
    const { seats, clock } = this.#deps;
    switch (notice.kind) {
      case 'ingest':
        return seats.setIngest(notice.eventId, { live: notice.live, at });
      case 'room-finished':
        return seats.releaseAll(notice.eventId);
      case 'viewer-joined':
        return seats.confirm(
          notice.eventId,
          notice.identity,
          clock.now() + SEAT_CONNECTED_LEASE_MS,
        );
      case 'viewer-left':
        await seats.release(notice.eventId, notice.identity);
    }
  }
}

/**
 * The tier for the configured LiveKit (LIVEKIT_*), or undefined when it is not configured: the
 * one place main.ts and the tests build it.
 */
export function openWebrtcTier(
  options: LiveKitTierOptions | undefined,
  parts: { seats: SeatStore; clock: Clock; logger: Logger },
): WebrtcTier | undefined {
  if (!options) return undefined;
  return new WebrtcTier({
    ...parts,
    tier: new LiveKitTier(options),
    webhooks: new LiveKitWebhooks(options),
  });
}
