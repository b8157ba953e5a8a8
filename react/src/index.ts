// The public face of @fanfare/react: a provider and hooks over @fanfare/sdk, so an integrator
// puts Fanfare's chat, reactions, polls, viewer count, watch parties and player into their own
// React site. Hooks see the client of the nearest FanfareProvider.

export {
  FanfareProvider,
  useFanfare,
  useFanfareClient,
  type FanfareProviderProps,
} from './provider.js';
export { useClientEvent } from './use-client-event.js';
export { useConnection, type Connection } from './use-connection.js';
export { useStage } from './use-stage.js';
export { useChat, type Chat } from './use-chat.js';
export { usePoll, type Poll } from './use-poll.js';
export { useReactions, type Reactions } from './use-reactions.js';
export { usePresence } from './use-presence.js';
export { useWatchParty, PARTY_CHAT_KEPT, type WatchPartyState } from './use-watch-party.js';
export {
  usePlayback,
  webrtcPlayable,
  type PlaybackOptions,
  type PlaybackState,
  type PlaybackStatus,
} from './use-playback.js';
export { CHAT_LINES_KEPT, appendMessage, removeMessage } from './chat-list.js';
export {
  chatRefusal,
  closedRefusal,
  formatWait,
  refusalText,
  type ChatRefusal,
} from './chat-refusal.js';
export { ChatStore, ViewerStore, storesFor, type ClientStores } from './client-stores.js';
export { currentPoll, optionShares, type OptionShare } from './poll-view.js';
export { SpoilerFree, type SpoilerFreeState } from './spoiler-free.js';
export {
  useSpoilerFree,
  useSpoilerFreePlayer,
  useSpoilerGate,
  type SpoilerFreeControl,
} from './use-spoiler-free.js';
export {
  BURSTS_MAX,
  BURST_LIFETIME_MS,
  addBursts,
  liveBursts,
  type Burst,
} from './reaction-bursts.js';
