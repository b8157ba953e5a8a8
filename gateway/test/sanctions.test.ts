// Bans and timeouts as a shard enforces them: from a bus notice at once, from the store's
// version check within SANCTION_CHECK_MS when the notice is lost, and from its last copy while
// the store is unreachable.

import {
  createSubjects,
  encodeSanctionNotice,
  type Sanction,
  type SanctionStore,
} from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import { Close } from '@fanfare/protocol';
import { expectRefused } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { SANCTION_CHECK_MS } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

const subjects = createSubjects('fanfare');

function sanction(userId: string, kind: Sanction['kind'], until: number | null, at: number) {
  return { userId, kind, until, by: 'mod-1', at } satisfies Sanction;
}

/** What the API does: write the store, then announce on the bus. */
async function impose(g: TestGateway, s: Sanction, announce = true): Promise<void> {
  const version = await g.sanctions.impose('demo', s);
  if (announce) {
    g.bus.publish(
      subjects.sanctions('demo'),
      encodeSanctionNotice({ version, userId: s.userId, sanction: s }),
    );
  }
}

describe('sanctions on a shard', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('closes every session of a banned fan with 4500, refuses them after, spares others', async () => {
    g = await startGateway();
    const first = await g.join({ sub: 'troll' });
    const second = await g.join({ sub: 'troll' });
    const bystander = await g.join({ sub: 'fan-ok' });
    await impose(g, sanction('troll', 'ban', null, Date.now()));
    expect((await first.fan.closed).code).toBe(Close.banned);
    expect((await second.fan.closed).code).toBe(Close.banned);
    const refusal = await expectRefused(`${g.url}?token=${await g.sign({ sub: 'troll' })}`);
    expect(refusal).toMatchObject({ status: 403, reason: 'banned' });
    bystander.fan.send({ type: 'chat.send', text: 'still here', ref: 'r1' });
    expect((await bystander.fan.next('ack')).ref).toBe('r1');
  });

  it('answers a timed-out fan’s chat with timed_out and when it ends, then lets it chat', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join({ sub: 'loud' });
    await impose(g, sanction('loud', 'timeout', clock.now() + 30_000, clock.now()));
    fan.send({ type: 'chat.send', text: 'hello?', ref: 'r1' });
    const error = await fan.next('error');
    expect(error).toMatchObject({ code: 'timed_out', ref: 'r1', retryAfterMs: 30_000 });
    clock.advance(30_000);
    fan.send({ type: 'chat.send', text: 'hello again', ref: 'r2' });
    expect((await fan.next('ack')).ref).toBe('r2');
  });

  it('enforces a ban whose notice was lost within one version check', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join({ sub: 'sneaky' });
    await impose(g, sanction('sneaky', 'ban', null, clock.now()), false);
    expect(fan.socket.readyState).toBe(fan.socket.OPEN);
    clock.advance(SANCTION_CHECK_MS);
    expect((await fan.closed).code).toBe(Close.banned);
  });

  it('admits a fan again once the ban is lifted', async () => {
    g = await startGateway();
    const { fan } = await g.join({ sub: 'forgiven' });
    await impose(g, sanction('forgiven', 'ban', null, Date.now()));
    await fan.closed;
    const { version } = await g.sanctions.lift('demo', 'forgiven');
    g.bus.publish(
      subjects.sanctions('demo'),
      encodeSanctionNotice({ version, userId: 'forgiven', sanction: null }),
    );
    const again = await g.join({ sub: 'forgiven' });
    expect(again.welcome.user.id).toBe('forgiven');
  });

  it('keeps enforcing its last copy, and chat, while the store is unreachable', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join({ sub: 'muted' });
    await impose(g, sanction('muted', 'timeout', clock.now() + 60_000, clock.now()));
    fan.send({ type: 'chat.send', text: 'one', ref: 'r1' });
    expect(await fan.next('error')).toMatchObject({ code: 'timed_out' });

    breakStore(g.sanctions);
    clock.advance(SANCTION_CHECK_MS * 3); // version checks fail: the copy stays
    fan.send({ type: 'chat.send', text: 'two', ref: 'r2' });
    expect(await fan.next('error', (e) => e.ref === 'r2')).toMatchObject({ code: 'timed_out' });
    const other = await g.join({ sub: 'talker' });
    other.fan.send({ type: 'chat.send', text: 'chat goes on', ref: 'r3' });
    expect((await other.fan.next('ack')).ref).toBe('r3');
  });
});

/** Makes every read of the store fail, as an unreachable Redis does. */
function breakStore(store: SanctionStore): void {
  const down = () => Promise.reject(new Error('store down'));
  store.version = down;
  store.active = down;
  store.of = down;
}
