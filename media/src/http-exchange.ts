// One HTTP request and its answer as the origin and the control routes see them, whatever serves
// the socket: node:http (HTTP/1.1), node:http2 (TLS, HTTP/2 and HTTP/1.1 through ALPN) or
// uWebSockets.js (plain HTTP/1.1, the fast path). The handlers answer through this seam only, so
// one handler serves every transport and one contract suite runs against each
// (origin.test.ts); origin-server.ts is the one place that picks and wires a transport.

/**
 * Response headers, lower-case names. Handlers build the ones that do not vary once and reuse
 * the object; `content-length` is the transport's business (it knows the body).
 */
export type ResponseHeaders = Readonly<Record<string, string>>;

export interface HttpExchange {
  /** Upper-case method, as sent. */
  readonly method: string;
  /** The request path, without the query. */
  readonly path: string;
  /** The query without its `?`; empty when there is none. */
  readonly query: string;
  /** A request header by lower-case name. Only the headers named when the exchange was made
   *  are kept on transports that read them up front (uWS): see origin-server.ts. */
  header(name: string): string | undefined;
  /** The request body as text, or undefined past `maxBytes`. */
  body(maxBytes: number): Promise<string | undefined>;
  /** Answered, or the client went away: a reply now does nothing. */
  readonly done: boolean;
  /** The status answered; 0 before the answer (and after an abort). */
  readonly status: number;
  /**
   * Answers: status, headers, then `content-length` and the body (for HEAD, only the length).
   * Once per exchange; ignored after the first or once the client went away.
   */
  reply(status: number, headers: ResponseHeaders, body?: Buffer | string): void;
  /**
   * Calls `fn` once if the client goes away before the reply (a held request lets go of its
   * hold). One at a time: a second call replaces the first on some transports. Returns a
   * function that cancels it.
   */
  onAbort(fn: () => void): () => void;
  /**
   * Calls `fn` once the exchange ends (for the request metrics): with the status answered, or 0
   * if the client went away first. Call it before the end; one at a time.
   */
  onSettled(fn: (status: number) => void): void;
}
