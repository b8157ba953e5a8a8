// Test-only exports: the strict LiveKit contract server and the suite every LiveTier runs.
export {
  LiveKitContractServer,
  MAX_API_REQUEST_BODY_BYTES,
  WEBHOOK_VALID_S,
  type ContractServerOptions,
  type SignedWebhook,
} from './contract-server.js';
export type {
  EgressRecord,
  IngressRecord,
  ParticipantRecord,
  RoomRecord,
} from './contract-rooms.js';
export { liveTierContract, type LiveTierFixture } from './live-tier.contract.js';
