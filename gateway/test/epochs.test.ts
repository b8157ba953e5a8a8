// Stream epochs on the real JetStream log: a fan's seq counts only in the history it came from.
// When an event's stream is deleted and recreated, fans connected in the old history are closed
// with 4003, and a fan resuming with (old epoch, seq) gets `lost` and the new history's
// snapshot, never the new history's later messages as if they continued its own.

import {
  JetStreamEventLog,
  connectNats,
  createSubjects,
  encodeLogRecord,
  type NatsLink,
} from '@fanfare/fanout';
import { natsTestPrefix, natsUrl, requireNats, silentLogger } from '@fanfare/fanout/testing';
import { Close, resumeQuery, type ChatMessage } from '@fanfare/protocol';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const available = await requireNats();

const fast = {
  chat: {
    fan: { ratePerSecond: 1000, burst: 1000 },
    staff: { ratePerSecond: 1000, burst: 1000 },
    duplicateWindowMs: 0,
  },
};

describe.runIf(available)('stream epochs on JetStream', () => {
  let g: TestGateway | undefined;
  let link: NatsLink | undefined;
  let log: JetStreamEventLog | undefined;
  const prefix = natsTestPrefix();
  const subjects = createSubjects(prefix);

  afterEach(async () => {
    await g?.close();
    await log?.close();
    if (link) {
      const jsm = await jetstreamManager(link.nc);
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(prefix)) await jsm.streams.delete(name);
      }
      await link.close();
    }
  });

  /** Sends texts from a fresh talker; resolves with the last ack once it saw its own message. */
  async function say(gateway: TestGateway, ...texts: string[]) {
    const { fan } = await gateway.join({ name: 'Talker' });
    for (const text of texts) fan.send({ type: 'chat.send', text, ref: text });
    const last = await fan.next('ack', (a) => a.ref === texts.at(-1));
    await fan.until('its own last message', () => fan.chatTexts().includes(texts.at(-1)!));
    return last;
  }

  it('answers a resume from a recreated stream with lost and the new history', async () => {
    link = await connectNats({ servers: [natsUrl()], name: prefix, logger: silentLogger });
    log = new JetStreamEventLog({
      connection: link,
      ownsConnection: false,
      subjects,
      logger: silentLogger,
    });
    g = await startGateway(fast, undefined, {}, { log });
    const old = await say(g, 'old 1', 'old 2', 'old 3', 'old 4', 'old 5');
    // Control: in the same history, the fan resumes.
    const same = await g.join({}, {}, resumeQuery({ epoch: old.epoch, seq: 3 }));
    expect(same.welcome.snapshot.continuity).toBe('resumed');
    expect(same.welcome.snapshot.chat.map((m) => m.text)).toEqual(['old 4', 'old 5']);

    const jsm = await jetstreamManager(link.nc);
    await jsm.streams.delete(subjects.logStream('demo'));
    // Another shard (or the API) writes first: the stream comes back as a new history.
    const author = { id: 'x', name: 'Elsewhere', role: 'fan' as const };
    const record = encodeLogRecord({ kind: 'chat', id: 'n1', author, text: 'new 1' });
    const first = await log.append('demo', record, 'n1');
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(first.epoch).not.toBe(old.epoch);
    // The fan connected in the old history is closed, so it never reads the new one as its own.
    expect((await same.fan.closed).code).toBe(Close.logRestarted);

    const now = await say(g, 'new 2', 'new 3', 'new 4', 'new 5', 'new 6', 'new 7');
    expect([now.epoch, now.seq]).toEqual([first.epoch, 7]);
    // (old epoch, 5): a bare seq 5 would "continue" with new 6 and new 7.
    const { welcome } = await g.join({}, {}, resumeQuery({ epoch: old.epoch, seq: old.seq }));
    expect(welcome.snapshot.continuity).toBe('lost');
    expect(welcome.snapshot.epoch).toBe(first.epoch);
    expect(welcome.snapshot.lastSeq).toBe(7);
    const texts = welcome.snapshot.chat.map((m: ChatMessage) => m.text);
    expect(texts).toEqual(['new 1', 'new 2', 'new 3', 'new 4', 'new 5', 'new 6', 'new 7']);
  });
});
