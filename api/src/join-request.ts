// The body of `POST /v1/events/:id/join`, validated once here; the route trusts what this
// returns. A display name ends up on every fan's screen: it is held to the text policy (one line,
// no controls or bidi overrides, something visible; text-field.ts) and NAME_MAX_CHARS.

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NAME_MAX_CHARS } from '@fanfare/protocol';
import { ApiError, bodyError } from './problem.js';
import { textField } from './text-field.js';

/** Largest join body accepted, bytes; a name fits many times over. */
export const JOIN_BODY_MAX_BYTES = 4 * 1024;

/** The longest `unreachable` URL accepted, characters. */
export const JOIN_UNREACHABLE_MAX_CHARS = 2048;

/**
 * A gateway URL as the placement compares it: scheme, host, port and path, without the query (a
 * join's `gatewayUrl` may carry `?traceparent=`) or fragment. Undefined when not a ws:/wss: URL.
 */
export function shardAddress(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined; // not a URL: the caller's answer is "no address"
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Most entries in `tiers`, and the longest one, characters. */
export const JOIN_TIERS_MAX = 8;
export const JOIN_TIER_MAX_CHARS = 32;

const joinBodySchema = z.object({
  name: textField('line', NAME_MAX_CHARS).optional(),
  // The tiers the client can play, in any order. Names this API does not know are ignored, so a
  // newer client can list a tier an older API has never heard of.
  tiers: z
    .array(z.string().max(JOIN_TIER_MAX_CHARS), { error: 'must be an array of tier names' })
    .max(JOIN_TIERS_MAX)
    .optional(),
  // A rejoin's report that its connection to this gateway URL (the previous join's
  // `gatewayUrl`) failed before a welcome: this join is not placed there. It counts for this one
  // join only, so a client can only steer itself (see GatewayPicker.pick). Held as shardAddress.
  unreachable: z
    .string({ error: 'must be the ws: or wss: gateway URL that could not be reached' })
    .max(JOIN_UNREACHABLE_MAX_CHARS)
    .transform((raw, ctx) => {
      const address = shardAddress(raw);
      if (address === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be the ws: or wss: gateway URL that could not be reached',
        });
        return z.NEVER;
      }
      return address;
    })
    .optional(),
});

export type JoinRequest = z.infer<typeof joinBodySchema>;

/**
 * Parses the raw body text. An empty body means "no fields" (a bare POST is a valid join).
 * Throws ApiError `invalid_json` or `invalid_body` (with one FieldError per problem).
 */
export function parseJoinRequest(text: string): JoinRequest {
  // Whitespace-only counts as empty: it carries no JSON value to disagree with.
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ApiError('invalid_json', 'the request body is not valid JSON', { cause: err });
  }
  const result = joinBodySchema.safeParse(json);
  if (result.success) return result.data;
  throw bodyError(result.error.issues);
}

/** A fresh anonymous user id; unguessable so one fan cannot claim another's id. */
export function newAnonymousUserId(): string {
  return `anon-${randomUUID()}`;
}

/** A placeholder display name such as `fan-1a2b`, for fans who gave none. */
export function newFanName(): string {
  // From randomUUID's buffered entropy: randomBytes(2) asked the kernel once per join.
  return `fan-${randomUUID().slice(0, 4)}`;
}
