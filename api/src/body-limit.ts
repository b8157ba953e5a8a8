// The guard every route with a JSON body uses, the join route included: a body over the limit is
// 413 `payload_too_large` before any of it is parsed, and a body not sent as JSON (no
// Content-Type, text/plain, a form) is 415 `unsupported_media_type` before any of it is parsed
// too. A request with no body passes: routes whose body is optional (join, delete a message)
// take it as `{}`, routes that need one answer `invalid_body`.

import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './problem.js';

/** `application/json` or `application/<anything>+json`, with parameters (charset) or not. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Whether the request carries a body of at least one byte. */
async function hasBody(c: Context): Promise<boolean> {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) > 0;
  if (c.req.header('transfer-encoding') !== undefined) return true;
  if (c.req.raw.body === null) return false;
  // Neither framing header: on the wire that means no body; an in-process Request (tests'
  // app.request) can still carry one. Read it (the limit has already capped it); Hono caches
  // what it read for the handler.
  return (await c.req.arrayBuffer()).byteLength > 0;
}

export function jsonBodyLimit(maxSize: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('payload_too_large', `the body exceeds ${maxSize} bytes`);
    },
  });
  return async (c, next) => {
    const type = c.req.header('content-type');
    // A declared type that is not JSON is refused before the limit reads anything.
    if (type !== undefined && !JSON_MEDIA_TYPE.test(type)) throw notJson();
    // Framed by Content-Length alone (every HTTP/1.1 client with a small body): the header
    // says it all, and Hono's limit is not asked. Asking it touches `c.req.raw.body`, which on
    // node-server builds a whole fetch Request (an AbortController and a web stream over the
    // socket): a tenth of the API's join in its profile (docs/benchmarks.md).
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      const bytes = Number(length);
      if (bytes > maxSize)
        throw new ApiError('payload_too_large', `the body exceeds ${maxSize} bytes`);
      if (type === undefined && bytes > 0) throw notJson();
      return next();
    }
    await limit(c, async () => {
      if (type === undefined && (await hasBody(c))) throw notJson();
      await next();
    });
  };
}

function notJson(): ApiError {
  return new ApiError('unsupported_media_type', 'send the body as application/json');
}

/** The Node request behind `c` when the app runs on node-server (server.ts passes it on). */
function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming;
}

/**
 * The request body as UTF-8 text, after `jsonBodyLimit`. On node-server with a Content-Length
 * body it is read straight from the socket's request stream, so no fetch Request is built for
 * it (see jsonBodyLimit); otherwise (tests' in-process requests, chunked bodies) through Hono.
 * Reading stops with 413 past `maxSize`, whatever the header said.
 */
export async function bodyText(c: Context, maxSize: number): Promise<string> {
  const incoming = incomingOf(c);
  if (
    incoming === undefined ||
    incoming.headers['content-length'] === undefined ||
    incoming.headers['transfer-encoding'] !== undefined ||
    incoming.readableDidRead
  ) {
    return await c.req.text();
  }
  if (incoming.complete && incoming.readableLength === 0) return '';
  return await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
      if (error) reject(error);
      else
        resolve(
          chunks.length === 1
            ? chunks[0]!.toString('utf8')
            : Buffer.concat(chunks).toString('utf8'),
        );
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxSize)
        done(new ApiError('payload_too_large', `the body exceeds ${maxSize} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = (): void => done();
    const onError = (err: Error): void => done(err);
    const onClose = (): void => {
      if (!incoming.complete) done(new Error('the request was aborted before its body arrived'));
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}
