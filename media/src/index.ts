// The public face of @fanfare/media: Fanfare's LL-HLS packager and origin. No logic here.

export type {
  PartInfo,
  RenditionReport,
  RenditionUris,
  RenditionWindow,
  SegmentInfo,
} from './playlist.js';
export {
  renderMasterPlaylist,
  renderMediaPlaylist,
  type MediaPlaylistOptions,
  type Variant,
} from './playlist-render.js';
export {
  MIN_TOKEN_SECRET_BYTES,
  checkPlaybackToken,
  mintPlaybackToken,
  type PlaybackClaims,
  type TokenCheck,
} from './playback-token.js';
export { MASTER_PLAYLIST, masterPlaylistPath } from './resource-names.js';
export { EDGE_WARM_TIMEOUT_MS, warmEdge, type EdgeWarm } from './edge-warm.js';
export {
  ControlRoutes,
  StreamConflictError,
  controlToken,
  type ControlledStreams,
  type StreamInfo,
} from './control-routes.js';
export { hashStreamKey } from './ingest-routes.js';
export {
  ConfigError as MediaConfigError,
  MEDIA_VARIABLES,
  loadMediaConfig,
  type MediaConfig,
} from './config.js';
export { ffmpegAvailable, ffmpegWorks } from './ffmpeg-check.js';
