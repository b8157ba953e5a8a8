// The API's side of the WebRTC tier: it decides a join's tier (tier-choice.ts) against the
// shared seat count, keeps each event's LiveKit room in step with the event's lifecycle, removes
// banned viewers, opens the producer's WHIP ingest, and applies LiveKit's webhooks to the seats
// and the ingest status, starting and stopping the room egress that feeds LL-HLS (EgressFeed) as
// the ingest comes and goes. Every LiveKit call goes through the LiveTier seam (@fanfare/livekit).
// Trade-off: a LiveKit or Redis failure never fails a join, a lifecycle move or a ban; the join
// falls back to LL-HLS and the rest is logged (a room left open closes on LiveKit's empty
// timeout; a viewer not removed holds a 2-minute token that cannot be renewed by a banned fan).

import type { StreamKeyRepo } from '@fanfare/db';
import type { Clock, Logger, SeatStore } from '@fanfare/fanout';
import {
  LiveKitTier,
  LiveKitWebhooks,
  LiveTierError,
  type IngestAddress,
  type IngestPoint,
  type LiveKitTierOptions,
  type LiveNotice,
  type LiveTier,
} from '@fanfare/livekit';
import type { Entitlement, LlHlsPlayback, Playback, Role } from '@fanfare/protocol';
import type { StreamControl } from './stream-control.js';
import { EgressFeed, type EgressStart } from './webrtc-egress.js';
import {
  SEAT_CONNECTED_LEASE_MS,
  SEAT_PENDING_LEASE_MS,
  hasSeatPriority,
  planTier,
} from './tier-choice.js';

/**
 * How long a webhook delivery's id is remembered in the SeatStore (shared by every replica), ms:
 * longer than a delivery stays verifiable (LiveKit signs each attempt for 5 min) and than LiveKit
 * goes on retrying one, so a redelivery to any replica is recognised.
 */
export const WEBHOOK_ID_TTL_MS = 60 * 60 * 1000;

