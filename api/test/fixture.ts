// One API wired for tests: PGlite in memory (one per test file: it takes ~3 s to start), the
// memory seams from `openAdapters` (as every process wires them), real token signing. `reset()` empties the database
// between tests; `app.request()` drives routes without sockets.

import { openDatabase, type Database } from '@fanfare/db';
import { resetDatabase } from '@fanfare/db/testing';
import { createSubjects, decodeStage, openAdapters, type Stage } from '@fanfare/fanout';
import { ManualClock, silentLogger } from '@fanfare/fanout/testing';
import type { EventState } from '@fanfare/protocol';
import {
  SigningKeys,
  TokenIssuer,
  assembleControlPlane,
  createApp,
  type AppDeps,
  type JoinLimits,
  type StaffRole,
} from '../src/index.js';

const PREFIX = 'test';
/** The subjects of the fixture's prefix (the same ones `openAdapters` names). */
export const subjects = createSubjects(PREFIX);
export const GATEWAY = 'ws://gateway.test/ws';

export interface FixtureOptions {
  countryHeader?: string;
  /** A database to use instead of an in-memory PGlite (e.g. real Postgres); closed by close(). */
  database?: Database;
  joinLimits?: JoinLimits;
  clientAddressHeader?: string;
  gatewayUrl?: AppDeps['gatewayUrl'];
  /** The shards' resume tickets: joins' replies carry one. */
  tickets?: AppDeps['tickets'];
}

export type Fixture = Awaited<ReturnType<typeof createFixture>>;

/** Call once per file (beforeAll); `close()` in afterAll. */
export async function createFixture(options: FixtureOptions = {}) {
  const db: Database = options.database ?? (await openDatabase({ pglite: 'memory' }));
  const clock = new ManualClock(Date.parse('2026-11-24T12:00:00Z'));
  const keys = await SigningKeys.generate('k1');
  const issuer = new TokenIssuer({ keys, now: () => clock.now() });
  const adapters = await openAdapters({
    natsServers: [],
    redisUrl: undefined,
    prefix: PREFIX,
    name: 'api-test',
    logger: silentLogger,
    clock,
  });
  const { bus, log, votes, stages, sanctions } = adapters;
  const logged: string[] = [];
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message: string) => void logged.push(message),
  };
  // The same wiring main.ts and the embedded engine use; its background work is not started:
  // tests drive the clock and call what they need.
  const plane = assembleControlPlane({
    keys,
    issuer,
    db,
    bus,
    log,
    sanctions,
    votes,
    stages,
    subjects,
    clock,
    logger,
    gatewayUrl: options.gatewayUrl ?? (() => GATEWAY),
    countryHeader: options.countryHeader,
    joinLimits: options.joinLimits,
    clientAddressHeader: options.clientAddressHeader,
    tickets: options.tickets,
  });
  const { deps, stage, polls, archiver, qoe } = plane;
  /** Every stage announced on the bus, per event, in order. */
  const announced = new Map<string, Stage[]>();
  const watchStage = (eventId: string) => {
    const seen: Stage[] = [];
    announced.set(eventId, seen);
    bus.subscribe(subjects.stage(eventId), (data) => seen.push(decodeStage(data)!));
    return seen;
  };
  const app = createApp(deps);

  const staffToken = async (role: StaffRole = 'producer', evt?: string) =>
    (
      await issuer.issueStaffToken({
        sub: `${role}-1`,
        role,
        name: role,
        ...(evt ? { evt } : {}),
      })
    ).token;

  /** A JSON request; `body` strings are sent as they are (for malformed-JSON tests). */
  const call = (method: string, path: string, token?: string, body?: unknown, headers = {}) =>
    app.request(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  /** Creates an event straight in the database and walks it to `state`. */
  const seedEvent = async (id: string, state: EventState = 'live', extra = {}) => {
    let event = await db.events.create({ id, title: `Event ${id}`, ...extra });
    const path: Record<EventState, EventState[]> = {
      draft: [],
      scheduled: ['scheduled'],
      live: ['live'],
      ended: ['live', 'ended'],
      archived: ['live', 'ended', 'archived'],
    };
    for (const next of path[state]) event = await db.events.transition(id, event.state, next);
    return event;
  };

  return {
    db,
    clock,
    keys,
    issuer,
    bus,
    log,
    votes,
    stages,
    sanctions,
    stage,
    polls,
    archiver,
    qoe,
    deps,
    app,
    logged,
    announced,
    watchStage,
    staffToken,
    call,
    seedEvent,
    reset: () => resetDatabase(db),
    async close() {
      await plane.close();
      await db.close();
      await adapters.close();
    },
  };
}
