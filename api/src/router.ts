// What every control route shares: an OpenAPIHono router whose validation failures become
// problem+json (`invalid_body`, or `event_not_found` for a malformed event id, which can name no
// event), the path and error schemas, and the bearer security scheme. The OpenAPI 3.1 document
// at /openapi.json is generated from these same schemas.

import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { EVENT_ID_PATTERN } from '@fanfare/protocol';
import { ApiError, PROBLEM_CODES, PROBLEM_CONTENT_TYPE, fieldErrors } from './problem.js';

export function newRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (result.success) return;
      if (result.target === 'param') throw new ApiError('event_not_found', 'no event with this id');
      throw new ApiError('invalid_body', 'the request has invalid fields', {
        errors: fieldErrors(result.error.issues),
      });
    },
  });
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
  400: problem('`invalid_json` or `invalid_body`'),
  401: problem('`unauthorized`: no or invalid staff token'),
  403: problem('`forbidden`: the role or the token’s event scope does not allow it'),
  404: problem('`event_not_found`'),
} as const;

export const BEARER = [{ bearer: [] }];
