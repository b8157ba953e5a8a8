// The body of `POST /v1/events/:id/join`, validated once here; the route trusts what this
// returns. A display name ends up on every fan's screen, so besides length it refuses characters
// that could break or disguise a chat line.

import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NAME_MAX_CHARS, charLength } from '@fanfare/protocol';
import { ApiError, fieldErrors } from './problem.js';

/** Largest join body accepted, bytes; a name fits many times over. */
export const JOIN_BODY_MAX_BYTES = 4 * 1024;

/**
 * C0/C1 controls (newlines, escapes), line and paragraph separators, and the bidi embedding,
 * override and isolate controls, which can reverse the text shown after a name. Zero-width
 * joiners stay allowed: emoji sequences need them.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const joinBodySchema = z.object({
  name: z
    .string({ error: 'must be a string' })
    .refine((name) => !FORBIDDEN_IN_NAME.test(name), 'must not contain control characters')
    .trim()
    .refine(
      (name) => name.length > 0 && charLength(name) <= NAME_MAX_CHARS,
      `must be 1 to ${NAME_MAX_CHARS} characters after trimming`,
    )
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
  throw new ApiError('invalid_body', 'the request body has invalid fields', {
    errors: fieldErrors(result.error.issues),
  });
}

/** A fresh anonymous user id; unguessable so one fan cannot claim another's id. */
export function newAnonymousUserId(): string {
  return `anon-${randomUUID()}`;
}

/** A placeholder display name such as `fan-1a2b`, for fans who gave none. */
export function newFanName(): string {
  return `fan-${randomBytes(2).toString('hex')}`;
}
