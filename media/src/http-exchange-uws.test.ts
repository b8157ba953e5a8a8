// UwsHttpExchange's request body against a stand-in for uWS that does what uWS does to a body
// chunk: hands an ArrayBuffer to the onData callback and detaches it when the callback returns.
// The transport suites (origin-server.test.ts) send small bodies in one chunk; these cover the
// chunking, the limit and the abort.

import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { describe, expect, it } from 'vitest';
import { UWS_BODY_MAX_BYTES, UwsHttpExchange } from './http-exchange-uws.js';

interface Posting {
  exchange: UwsHttpExchange;
  /** Delivers `bytes` as uWS does: an ArrayBuffer valid only during the callback. */
  send(bytes: Uint8Array, isLast: boolean): void;
  abort(): void;
}

function post(): Posting {
  let onData: ((chunk: ArrayBuffer, isLast: boolean) => void) | undefined;
  let onAborted: (() => void) | undefined;
  const res = {
    onAborted: (fn: () => void) => (onAborted = fn),
    onData: (fn: (chunk: ArrayBuffer, isLast: boolean) => void) => (onData = fn),
  } as unknown as HttpResponse;
  const req = {
    getCaseSensitiveMethod: () => 'PUT',
    getUrl: () => '/control/events/demo/stream-key',
    getQuery: () => '',
    getHeader: () => '',
  } as unknown as HttpRequest;
  const exchange = new UwsHttpExchange(res, req);
  return {
    exchange,
    send(bytes, isLast) {
      const chunk = new Uint8Array(bytes).buffer;
      onData!(chunk, isLast);
      structuredClone(chunk, { transfer: [chunk] }); // detached, as uWS neuters it
    },
    abort: () => onAborted!(),
  };
}

const text = (n: number, from = 0): string =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((from + i) % 26))).join('');

describe('UwsHttpExchange request body', () => {
  it('keeps a one-chunk body after uWS detaches the chunk', async () => {
    const p = post();
    p.send(Buffer.from('{"sha256":"ab"}'), true);
    expect(await p.exchange.body(1024)).toBe('{"sha256":"ab"}');
  });

  it('joins a body sent in several chunks, in order', async () => {
    const p = post();
    const whole = text(3 * 1000);
    for (let i = 0; i < 3; i += 1)
      p.send(Buffer.from(whole.slice(i * 1000, (i + 1) * 1000)), i === 2);
    expect(await p.exchange.body(UWS_BODY_MAX_BYTES)).toBe(whole);
  });

  it('keeps a body of exactly UWS_BODY_MAX_BYTES, and none a byte past it', async () => {
    const half = UWS_BODY_MAX_BYTES / 2;
    const at = post();
    at.send(Buffer.from(text(half)), false);
    at.send(Buffer.from(text(half, half)), true);
    expect(await at.exchange.body(UWS_BODY_MAX_BYTES)).toBe(text(UWS_BODY_MAX_BYTES));
    const past = post();
    past.send(Buffer.from(text(half)), false);
    past.send(Buffer.from(text(half + 1)), false);
    past.send(Buffer.from('x'), true);
    expect(await past.exchange.body(UWS_BODY_MAX_BYTES)).toBeUndefined();
  });

  it('answers undefined for a body past the caller’s limit', async () => {
    const p = post();
    p.send(Buffer.from(text(11)), true);
    expect(await p.exchange.body(10)).toBeUndefined();
  });

  it('answers undefined when the request is aborted before its last chunk', async () => {
    const p = post();
    p.send(Buffer.from('{"sha'), false);
    p.abort();
    expect(await p.exchange.body(1024)).toBeUndefined();
  });
});
