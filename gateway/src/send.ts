// Sending one frame to one socket: the only per-recipient send path (broadcasts go through uWS
// topics). Both check `closed`, since an await may have passed since the socket was last seen.

import { encodeServerMessage, type ErrorCode, type ServerMessage } from '@fanfare/protocol';
import type { Session, Socket } from './session.js';

/** Sends one frame to one socket, unless it has closed (an await may have passed). */
export function sendTo(ws: Socket, session: Session, message: ServerMessage): void {
  if (session.closed) return;
  ws.cork(() => ws.send(encodeServerMessage(message)));
}

export function sendError(
  ws: Socket,
  session: Session,
  code: ErrorCode,
  message: string,
  extra: { ref?: string | undefined; retryAfterMs?: number } = {},
): void {
  const frame: ServerMessage = { type: 'error', code, message };
  if (extra.ref !== undefined) frame.ref = extra.ref;
  if (extra.retryAfterMs !== undefined) frame.retryAfterMs = extra.retryAfterMs;
  sendTo(ws, session, frame);
}

/** Sends bytes already encoded once for many recipients, unless the socket has closed. */
export function sendEncoded(ws: Socket, session: Session, frame: string): void {
  if (session.closed) return;
  ws.cork(() => ws.send(frame));
}
