// What every control route shares: an OpenAPIHono router whose validation failures become
// problem+json (`invalid_body`; for a malformed id in the path, the not-found code of what it
// would name, since it can name nothing, or `invalid_path`), the path and error schemas, and the
// bearer security scheme. The OpenAPI 3.1 document
// at /openapi.json is generated from these same schemas.

import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { EVENT_ID_PATTERN, PROBLEM_CONTENT_TYPE } from '@fanfare/protocol';
import { ApiError, bodyError, PROBLEM_CODES, fieldErrors, type ProblemCode } from './problem.js';

/**
 * What a malformed path parameter answers, by name: an id that cannot name a resource gets that
 * resource's not-found code (as an unknown one would). Parameters not listed: `invalid_path`.
 */
const MALFORMED_PARAM: Readonly<Record<string, ProblemCode>> = {
  id: 'event_not_found',
  pollId: 'poll_not_found',
  msgId: 'message_not_found',
  credentialId: 'credential_not_found',
};

export function newRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (result.success) return;
      if (result.target === 'param') {
        const name = String(result.error.issues[0]?.path[0] ?? '');
        const code = MALFORMED_PARAM[name] ?? 'invalid_path';
        throw new ApiError(code, `the path parameter ${name} is malformed`, {
          ...(code === 'invalid_path' ? { errors: fieldErrors(result.error.issues) } : {}),
        });
      }
      throw bodyError(result.error.issues, 'the request has invalid fields');
    },
  });
}

/** Controls, format characters (bidi, zero-width) and separators: never part of an id. */
const NOT_IN_ID = /[\p{Cc}\p{Cf}\p{Z}]/u;

/**
 * An id (in a path or a body): 1 to maxChars characters, none of them a control, format character
 * or space (so U+0000 never reaches the database).
 */
export function idString(maxChars: number) {
  return z
    .string()
    .min(1)
    .max(maxChars)
    .refine((id) => !NOT_IN_ID.test(id), 'must not contain control, format or space characters');
}

/** An id in a path segment (idString). See MALFORMED_PARAM for what a bad one answers. */
export function pathId(name: string, maxChars: number, example: string) {
  return idString(maxChars).openapi({ param: { name, in: 'path' }, example });
}

export const EventIdParams = z.object({
  id: z
    .string()
    .regex(EVENT_ID_PATTERN)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'final-2026' }),
});

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(PROBLEM_CODES) as [keyof typeof PROBLEM_CODES]),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .openapi('Problem');

/** The response entry of a problem status, for route definitions. */
export function problem(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

/** The problems every authenticated, event-scoped route can answer. */
export const STAFF_PROBLEMS = {
  400: problem('`invalid_json`, `invalid_body` or `invalid_text`'),
  401: problem('`unauthorized`: no or invalid staff token'),
  403: problem('`forbidden`: the role or the token’s event scope does not allow it'),
  404: problem('`event_not_found`'),
} as const;

export const BEARER = [{ bearer: [] }];
