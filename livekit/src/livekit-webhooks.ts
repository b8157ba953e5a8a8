// LiveKit's webhooks, verified as LiveKit signs them (livekit/protocol webhook/url_notifier.go):
// the raw JWT in `Authorization` (no "Bearer"), HS256 with the API secret, `iss` the API key,
// `exp` five minutes after sending, and the base64 SHA-256 of the exact body bytes in the `sha256`
// claim. Verification is the SDK's WebhookReceiver; this module turns the verified event into
// the few notices Fanfare acts on, keyed by the event they concern.

import { WebhookReceiver } from 'livekit-server-sdk';
import { PRODUCER_IDENTITY_PREFIX } from './livekit-tier.js';

/** Clock skew tolerated on the token's `exp`/`nbf`, seconds (the SDK's default). */
export const WEBHOOK_CLOCK_TOLERANCE_S = 10;

/** What a verified webhook means for Fanfare. */
export type LiveNotice =
  | { kind: 'ingest'; eventId: string; live: boolean }
  | { kind: 'room-finished'; eventId: string }
  | { kind: 'viewer-joined'; eventId: string; identity: string }
  | { kind: 'viewer-left'; eventId: string; identity: string };

export interface VerifiedWebhook {
  /** LiveKit's unique id of this delivery's event: the idempotency key. */
  id: string;
  /** LiveKit's name for it (`participant_joined`, ...). */
  event: string;
  /** When LiveKit created it, seconds since the Unix epoch. */
  createdAt: number;
  /** Undefined for an event Fanfare ignores (track published, another deployment's room). */
  notice: LiveNotice | undefined;
}

/** A webhook that is unsigned, signed with another secret, tampered with or expired. */
export class WebhookRejectedError extends Error {
  override readonly name = 'WebhookRejectedError';
}

export class LiveKitWebhooks {
  readonly #receiver: WebhookReceiver;
  readonly #roomPrefix: string;

  constructor(options: { apiKey: string; apiSecret: string; roomPrefix: string }) {
    this.#receiver = new WebhookReceiver(options.apiKey, options.apiSecret);
    this.#roomPrefix = options.roomPrefix;
  }

  /** Verifies the exact body text against the `Authorization` header, then reads it. */
  async verify(body: string, authorization: string | undefined): Promise<VerifiedWebhook> {
    // WebhookReceiver would take "Bearer x" as a malformed JWT anyway; say why plainly.
    if (!authorization) throw new WebhookRejectedError('no Authorization header');
    let event;
    try {
      event = await this.#receiver.receive(body, authorization, false, WEBHOOK_CLOCK_TOLERANCE_S);
    } catch (err) {
      throw new WebhookRejectedError('webhook signature, checksum or body refused', {
        cause: err,
      });
    }
    if (!event.id) throw new WebhookRejectedError('webhook without an id');
    return {
      id: event.id,
      event: event.event,
      createdAt: Number(event.createdAt),
      notice: this.#notice(event),
    };
  }

  #eventOf(room: string | undefined): string | undefined {
    if (!room?.startsWith(this.#roomPrefix)) return undefined;
    const eventId = room.slice(this.#roomPrefix.length);
    return eventId === '' ? undefined : eventId;
  }

  #notice(event: Awaited<ReturnType<WebhookReceiver['receive']>>): LiveNotice | undefined {
    switch (event.event) {
      case 'ingress_started':
      case 'ingress_ended': {
        const eventId = this.#eventOf(event.ingressInfo?.roomName);
        return eventId
          ? { kind: 'ingest', eventId, live: event.event === 'ingress_started' }
          : undefined;
      }
      case 'room_finished': {
        const eventId = this.#eventOf(event.room?.name);
        return eventId ? { kind: 'room-finished', eventId } : undefined;
      }
      case 'participant_joined':
      case 'participant_left':
      case 'participant_connection_aborted': {
        const eventId = this.#eventOf(event.room?.name);
        const identity = event.participant?.identity;
        if (!eventId || !identity) return undefined;
        // The native-WHIP publisher is a participant too: its arrival is the ingest starting.
        if (identity.startsWith(PRODUCER_IDENTITY_PREFIX)) {
          return { kind: 'ingest', eventId, live: event.event === 'participant_joined' };
        }
        const kind = event.event === 'participant_joined' ? 'viewer-joined' : 'viewer-left';
        return { kind, eventId, identity };
      }
      default:
        return undefined;
    }
  }
}
