// Chat while NATS is down: the shard answers `chat.send` with `unavailable` and a `retryAfterMs`
// as soon as its connection is known to be down (no publish timeout to wait out, no queue), and
// chat flows again once NATS is back. The test runs its own nats-server and kills it; never the
// shared one.

import { JetStreamEventLog, connectNats, createSubjects, type NatsLink } from '@fanfare/fanout';
import {
  requireNatsServerBinary,
  silentLogger,
  startNatsServer,
  watchStatus,
  within,
  type TestNatsServer,
} from '@fanfare/fanout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const available = requireNatsServerBinary();
const WAIT_MS = 10_000;

describe.runIf(available)('chat while NATS is down', () => {
  let server: TestNatsServer;
  let link: NatsLink;
  let log: JetStreamEventLog;
  let g: TestGateway;
  beforeAll(async () => {
    server = await startNatsServer();
    link = await connectNats({
      servers: [server.url],
      name: 'outage',
      logger: silentLogger,
      reconnectWaitMs: 50,
      reconnectJitterMs: 1,
    });
    log = new JetStreamEventLog({
      connection: link,
      ownsConnection: false,
      subjects: createSubjects('outage'),
      logger: silentLogger,
    });
    g = await startGateway({}, undefined, {}, { log });
  }, 30_000);
  afterAll(async () => {
    await g?.close();
    await log?.close();
    await link?.close();
    await server?.dispose();
  });

  it('answers unavailable with retryAfterMs at once, and chats again when NATS is back', async () => {
    const { fan } = await g.join();
    fan.send({ type: 'chat.send', text: 'before', ref: 'b' });
    expect(await fan.next('ack')).toMatchObject({ ref: 'b' });

    const status = watchStatus(link.nc);
    await server.kill();
    await within(status.until('disconnect'), WAIT_MS, 'the shard notices');
    const started = performance.now();
    fan.send({ type: 'chat.send', text: 'during', ref: 'd' });
    const error = await fan.next('error');
    // Not the 5 s publish timeout: the shard knows the log is unreachable.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ code: 'unavailable', ref: 'd', retryAfterMs: 1000 });

    await server.restart();
    await within(status.until('reconnect'), WAIT_MS, 'the shard reconnects');
    status.stop();
    fan.send({ type: 'chat.send', text: 'during', ref: 'a' });
    expect(await fan.next('ack')).toMatchObject({ ref: 'a' });
    await fan.until('the message resent after the outage', () =>
      fan.chatTexts().includes('during'),
    );
    expect(fan.chatTexts()).toEqual(['before', 'during']);
  });
});
