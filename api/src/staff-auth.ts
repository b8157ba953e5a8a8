// Who may call a control route: a staff token (audience API_AUDIENCE) in `Authorization:
// Bearer`, with one of the route's roles, and scoped to the event in the path when the token
// names one. Verified locally with the API's own keys; the claims land in `c.var.staff`.

import { createMiddleware } from 'hono/factory';
import type { StaffRole, StaffTokenClaims, TokenIssuer } from './token-issuer.js';
import { ApiError } from './problem.js';

export type StaffVariables = { staff: StaffTokenClaims };

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  return match?.[1];
}

/**
 * Requires a staff token with one of `roles`. A token scoped to one event (`evt`) is refused
 * for any other event named by the `:id` path parameter.
 */
export function requireStaff(issuer: TokenIssuer, roles: readonly StaffRole[]) {
  return createMiddleware<{ Variables: StaffVariables }>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new ApiError('unauthorized', 'send a staff token as `Authorization: Bearer <token>`');
    }
    const staff = await issuer.verifyStaffToken(token);
    if (!staff) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('unauthorized', 'the bearer token is not a valid staff token');
    }
    if (!roles.includes(staff.role)) {
      throw new ApiError('forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
    }
    const eventId = c.req.param('id');
    if (staff.evt !== undefined && eventId !== undefined && staff.evt !== eventId) {
      throw new ApiError('forbidden', 'this token is scoped to another event');
    }
    c.set('staff', staff);
    await next();
  });
}
