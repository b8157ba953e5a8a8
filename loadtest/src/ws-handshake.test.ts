import { describe, expect, it } from 'vitest';
import { acceptFor, newHandshakeKey, readHandshake, upgradeRequest } from './ws-handshake.js';

const target = { host: '127.0.0.1', port: 9001, path: '/ws?token=abc', protocols: ['fanfare.v1'] };

describe('the opening handshake', () => {
  it('computes the accept value of RFC 6455 section 1.3', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('asks for an upgrade with the key, the version and the subprotocols', () => {
    const key = newHandshakeKey();
    const request = upgradeRequest(target, key);
    expect(request.startsWith('GET /ws?token=abc HTTP/1.1\r\n')).toBe(true);
    expect(request).toContain(`Sec-WebSocket-Key: ${key}\r\n`);
    expect(request).toContain('Sec-WebSocket-Version: 13\r\n');
    expect(request).toContain('Sec-WebSocket-Protocol: fanfare.v1\r\n');
    expect(request.endsWith('\r\n\r\n')).toBe(true);
    expect(upgradeRequest({ ...target, protocols: [] }, key)).not.toContain('Protocol');
  });

  it('accepts a 101 with the right accept value and says where the frames start', () => {
    const key = newHandshakeKey();
    const head = Buffer.from(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\nSec-WebSocket-Protocol: fanfare.v1\r\n\r\n\x81\x02hi`,
      'latin1',
    );
    const answer = readHandshake(head, key);
    expect(answer).toEqual({
      kind: 'accepted',
      bodyStart: head.length - 4,
      protocol: 'fanfare.v1',
    });
  });

  it('waits for the rest of a split answer', () => {
    expect(readHandshake(Buffer.from('HTTP/1.1 101 Switching'), 'k')).toEqual({
      kind: 'incomplete',
    });
  });

  it('refuses a wrong accept value', () => {
    const head = Buffer.from('HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: nope\r\n\r\n');
    expect(readHandshake(head, newHandshakeKey())).toMatchObject({ kind: 'refused', status: 101 });
  });

  it("reports a refusal's status and Fanfare's reason header", () => {
    const head = Buffer.from(
      'HTTP/1.1 401 Unauthorized\r\nX-Fanfare-Error: token_invalid\r\ncontent-length: 2\r\n\r\n{}',
    );
    expect(readHandshake(head, 'k')).toEqual({
      kind: 'refused',
      status: 401,
      reason: 'token_invalid',
    });
  });
});
