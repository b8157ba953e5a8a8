export {
  FanClient,
  WAIT_LIMIT_MS,
  connectFan,
  expectRefused,
  type Closed,
  type ConnectOptions,
  type FrameOf,
  type Refusal,
} from './fan-client.js';
