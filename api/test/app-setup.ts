// What the app and join tests share: the events they join, an app built on the test fixture
// with a fresh signing key, and the join request and token checks.

import { afterAll, beforeAll } from 'vitest';
import type { Logger } from '@fanfare/fanout';
import { GATEWAY_AUDIENCE } from '@fanfare/protocol';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { SigningKeys, TokenIssuer, createApp, type AppDeps } from '../src/index.js';
import { GATEWAY, createFixture, type Fixture } from './fixture.js';

/** The events the tests join: live, ticketed, draft, ended, and one with a country allow-list. */
export async function seedEvents(fx: Fixture): Promise<void> {
  await fx.seedEvent('demo', 'live');
  await fx.seedEvent('other', 'live');
  await fx.seedEvent('vip', 'live', { access: 'ticketed' });
  await fx.seedEvent('draft-one', 'draft');
  await fx.seedEvent('over', 'ended');
  await fx.seedEvent('geo', 'live', { countryAllowList: ['FR', 'BE'] });
}

export interface Setup {
  keys: SigningKeys;
  app: ReturnType<typeof createApp>;
  logged: string[];
}

/** Makes `setup(overrides)`: an app on the fixture's deps with a fresh key and a logger that keeps errors. */
export function appSetup(fixture: () => Fixture) {
  return async function setup(overrides: Partial<AppDeps> = {}): Promise<Setup> {
    const fx = fixture();
    const keys = await SigningKeys.generate('k1');
    const logged: string[] = [];
    const logger: Logger = {
      info: () => undefined,
      warn: () => undefined,
      error: (message) => logged.push(message),
    };
    const issuer = new TokenIssuer({ keys, issuer: 'fanfare-test' });
    const app = createApp({
      ...fx.deps,
      keys,
      issuer,
      gatewayUrl: () => GATEWAY,
      logger,
      ...overrides,
    });
    return { keys, app, logged };
  };
}

/**
 * For a test file that needs only `setup`: opens a fixture with the seeded events before the
 * file's tests (beforeAll) and closes it after them (afterAll). Call at the file's top level.
 */
export function seededAppSetup(): ReturnType<typeof appSetup> {
  let fx: Fixture | undefined;
  beforeAll(async () => {
    fx = await createFixture();
    await seedEvents(fx);
  });
  afterAll(() => fx?.close());
  return appSetup(() => {
    if (fx === undefined) throw new Error('setup() runs in a test, after beforeAll');
    return fx;
  });
}

export function join(
  app: Setup['app'],
  eventId: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  return app.request(`/v1/events/${eventId}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
}

export async function verifyFanToken(token: string, jwks: JSONWebKeySet) {
  return jwtVerify(token, createLocalJWKSet(jwks), {
    algorithms: ['ES256'],
    issuer: 'fanfare-test',
    audience: GATEWAY_AUDIENCE,
  });
}

export async function fetchJwks(app: Setup['app']): Promise<JSONWebKeySet> {
  return (await (await app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;
}
