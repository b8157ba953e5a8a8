// One API wired for tests: PGlite in memory (one per test file: it takes ~3 s to start), the
// in-process bus, memory stores and log, real token signing. `reset()` empties the database
// between tests; `app.request()` drives routes without sockets.

import { openDatabase, type Database } from '@fanfare/db';
import { resetDatabase } from '@fanfare/db/testing';
import {
  MemoryBus,
  MemoryEventLog,
  MemorySanctionStore,
  MemoryStageStore,
  MemoryVoteStore,
  createSubjects,
  decodeStage,
  type Stage,
} from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import type { EventState } from '@fanfare/protocol';
import {
  ChatArchiver,
  CachedEventDirectory,
  Moderation,
  PollService,
  SigningKeys,
  StageProjector,
  StaffCredentials,
  TokenIssuer,
  createApp,
  type AppDeps,
  type StaffRole,
} from '../src/index.js';

export const subjects = createSubjects('test');
export const GATEWAY = 'ws://gateway.test/ws';

export interface FixtureOptions {
  countryHeader?: string;
  gatewayUrl?: AppDeps['gatewayUrl'];
}

export type Fixture = Awaited<ReturnType<typeof createFixture>>;

/** Call once per file (beforeAll); `close()` in afterAll. */
export async function createFixture(options: FixtureOptions = {}) {
  const db: Database = await openDatabase({ pglite: 'memory' });
  const clock = new ManualClock(Date.parse('2026-11-24T12:00:00Z'));
  const keys = await SigningKeys.generate('k1');
  const issuer = new TokenIssuer({ keys, now: () => clock.now() });
  const bus = new MemoryBus();
  const log = new MemoryEventLog({ clock });
  const votes = new MemoryVoteStore();
  const stages = new MemoryStageStore();
  const sanctions = new MemorySanctionStore();
  const logged: string[] = [];
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message: string) => void logged.push(message),
  };
  const stage = new StageProjector({ db, store: stages, bus, subjects, clock, logger });
  const polls = new PollService({ db, votes, stage, clock, logger });
  const archiver = new ChatArchiver({ db, log, clock, logger });
  /** Every stage announced on the bus, per event, in order. */
  const announced = new Map<string, Stage[]>();
  const watchStage = (eventId: string) => {
    const seen: Stage[] = [];
    announced.set(eventId, seen);
    bus.subscribe(subjects.stage(eventId), (data) => seen.push(decodeStage(data)!));
    return seen;
  };
  const deps: AppDeps = {
    keys,
    issuer,
    staff: new StaffCredentials(issuer, db.credentials),
    db,
    events: new CachedEventDirectory(db.events, () => clock.now()),
    moderation: new Moderation({ store: sanctions, bus, subjects, now: () => clock.now() }),
    stage,
    polls,
    log,
    countryHeader: options.countryHeader,
    clock,
    gatewayUrl: options.gatewayUrl ?? (() => GATEWAY),
    logger,
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
      polls.close();
      stage.close();
      await archiver.close();
      await db.close();
    },
  };
}
