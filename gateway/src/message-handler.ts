// The uWS message handler: what happens to one client frame (flood control, size and type checks,
// decode, dispatch).
// Every refusal is an error frame with a code; only a flood closes the socket (4002).

import { Close, decodeClientMessage, type Pong } from '@fanfare/protocol';
import type { GatewayConfig } from './config.js';
import type { PartyActions } from './party-actions.js';
import type { QoeMetrics } from './qoe-metrics.js';
import { sendError, sendTo } from './send.js';
import type { Logger, QoeAggregator } from '@fanfare/fanout';
import { endSession, sessionOf, takeFrame, type Socket } from './session.js';

export interface MessageHandlerDeps {
  config: GatewayConfig;
  now: () => number;
  logger: Logger;
  parties: PartyActions;
  qoe: QoeMetrics;
  /** The shard's QoE windows for the API's roll-up (per event). */
  qoeWindows: QoeAggregator;
}

export function createMessageHandler(deps: MessageHandlerDeps) {
  const { config, logger } = deps;
  return (ws: Socket, data: ArrayBuffer, isBinary: boolean): void => {
    const session = sessionOf(ws);
    if (session.closed) return;
    const now = deps.now();
    if (!takeFrame(session, config.frames, now)) {
      endSession(ws, session, Close.flood, 'flood');
      return;
    }
    if (isBinary) {
      sendError(ws, session, 'binary_unsupported', 'send JSON text frames');
      return;
    }
    if (data.byteLength > config.maxFrameBytes) {
      sendError(
        ws,
        session,
        'frame_too_large',
        `frames are limited to ${config.maxFrameBytes} bytes`,
      );
      return;
    }
    // uWS has already refused text that is not UTF-8; this view copies nothing.
    const decoded = decodeClientMessage(Buffer.from(data).toString('utf8'));
    if (!decoded.ok) {
      sendError(ws, session, decoded.error.code, decoded.error.message, { ref: decoded.error.ref });
      return;
    }
    const msg = decoded.value;
    switch (msg.type) {
      case 'chat.send':
        session.room.chat(ws, session, msg).catch((err: unknown) => {
          logger.error('chat handling failed', { err });
          sendError(ws, session, 'internal', 'internal error; nothing was sent', { ref: msg.ref });
        });
        return;
      case 'vote':
        session.room.vote(ws, session, msg).catch((err: unknown) => {
          logger.error('vote handling failed', { err });
          sendError(ws, session, 'internal', 'internal error; vote not counted', { ref: msg.ref });
        });
        return;
      case 'react':
        session.room.react(ws, session, msg.emoji, msg.count ?? 1);
        return;
      case 'party.create':
      case 'party.join':
      case 'party.leave':
      case 'party.chat':
      case 'party.command':
      case 'party.ready':
      case 'party.host':
        deps.parties.handle(ws, session, msg).catch((err: unknown) => {
          logger.error('party handling failed', { err, type: msg.type });
          const ref = 'ref' in msg ? msg.ref : undefined;
          sendError(ws, session, 'internal', 'internal error; nothing changed', { ref });
        });
        return;
      case 'qoe': {
        // The fan token's `cty` (the API's country source at the join), else `unknown`.
        const country = session.country;
        deps.qoe.record(msg, country);
        deps.qoeWindows.record(session.eventId, country, msg);
        return;
      }
      case 'ping': {
        const pong: Pong = { type: 'pong', serverTime: now };
        if (msg.ref !== undefined) pong.ref = msg.ref;
        if (msg.t !== undefined) pong.t = msg.t;
        sendTo(ws, session, pong);
        return;
      }
    }
  };
}
