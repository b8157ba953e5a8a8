// What survives a NATS server crash: each test runs its own nats-server (never the shared one),
// kills it with SIGKILL, starts it again on the same port and store, and checks that the
// subscriptions and followers made before the crash work after it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatsBus } from './bus-nats.js';
import type { LogEntry } from './event-log.js';
import { JetStreamEventLog } from './event-log-jetstream.js';
import { LogUnavailableError } from './log-unavailable.js';
import { silentLogger } from './logger.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import { createSubjects } from './subjects.js';
import {
  requireNatsServerBinary,
  startNatsServer,
  watchStatus,
  within,
  type TestNatsServer,
} from './testing-nats.js';

const available = requireNatsServerBinary();
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
/** Bound on every wait in these tests, ms. */
const WAIT_MS = 10_000;

describe.runIf(available)('NATS adapters across a server restart', () => {
  let server: TestNatsServer;
  const links: NatsLink[] = [];
  const link = async (name: string, reconnectWaitMs: number) => {
    const l = await connectNats({
      servers: [server.url],
      name,
      logger: silentLogger,
      reconnectWaitMs,
      reconnectJitterMs: 1,
    });
    links.push(l);
    return l;
  };

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((l) => l.close()));
    await server.dispose();
  });

  it('keeps a bus subscription: the client resubscribes after reconnecting', async () => {
    const subLink = await link('sub', 50);
    const pubLink = await link('pub', 50);
    const bus = new NatsBus({ connection: subLink, ownsConnection: false, logger: silentLogger });
    const peer = new NatsBus({ connection: pubLink, ownsConnection: false, logger: silentLogger });
    const received: string[] = [];
    let wake: () => void = () => undefined;
    bus.subscribe('r.signal', (data) => {
      received.push(dec(data));
      wake();
    });
    const arrived = (n: number) =>
      within(
        (async () => {
          while (received.length < n) await new Promise<void>((resolve) => (wake = resolve));
        })(),
        WAIT_MS,
        `message ${n}`,
      );
    await subLink.nc.flush(); // the server has the subscription
    peer.publish('r.signal', enc('before'));
    await arrived(1);

    const subStatus = watchStatus(subLink.nc);
    const pubStatus = watchStatus(pubLink.nc);
    await server.kill();
    await server.restart();
    await within(
      Promise.all([subStatus.until('reconnect'), pubStatus.until('reconnect')]),
      WAIT_MS,
      'both clients reconnect',
    );
    subStatus.stop();
    pubStatus.stop();
    // A round trip on the subscriber's connection: the server has seen the resent SUB.
    await subLink.nc.flush();
    peer.publish('r.signal', enc('after'));
    await arrived(2);

    expect(received).toEqual(['before', 'after']);
    expect(bus.activeSubjects()).toBe(1);
    expect(subLink.disconnects).toBe(1);
    expect(subLink.reconnects).toBe(1);
    expect(subLink.state).toBe('connected');
    await Promise.all([bus.close(), peer.close()]);
  });

  it('keeps a log follower: entries appended while it was away arrive once it is back', async () => {
    // The follower's connection waits long before reconnecting, the appender's does not: the
    // appender is back (and appends) while the follower is still disconnected.
    const followerLink = await link('follower', 2_500);
    const appenderLink = await link('appender', 50);
    const subjects = createSubjects('restart');
    const options = { ownsConnection: false, subjects, logger: silentLogger };
    const followerLog = new JetStreamEventLog({ connection: followerLink, ...options });
    const appenderLog = new JetStreamEventLog({ connection: appenderLink, ...options });
    const entries: LogEntry[] = [];
    let wake: () => void = () => undefined;
    followerLog.follow('ev', (entry) => {
      entries.push(entry);
      wake();
    });
    const arrived = (n: number) =>
      within(
        (async () => {
          while (entries.length < n) await new Promise<void>((resolve) => (wake = resolve));
        })(),
        WAIT_MS,
        `entry ${n}`,
      );
    const { epoch } = await appenderLog.append('ev', enc('before'), 'm1');
    await arrived(1);

    const followerStatus = watchStatus(followerLink.nc);
    const appenderStatus = watchStatus(appenderLink.nc);
    await server.kill();
    await within(followerStatus.until('disconnect'), WAIT_MS, 'the follower notices');
    await server.restart();
    await within(appenderStatus.until('reconnect'), WAIT_MS, 'the appender reconnects');
    // The stream was recovered from the store: the same history, whose sequence numbers go on.
    expect(await appenderLog.append('ev', enc('during'), 'm2')).toEqual({
      epoch,
      seq: 2,
      duplicate: false,
    });
    expect(followerLink.state).toBe('disconnected'); // so 'during' was appended in its absence

    await within(followerStatus.until('reconnect'), WAIT_MS, 'the follower reconnects');
    await arrived(2); // the ordered consumer was recreated after the last seq it delivered
    await appenderLog.append('ev', enc('after'), 'm3');
    await arrived(3);
    followerStatus.stop();
    appenderStatus.stop();

    expect(entries.map((e) => [e.epoch, e.seq, dec(e.data), e.msgId])).toEqual([
      [epoch, 1, 'before', 'm1'],
      [epoch, 2, 'during', 'm2'],
      [epoch, 3, 'after', 'm3'],
    ]);
    // Read after the restart, the recovered stream names the same epoch.
    expect((await followerLog.readAfter('ev', 0, 0)).epoch).toBe(epoch);
    await Promise.all([followerLog.close(), appenderLog.close()]);
  });

  it('refuses an append at once while the connection is down, and appends again once it is back', async () => {
    const appenderLink = await link('fail-fast', 50);
    const options = { ownsConnection: false, subjects: createSubjects('failfast') };
    const log = new JetStreamEventLog({
      connection: appenderLink,
      ...options,
      logger: silentLogger,
    });
    const { epoch } = await log.append('ev', enc('before'), 'f1');
    const status = watchStatus(appenderLink.nc);
    await server.kill();
    await within(status.until('disconnect'), WAIT_MS, 'the client notices');
    const started = performance.now();
    const during = log.append('ev', enc('during'), 'f2');
    await expect(during).rejects.toBeInstanceOf(LogUnavailableError);
    // Not the publish timeout (5 s): the answer is known as soon as the connection is down.
    expect(performance.now() - started).toBeLessThan(1_000);
    await server.restart();
    await within(status.until('reconnect'), WAIT_MS, 'the client reconnects');
    status.stop();
    expect(await log.append('ev', enc('after'), 'f3')).toEqual({ epoch, seq: 2, duplicate: false });
    await log.close();
  });
});
