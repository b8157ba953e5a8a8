// The one module that calls LiveKit (livekit-server-sdk 2.x: Twirp JSON over HTTP, each call
// signed with a short-lived HS256 token carrying just the grant it needs). Trade-off: the room
// is created per event, not per show segment, so a producer's pre-warm and the show share one
// room and one set of viewer tokens.

import {
  AccessToken,
  EgressClient,
  IngressClient,
  IngressInput,
  RoomServiceClient,
  StreamOutput,
  StreamProtocol,
  TwirpError,
} from 'livekit-server-sdk';
import {
  LiveTierError,
  type EgressHandle,
  type IngestMode,
  type IngestAddress,
  type IngestPoint,
  type LiveTier,
  type RoomState,
  type ViewerGrant,
  type ViewerIdentity,
} from './live-tier.js';

/** Lifetime of a viewer token, seconds: it only has to admit the connection (LiveKit refreshes it). */
export const VIEWER_TOKEN_TTL_S = 120;
/** Lifetime of the encoder's publish token in `whip` mode, seconds (a long show plus margin). */
export const WHIP_TOKEN_TTL_S = 12 * 60 * 60;
/** A room with nobody in it closes after this long, seconds (the pre-warm window). */
export const ROOM_EMPTY_TIMEOUT_S = 60 * 60;
/** Each admin call gives up after this long, seconds. */
export const LIVEKIT_REQUEST_TIMEOUT_S = 5;
/** The ingest participant's identity prefix; viewers' identities are user ids, never this. */
export const PRODUCER_IDENTITY_PREFIX = 'producer-';

export interface LiveKitTierOptions {
  /** The server's URL, `https://…` or `wss://…` (the SDK turns ws into http for admin calls). */
  url: string;
  apiKey: string;
  apiSecret: string;
  ingest: IngestMode;
  /** Room names are `<roomPrefix><eventId>`, so several deployments can share one LiveKit. */
  roomPrefix: string;
}

export class LiveKitTier implements LiveTier {
  readonly #options: LiveKitTierOptions;
  readonly #rooms: RoomServiceClient;
  readonly #ingress: IngressClient;
  readonly #egress: EgressClient;
  readonly #wsUrl: string;
  readonly #httpUrl: string;

  constructor(options: LiveKitTierOptions) {
    this.#options = options;
    const { url, apiKey, apiSecret } = options;
    const client = { requestTimeout: LIVEKIT_REQUEST_TIMEOUT_S };
    this.#rooms = new RoomServiceClient(url, apiKey, apiSecret, client);
    this.#ingress = new IngressClient(url, apiKey, apiSecret, client);
    this.#egress = new EgressClient(url, apiKey, apiSecret, client);
    this.#httpUrl = url.replace(/^ws/, 'http').replace(/\/+$/, '');
    this.#wsUrl = this.#httpUrl.replace(/^http/, 'ws');
  }

  roomOf(eventId: string): string {
    return this.#options.roomPrefix + eventId;
  }

