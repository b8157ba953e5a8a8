// The HttpExchange of uWebSockets.js (plain HTTP/1.1, the origin's fast path). uWS discipline, as
// in gateway/src/upgrade.ts: everything needed from the request is read in the constructor (uWS
// invalidates it when the handler returns), `onAborted` is armed at once, every answer is written
// inside `cork`, and nothing touches the response after an abort.

import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { HttpExchange, ResponseHeaders } from './http-exchange.js';

/** A request body is buffered up to this many bytes (the control routes want a few dozen). */
export const UWS_BODY_MAX_BYTES = 64 * 1024;

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? ''}`;
    statusLines.set(status, line);
  }
  return line;
}

export class UwsHttpExchange implements HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly #res: HttpResponse;
  readonly #headers: Record<string, string> | undefined;
  #aborted = false;
  #answered = false;
  #onAbort: (() => void) | undefined;
  #onSettled: ((status: number) => void) | undefined;
  #status = 0;
  #body: Promise<Buffer | undefined> | undefined;
  #bodyAborted: (() => void) | undefined;

  /** `headers`: the request headers kept for `header()` (none on the hot path). */
  constructor(res: HttpResponse, req: HttpRequest, headers: readonly string[] = []) {
    this.#res = res;
    this.method = req.getCaseSensitiveMethod();
    this.path = req.getUrl();
    this.query = req.getQuery() ?? '';
    if (headers.length > 0) {
      const kept: Record<string, string> = {};
      for (const name of headers) {
        const value = req.getHeader(name);
        if (value !== '') kept[name] = value;
      }
      this.#headers = kept;
    }
    res.onAborted(() => {
      this.#aborted = true;
      this.#bodyAborted?.();
      if (!this.#answered) {
        this.#onAbort?.();
        this.#onSettled?.(0);
      }
    });
    // uWS hands the body only to a handler registered now; the control routes read it later.
    if (this.method !== 'GET' && this.method !== 'HEAD' && this.method !== 'OPTIONS') {
      this.#body = this.#collect();
    }
  }

  header(name: string): string | undefined {
    return this.#headers?.[name];
  }

  async body(maxBytes: number): Promise<string | undefined> {
    const bytes = await (this.#body ?? Promise.resolve(Buffer.alloc(0)));
    if (bytes === undefined || bytes.length > maxBytes) return undefined;
    return bytes.toString('utf8');
  }

  get done(): boolean {
    return this.#answered || this.#aborted;
  }

  get status(): number {
    return this.#status;
  }

  reply(status: number, headers: ResponseHeaders, body?: Buffer | string): void {
    if (this.#answered || this.#aborted) return;
    this.#answered = true;
    this.#status = status;
    const res = this.#res;
    res.cork(() => {
      res.writeStatus(statusLine(status));
      for (const name in headers) res.writeHeader(name, headers[name]!);
      // uWS writes content-length itself from the body (or the reported length).
      if (body === undefined) res.endWithoutBody(0);
      else if (this.method === 'HEAD') res.endWithoutBody(Buffer.byteLength(body));
      else res.end(body);
    });
    this.#onSettled?.(status);
  }

  onAbort(fn: () => void): () => void {
    this.#onAbort = fn;
    return () => {
      if (this.#onAbort === fn) this.#onAbort = undefined;
    };
  }

  onSettled(fn: (status: number) => void): void {
    this.#onSettled = fn;
  }

  #collect(): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      this.#bodyAborted = () => resolve(undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      this.#res.onData((chunk, isLast) => {
        size += chunk.byteLength;
        // The one copy: uWS neuters the chunk when this callback returns. `slice` copies the
        // bytes into a new ArrayBuffer, which Buffer.from then views without copying again.
        if (size <= UWS_BODY_MAX_BYTES) chunks.push(Buffer.from(chunk.slice(0)));
        else chunks.length = 0; // past the limit: nothing kept, the answer is undefined
        if (!isLast) return;
        if (size > UWS_BODY_MAX_BYTES) resolve(undefined);
        else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      });
    });
  }
}
