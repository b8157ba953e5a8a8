// The public face of @fanfare/livekit: the WebRTC tier's seam and its LiveKit implementation,
// and LiveKit's webhooks verified. No logic here.

export {
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
export {
  LIVEKIT_REQUEST_TIMEOUT_S,
  LiveKitTier,
  PRODUCER_IDENTITY_PREFIX,
  ROOM_EMPTY_TIMEOUT_S,
  VIEWER_TOKEN_TTL_S,
  WHIP_TOKEN_TTL_S,
  type LiveKitTierOptions,
} from './livekit-tier.js';
export {
  LiveKitWebhooks,
  WEBHOOK_CLOCK_TOLERANCE_S,
  WebhookRejectedError,
  type LiveNotice,
  type VerifiedWebhook,
} from './livekit-webhooks.js';
