// The HttpExchange of node:http and node:http2's compatibility API (the TLS listener, and the
// test harnesses that put the origin behind their own node:http server).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { HttpExchange, ResponseHeaders } from './http-exchange.js';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

export class NodeHttpExchange implements HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly #req: NodeRequest;
  readonly #res: NodeResponse;

  constructor(req: NodeRequest, res: NodeResponse) {
    this.#req = req;
    this.#res = res;
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.query = q < 0 ? '' : url.slice(q + 1);
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  async body(maxBytes: number): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.#req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) return undefined;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  get done(): boolean {
    return this.#res.writableEnded || this.#res.destroyed;
  }

  get status(): number {
    return this.#res.writableEnded ? this.#res.statusCode : 0;
  }

  reply(status: number, headers: ResponseHeaders, body?: Buffer | string): void {
    const res = this.#res;
    if (res.writableEnded || res.destroyed) return;
    const length = body === undefined ? 0 : Buffer.byteLength(body);
    // writeHead with one object and no earlier setHeader is node's fast path.
    (res as ServerResponse).writeHead(status, {
      ...headers,
      'content-length': String(length),
    });
    if (body === undefined || this.method === 'HEAD') res.end();
    else res.end(body);
  }

  onAbort(fn: () => void): () => void {
    const res = this.#res;
    // 'close' also follows a finished answer: only a close before the answer is an abort.
    const onClose = (): void => {
      if (!res.writableEnded) fn();
    };
    res.once('close', onClose);
    return () => void res.off('close', onClose);
  }

  onSettled(fn: (status: number) => void): void {
    const res = this.#res;
    (res as ServerResponse).once('close', () => fn(res.writableFinished ? res.statusCode : 0));
  }
}
