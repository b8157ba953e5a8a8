// The client side of the RFC 6455 opening handshake: the HTTP/1.1 upgrade request, and reading
// the server's answer (101 with a matching Sec-WebSocket-Accept, or a refusal with its status
// and, for Fanfare, the X-Fanfare-Error reason). Pure functions over bytes, so the client's
// socket code stays small and this is tested without a server.

import { parseRetryAfterS } from '@fanfare/protocol';
import { createHash, randomBytes } from 'node:crypto';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEAD_END = Buffer.from('\r\n\r\n');
/** A server's handshake answer longer than this is refused as malformed, bytes. */
export const MAX_HANDSHAKE_BYTES = 16 * 1024;

export interface UpgradeTarget {
  host: string;
  port: number;
  /** Path and query, e.g. `/ws?token=...`. */
  path: string;
  /** Offered subprotocols, in preference order; none when empty. */
  protocols: readonly string[];
}

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
export function newHandshakeKey(): string {
  return randomBytes(16).toString('base64');
}

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export function upgradeRequest(target: UpgradeTarget, key: string): string {
  const lines = [
    `GET ${target.path} HTTP/1.1`,
    `Host: ${target.host}:${target.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (target.protocols.length > 0)
    lines.push(`Sec-WebSocket-Protocol: ${target.protocols.join(', ')}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export type HandshakeAnswer =
  | { kind: 'incomplete' }
  /** `bodyStart`: where frames begin in the bytes read so far. */
  | { kind: 'accepted'; bodyStart: number; protocol: string | undefined }
  /** `retryAfterS`: the refusal's `Retry-After` in seconds, when it sent one. */
  | { kind: 'refused'; status: number; reason: string; retryAfterS?: number | undefined };

/** Reads the answer from the bytes received so far (`head`, from the first byte). */
export function readHandshake(head: Buffer, key: string): HandshakeAnswer {
  const end = head.indexOf(HEAD_END);
  if (end < 0) {
    if (head.length > MAX_HANDSHAKE_BYTES) {
      return { kind: 'refused', status: 0, reason: 'handshake answer too long' };
    }
    return { kind: 'incomplete' };
  }
  const lines = head.toString('latin1', 0, end).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '');
  if (status === null) return { kind: 'refused', status: 0, reason: `not HTTP: ${lines[0]}` };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const code = Number(status[1]);
  if (code !== 101) {
    const reason = headers.get('x-fanfare-error') ?? lines[0]!.slice(13);
    return {
      kind: 'refused',
      status: code,
      reason,
      retryAfterS: parseRetryAfterS(headers.get('retry-after')),
    };
  }
  if (headers.get('sec-websocket-accept') !== acceptFor(key)) {
    return { kind: 'refused', status: 101, reason: 'Sec-WebSocket-Accept does not match the key' };
  }
  return {
    kind: 'accepted',
    bodyStart: end + HEAD_END.length,
    protocol: headers.get('sec-websocket-protocol'),
  };
}
