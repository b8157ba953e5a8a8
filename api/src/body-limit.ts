// The guard every route with a JSON body uses, the join route included: a body over the limit is
// 413 `payload_too_large` before any of it is parsed, and a body not sent as JSON (no
// Content-Type, text/plain, a form) is 415 `unsupported_media_type` before any of it is parsed
// too. A request with no body passes: routes whose body is optional (join, delete a message)
// take it as `{}`, routes that need one answer `invalid_body`.

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
    await limit(c, async () => {
      if (type === undefined && (await hasBody(c))) throw notJson();
      await next();
    });
  };
}

function notJson(): ApiError {
  return new ApiError('unsupported_media_type', 'send the body as application/json');
}
