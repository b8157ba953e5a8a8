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
export { CHROMIUM_PATH, chromiumAvailable, launchChromium } from './browser.js';
export type { Browser, Page } from 'playwright-core';
export { freePort } from './free-port.js';
export {
  runProducerFlow,
  type ProducerFlowOptions,
  type ProducerFlowResult,
} from './producer-flow.js';
export {
  startDelayProxy,
  type DelayProxy,
  type DelayProxyOptions,
  type PathDelay,
} from './delay-proxy.js';
export {
  OTLP_WAIT_LIMIT_MS,
  attributeOf,
  startOtlpReceiver,
  type OtlpAttribute,
  type OtlpReceiver,
  type OtlpRequest,
  type OtlpSpan,
  type OtlpTraceExport,
  type ReceivedSpan,
} from './otlp-receiver.js';
