// The slow-consumer policy, applied by a periodic sweep over a room's sockets: past
// `signalDropBytes` buffered a fan stops getting superseded frames (reactions, presence); past
// `slowCloseBytes` it is closed with 4001. Chat is never skipped for a fan that stays connected.

import type { BackpressureLimits } from './config.js';
import { sessionOf, type Socket } from './session.js';

/** What one slow-consumer sweep found. */
export interface SweepResult {
  /** Sockets that are not getting superseded frames now. */
  lagging: number;
  /** Sockets closed with 4001 by this sweep. */
  closedSlow: number;
}

export function sweepSockets(
  sockets: Iterable<Socket>,
  signalTopic: string,
  limits: BackpressureLimits,
  closeSlow: (ws: Socket) => void,
): SweepResult {
  const result: SweepResult = { lagging: 0, closedSlow: 0 };
  for (const ws of sockets) {
    const session = sessionOf(ws);
    if (session.closed) continue;
    const buffered = ws.getBufferedAmount();
    if (buffered > limits.slowCloseBytes) {
      closeSlow(ws);
      result.closedSlow++;
      continue;
    }
    if (buffered > limits.signalDropBytes && !session.lagging) {
      session.lagging = true;
      ws.unsubscribe(signalTopic);
    }
    if (session.lagging) result.lagging++;
  }
  return result;
}