  async openRoom(room: RoomState): Promise<void> {
    const name = this.roomOf(room.eventId);
    const metadata = JSON.stringify(room);
    await call('CreateRoom', async () => {
      // CreateRoom answers the existing room unchanged when there is one: then set the metadata.
      const created = await this.#rooms.createRoom({
        name,
        metadata,
        emptyTimeout: ROOM_EMPTY_TIMEOUT_S,
      });
      if (created.metadata !== metadata) await this.#rooms.updateRoomMetadata(name, metadata);
    });
  }

  async closeRoom(eventId: string): Promise<boolean> {
    return gone('DeleteRoom', () => this.#rooms.deleteRoom(this.roomOf(eventId)));
  }

  async viewerToken(eventId: string, viewer: ViewerIdentity): Promise<ViewerGrant> {
    const room = this.roomOf(eventId);
    const at = new AccessToken(this.#options.apiKey, this.#options.apiSecret, {
      identity: viewer.identity,
      name: viewer.name,
      ttl: VIEWER_TOKEN_TTL_S,
    });
    at.addGrant({
      room,
      roomJoin: true,
      canSubscribe: true,
      canPublish: false,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });
    const token = await at.toJwt();
    return { url: this.#wsUrl, token, room, expiresAt: Date.now() + VIEWER_TOKEN_TTL_S * 1000 };
  }

  async removeViewer(eventId: string, identity: string): Promise<boolean> {
    return gone('RemoveParticipant', () =>
      this.#rooms.removeParticipant(this.roomOf(eventId), identity),
    );
  }

  async openIngest(eventId: string): Promise<IngestPoint> {
    const room = this.roomOf(eventId);
    const identity = PRODUCER_IDENTITY_PREFIX + eventId;
    if (this.#options.ingest === 'whip') {
      // LiveKit's native WHIP endpoint: the encoder's bearer token is a publish-only join token.
      const at = new AccessToken(this.#options.apiKey, this.#options.apiSecret, {
        identity,
        name: 'producer',
        ttl: WHIP_TOKEN_TTL_S,
      });
      at.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: false });
      return { mode: 'whip', url: `${this.#httpUrl}/whip/v1`, streamKey: await at.toJwt() };
    }
    return call('CreateIngress', async () => {
      const existing = (await this.#ingress.listIngress({ roomName: room })).find(
        (i) => i.inputType === IngressInput.WHIP_INPUT && i.participantIdentity === identity,
      );
      const info =
        existing ??
        (await this.#ingress.createIngress(IngressInput.WHIP_INPUT, {
          name: `fanfare ${eventId}`,
          roomName: room,
          participantIdentity: identity,
          participantName: 'producer',
        }));
      return {
        mode: 'ingress' as const,
        url: info.url,
        streamKey: info.streamKey,
        ingressId: info.ingressId,
      };
    });
  }

  async findIngest(eventId: string): Promise<IngestAddress> {
    if (this.#options.ingest === 'whip') return { mode: 'whip', url: `${this.#httpUrl}/whip/v1` };
    const identity = PRODUCER_IDENTITY_PREFIX + eventId;
    return call('ListIngress', async () => {
      const found = (await this.#ingress.listIngress({ roomName: this.roomOf(eventId) })).find(
        (i) => i.inputType === IngressInput.WHIP_INPUT && i.participantIdentity === identity,
      );
      return { mode: 'ingress' as const, url: found?.url ?? null };
    });
  }

  async startEgress(eventId: string, url: string): Promise<EgressHandle> {
    const protocol = url.startsWith('srt://') ? StreamProtocol.SRT : StreamProtocol.RTMP;
    return call('StartRoomCompositeEgress', async () => {
      const info = await this.#egress.startRoomCompositeEgress(
        this.roomOf(eventId),
        { stream: new StreamOutput({ protocol, urls: [url] }) },
        { layout: 'speaker' },
      );
      return { egressId: info.egressId };
    });
  }

  async stopEgress(egressId: string): Promise<boolean> {
    // An ended egress is `failed_precondition` ("cannot be stopped"), an unknown one `not_found`.
    return gone('StopEgress', () => this.#egress.stopEgress(egressId), 'failed_precondition');
  }
}

/** Runs one SDK call, turning its failure into a LiveTierError naming the RPC. */
async function call<T>(rpc: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof TwirpError) {
      throw new LiveTierError(`${rpc}: ${err.message}`, err.code ?? 'unknown', err.status, err);
    }
    throw new LiveTierError(`${rpc}: LiveKit unreachable`, 'unavailable', undefined, err);
  }
}

/** Like `call`, for removals: false when LiveKit answers that the thing is already gone. */
async function gone(rpc: string, run: () => Promise<unknown>, alsoGone?: string): Promise<boolean> {
  try {
    await call(rpc, run);
    return true;
  } catch (err) {
    if (err instanceof LiveTierError && (err.code === 'not_found' || err.code === alsoGone))
      return false;
    throw err;
  }
}
