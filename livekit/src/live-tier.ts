// The seam for the sub-second (WebRTC) video tier. Everything Fanfare asks of an SFU is here:
// a room per event, subscribe-only viewer tokens, removing a viewer, the producer's WHIP ingest
// and an egress that feeds the LL-HLS packager. One implementation today, LiveKitTier, which is
// the only module that talks to LiveKit; the API holds this interface, never the SDK.

/** What a room's metadata carries: the event's state as the SFU's clients may read it. */
export interface RoomState {
  eventId: string;
  /** The event's lifecycle state (`scheduled`, `live`, ...). */
  state: string;
  title: string;
}

/** A subscribe-only token for one viewer of one event's room. */
export interface ViewerGrant {
  /** The SFU's signalling URL (`wss://…`) the client connects to. */
  url: string;
  /** A LiveKit access token: `roomJoin`, `canSubscribe`, no publish, no data publish. */
  token: string;
  /** The room's name. */
  room: string;
  /** When the token stops admitting a connection, ms since the Unix epoch. */
  expiresAt: number;
}

export interface ViewerIdentity {
  /** Stable per user; the same user joining twice replaces their earlier connection. */
  identity: string;
  name: string;
}

/** How the producer's encoder reaches the room. */
export type IngestMode = 'ingress' | 'whip';

/** Where and with what the producer's encoder publishes (WHIP: POST an SDP offer to `url`). */
export interface IngestPoint {
  mode: IngestMode;
  /** The WHIP endpoint. */
  url: string;
  /**
   * The secret the encoder presents: the ingress stream key (`ingress`), or a publish-only
   * access token for the room (`whip`), sent as `Authorization: Bearer <key>`.
   */
  streamKey: string;
  /** The ingress id (`ingress` mode only): what ingress webhooks name. */
  ingressId?: string;
}

/** An ingest's address without its secret. */
export interface IngestAddress {
  mode: IngestMode;
  /** The WHIP endpoint; null when no ingress was opened yet (`ingress` mode). */
  url: string | null;
}

/** A running egress of a room into an RTMP or SRT listener. */
export interface EgressHandle {
  egressId: string;
}

/**
 * Every method rejects with LiveTierError when the SFU refuses or cannot be reached; none
 * retries. Room-scoped methods are idempotent where the SFU allows it: `openRoom` on an
 * existing room updates its metadata, `closeRoom` and `removeViewer` on something already gone
 * resolve false.
 */
export interface LiveTier {
  /** The room name of an event (a pure function of the event id). */
  roomOf(eventId: string): string;
  /** Creates the event's room (or updates its metadata when it exists). */
  openRoom(room: RoomState): Promise<void>;
  /** Deletes the event's room, disconnecting everyone in it. False when there was none. */
  closeRoom(eventId: string): Promise<boolean>;
  /** Mints a subscribe-only token; no call to the SFU. */
  viewerToken(eventId: string, viewer: ViewerIdentity): Promise<ViewerGrant>;
  /** Disconnects a viewer from the event's room. False when they were not in it. */
  removeViewer(eventId: string, identity: string): Promise<boolean>;
  /** The producer's ingest for the event: reuses an existing ingress for the room. */
  openIngest(eventId: string): Promise<IngestPoint>;
  /**
   * Where the event's encoder would publish, without its secret and without opening anything:
   * `whip` mode always knows it (a fixed endpoint); `ingress` mode only once `openIngest` made
   * the ingress (`url` null before).
   */
  findIngest(eventId: string): Promise<IngestAddress>;
  /** Starts an egress of the event's room to `url` (`rtmp://…`, `rtmps://…` or `srt://…`). */
  startEgress(eventId: string, url: string): Promise<EgressHandle>;
  /** Stops an egress. False when it had already ended. */
  stopEgress(egressId: string): Promise<boolean>;
}

/** Why a LiveTier call failed: the SFU's Twirp code (`not_found`, `unauthenticated`, ...). */
export class LiveTierError extends Error {
  override readonly name = 'LiveTierError';
  readonly code: string;
  readonly status: number | undefined;

  constructor(message: string, code: string, status: number | undefined, cause?: unknown) {
    super(message, { cause });
    this.code = code;
    this.status = status;
  }
}
