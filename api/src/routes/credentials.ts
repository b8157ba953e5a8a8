// API keys for producers, moderators and SREs (tools, the ticketing system, scripts):
// `POST/GET /v1/credentials`, `DELETE /v1/credentials/{credentialId}`. SRE only. The key is
// shown once in the creation response; only its SHA-256 is stored, and revoking it stops it at
// once. A key may be scoped to one event. `GET /v1/me`: any staff credential's own role and scope
// (the console shows each role only the controls it may use).

import { createRoute, z } from '@hono/zod-openapi';
import { CREDENTIAL_ROLES, type Credential } from '@fanfare/db';
import { EVENT_ID_PATTERN } from '@fanfare/protocol';
import { consoleLogger } from '@fanfare/fanout';
import type { AppDeps } from '../app-deps.js';
import { textField } from '../text-field.js';
import { recordAudit } from '../audit.js';
import { jsonBodyLimit } from '../body-limit.js';
import { BEARER, STAFF_PROBLEMS, newRouter, pathId, problem } from '../router.js';
import { STAFF_ROLES, requireStaff, type StaffVariables } from '../staff-auth.js';

export const CREDENTIAL_BODY_MAX_BYTES = 1024;
export const CREDENTIAL_NAME_MAX_CHARS = 100;
/** Longest credential id accepted in a path, characters. */
export const CREDENTIAL_ID_MAX_CHARS = 100;

const CredentialSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(CREDENTIAL_ROLES),
    eventId: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Credential');

const CallerSchema = z
  .object({
    id: z.string(),
    role: z.enum(STAFF_ROLES),
    name: z.string(),
    /** The one event the credential may act on; null: every event. */
    eventId: z.string().nullable(),
    via: z.enum(['token', 'api_key']),
  })
  .openapi('Caller');

const NewCredentialBody = z
  .object({
    name: textField('line', CREDENTIAL_NAME_MAX_CHARS),
    role: z.enum(CREDENTIAL_ROLES),
    eventId: z.string().regex(EVENT_ID_PATTERN).nullable().optional(),
  })
  .strict()
  .openapi('NewCredential');

function credentialView(c: Credential) {
  return {
    ...c,
    createdAt: c.createdAt.toISOString(),
    revokedAt: c.revokedAt?.toISOString() ?? null,
  };
}

export function credentialRoutes(deps: AppDeps) {
  const { db } = deps;
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();
  const sre = requireStaff(deps.staff, ['sre']);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      summary: "The caller's own role and event scope (any staff credential)",
      security: BEARER,
      middleware: [requireStaff(deps.staff, STAFF_ROLES, 'caller')] as const,
      responses: {
        200: {
          description: 'Who this credential is',
          content: { 'application/json': { schema: CallerSchema } },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    (c) => {
      const { id, role, name, evt, via } = c.var.staff;
      c.header('Cache-Control', 'no-store');
      return c.json({ id, role, name, eventId: evt ?? null, via }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/credentials',
      summary: 'Issue an API key (shown once)',
      security: BEARER,
      middleware: [jsonBodyLimit(CREDENTIAL_BODY_MAX_BYTES), sre] as const,
      request: {
        body: { required: true, content: { 'application/json': { schema: NewCredentialBody } } },
      },
      responses: {
        201: {
          description: 'The credential and its key; store the key now, it is not kept',
          content: {
            'application/json': {
              schema: z.object({ credential: CredentialSchema, key: z.string() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        413: problem('`payload_too_large`'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const created = await db.credentials.create(body.name, body.role, body.eventId ?? null);
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: null,
        action: 'credential.create',
        target: created.credential.id,
        details: { role: body.role, eventId: body.eventId ?? null, name: body.name },
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ credential: credentialView(created.credential), key: created.key }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/credentials',
      summary: 'Every credential, revoked ones included (never the keys)',
      security: BEARER,
      middleware: [sre] as const,
      responses: {
        200: {
          description: 'Oldest first',
          content: {
            'application/json': { schema: z.object({ credentials: z.array(CredentialSchema) }) },
          },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => c.json({ credentials: (await db.credentials.list()).map(credentialView) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/credentials/{credentialId}',
      summary: 'Revoke an API key; it stops working at once',
      security: BEARER,
      middleware: [sre] as const,
      request: {
        params: z.object({
          credentialId: pathId('credentialId', CREDENTIAL_ID_MAX_CHARS, 'cred_2Jd8'),
        }),
      },
      responses: {
        200: {
          description: 'Revoked (revoking twice keeps the first time)',
          content: { 'application/json': { schema: z.object({ credential: CredentialSchema }) } },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => {
      const { credentialId } = c.req.valid('param');
      const credential = await db.credentials.revoke(credentialId);
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: null,
        action: 'credential.revoke',
        target: credential.id,
      });
      return c.json({ credential: credentialView(credential) }, 200);
    },
  );
  return router;
}
