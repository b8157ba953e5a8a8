// /openapi.json describes every control route and validates as OpenAPI 3.1.

import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
afterAll(() => fx.close());

it('documents every control route with its methods, and validates as OpenAPI 3.1', async () => {
  const res = await fx.app.request('/openapi.json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, object> };
  expect(doc.openapi).toBe('3.1.0');
  const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(routes.sort()).toEqual(
    [
      'POST /v1/events',
      'GET /v1/events',
      'GET /v1/events/{id}',
      'PATCH /v1/events/{id}',
      'POST /v1/events/{id}/state',
      'POST /v1/events/{id}/polls',
      'GET /v1/events/{id}/polls',
      'GET /v1/events/{id}/polls/{pollId}',
      'POST /v1/events/{id}/polls/{pollId}/close',
      'POST /v1/events/{id}/polls/{pollId}/cancel',
      'DELETE /v1/events/{id}/messages/{msgId}',
      'PUT /v1/events/{id}/pin',
      'DELETE /v1/events/{id}/pin',
      'PUT /v1/events/{id}/chat-rules',
      'GET /v1/events/{id}/chat',
      'POST /v1/events/{id}/sanctions',
      'GET /v1/events/{id}/sanctions',
      'DELETE /v1/events/{id}/sanctions/{userId}',
      'POST /v1/events/{id}/tickets',
      'GET /v1/events/{id}/audit',
      'GET /v1/audit',
      'GET /v1/me',
      'POST /v1/credentials',
      'GET /v1/credentials',
      'DELETE /v1/credentials/{credentialId}',
      'POST /v1/events/{id}/stream',
      'GET /v1/events/{id}/stream',
      'POST /v1/events/{id}/prewarm',
      'GET /v1/events/{id}/prewarm',
      'GET /v1/shards',
      'GET /v1/events/{id}/qoe',
      'GET /v1/events/{id}/webrtc',
      'POST /v1/events/{id}/webrtc/ingest',
      'POST /v1/events/{id}/webrtc/egress',
    ].sort(),
  );
  const validator = new Validator();
  const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
});