export interface WebrtcTierDeps {
  tier: LiveTier;
  webhooks: LiveKitWebhooks;
  seats: SeatStore;
  clock: Clock;
  logger: Logger;
  /** Feeds the LL-HLS packager from the room; absent without a media process. */
  egress?: EgressFeed | undefined;
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
      const webrtc: Playback = { tier: 'webrtc', ...grant, fallback: llHls.url };
      if (llHls.targetLatencyMs !== undefined) webrtc.targetLatencyMs = llHls.targetLatencyMs;
      return webrtc;
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
        // LiveKit ends the room's egress with the room; this clears the record of it.
        await this.#deps.egress?.stop(event.id);
      }
    } catch (err) {
      this.#deps.logger.warn('livekit room not updated', { eventId: event.id, err });
    }
  }

  /**
   * The pre-warm's step for the tier: opens the event's room now (idempotent) so it is there
   * before the first viewer, and says how that went. A draft has no room yet (`pending`: it opens
   * when the event is scheduled); an ended event has none (`failed`). Never rejects.
   */
  async prewarmRoom(event: {
    id: string;
    state: string;
    title: string;
  }): Promise<{ state: 'ready' | 'pending' | 'failed'; reason: string }> {
    const room = this.#deps.tier.roomOf(event.id);
    if (event.state === 'draft') {
      return { state: 'pending', reason: `a draft: room ${room} opens when it is scheduled` };
    }
    if (event.state !== 'scheduled' && event.state !== 'live') {
      return { state: 'failed', reason: `the event is ${event.state}: its room is closed` };
    }
    try {
      await this.#deps.tier.openRoom({ eventId: event.id, state: event.state, title: event.title });
      return { state: 'ready', reason: `room ${room} is open` };
    } catch (err) {
      const code = err instanceof LiveTierError ? err.code : 'unknown';
      return { state: 'failed', reason: `LiveKit did not open room ${room}: ${code}` };
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

  /**
   * The producer's WHIP ingest for an event that may still take a stream: opens its room first
   * (rooms are never auto-created; a draft's as if scheduled), then the ingest (rejects with
   * LiveTierError).
   */
  async ingestFor(event: { id: string; state: string; title: string }): Promise<IngestPoint> {
    await this.eventChanged({
      ...event,
      state: event.state === 'draft' ? 'scheduled' : event.state,
    });
    return this.#deps.tier.openIngest(event.id);
  }

  /** Where the encoder publishes over WHIP, without the key and opening nothing (LiveTier). */
  findIngest(eventId: string): Promise<IngestAddress> {
    return this.#deps.tier.findIngest(eventId);
  }

  /**
   * Starts the room's egress into the media process unless one runs (rejects with LiveTierError
   * or StreamControlError); undefined when there is no media process to feed.
   */
  startEgress(eventId: string): Promise<EgressStart> | undefined {
    return this.#deps.egress?.start(eventId);
  }

  /** Seats held now, the ingest status LiveKit last reported and the recorded egress. */
  async status(eventId: string) {
    const [held, ingest, egress] = await Promise.all([
      this.#deps.seats.held(eventId, this.#deps.clock.now()),
      this.#deps.seats.ingest(eventId),
      this.#deps.seats.egress(eventId),
    ]);
    return {
      room: this.#deps.tier.roomOf(eventId),
      held,
      ingest: ingest ?? null,
      egress: egress ?? null,
    };
  }

  /**
   * Verifies a webhook (rejects with WebhookRejectedError, changing nothing) and applies it once
   * per delivery id across every replica: the id is taken in the shared SeatStore before the
   * effect and given back if the effect fails (rejecting), so LiveKit's retry applies it.
   */
  async receive(body: string, authorization: string | undefined): Promise<WebhookOutcome> {
    const hook = await this.#deps.webhooks.verify(body, authorization);
    const { seats, clock } = this.#deps;
    const now = clock.now();
    if (!(await seats.takeDelivery(hook.id, now, now + WEBHOOK_ID_TTL_MS))) return 'duplicate';
    try {
      if (hook.notice) await this.#apply(hook.notice, hook.createdAt * 1000);
    } catch (err) {
      await seats.forgetDelivery(hook.id).catch((forgetErr: unknown) => {
        // The effect's error is what LiveKit must see (a 5xx, so it retries); a retry then
        // finds the id taken until its TTL: logged so an operator can tell.
        this.#deps.logger.warn('webhook id not forgotten after a failed effect', {
          id: hook.id,
          err: forgetErr,
        });
      });
      throw err;
    }
    return hook.notice ? 'applied' : 'ignored';
  }

  async #apply(notice: LiveNotice, at: number): Promise<void> {
    const { seats, clock, egress } = this.#deps;
    switch (notice.kind) {
      case 'ingest':
        await seats.setIngest(notice.eventId, { live: notice.live, at });
        // One WHIP ingest feeds both tiers: the room's egress follows the ingest.
        if (notice.live) await egress?.start(notice.eventId);
        else await egress?.stop(notice.eventId);
        return;
      case 'room-finished':
        await seats.releaseAll(notice.eventId);
        await egress?.stop(notice.eventId);
        return;
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
  parts: {
    seats: SeatStore;
    clock: Clock;
    logger: Logger;
    /** The media process and where its key hashes are kept: the room egress feeds LL-HLS. */
    media?: { streams: StreamControl; keys: StreamKeyRepo } | undefined;
  },
): WebrtcTier | undefined {
  if (!options) return undefined;
  const { media, ...rest } = parts;
  const tier = new LiveKitTier(options);
  return new WebrtcTier({
    ...rest,
    tier,
    webhooks: new LiveKitWebhooks(options),
    egress: media && new EgressFeed({ tier, seats: parts.seats, ...media, logger: parts.logger }),
  });
}
