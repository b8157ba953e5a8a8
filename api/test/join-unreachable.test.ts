// A rejoin that names the gateway it could not reach (`unreachable` in the join body): the join
// is placed elsewhere by the real GatewayPicker, and a malformed value is refused with the
// documented code before anything else is done.

import { MemoryShardRegistry, type Logger } from '@fanfare/fanout';
import { shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { GatewayPicker } from '../src/gateway-picker.js';
import { JOIN_UNREACHABLE_MAX_CHARS } from '../src/join-request.js';
import type { JoinResponse, Problem } from '../src/index.js';
import { join, seededAppSetup } from './app-setup.js';
import { GATEWAY } from './fixture.js';

const setup = seededAppSetup();
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function twoShards() {
  const registry = new MemoryShardRegistry();
  // a already serves the event, so it is picked first; b has room too.
  await registry.heartbeat(shard('a', { capacity: 20, fans: 5, events: { demo: 5 } }), 60_000);
  await registry.heartbeat(shard('b', { capacity: 20 }), 60_000);
  const picker = new GatewayPicker(registry, quiet, () => 0);
  return setup({ gatewayUrl: (eventId, unreachable) => picker.pick(eventId, unreachable) });
}

describe('POST /v1/events/:id/join with `unreachable`', () => {
  it('places the fan on another shard than the one it names', async () => {
    const { app } = await twoShards();
    const first = await join(app, 'demo', '{}');
    expect(((await first.json()) as JoinResponse).gatewayUrl).toBe('ws://127.0.0.1/a');
    // The URL as the join answered it, query and all (a traceparent rides there).
    const named = JSON.stringify({ unreachable: 'ws://127.0.0.1/a?traceparent=00-x&token=t' });
    const again = await join(app, 'demo', named);
    expect(again.status).toBe(200);
    expect(((await again.json()) as JoinResponse).gatewayUrl).toBe('ws://127.0.0.1/b');
  });

  it('counts for that one join only, and a URL naming no live shard changes nothing', async () => {
    const { app } = await twoShards();
    const url = async (body: string) =>
      ((await (await join(app, 'demo', body)).json()) as JoinResponse).gatewayUrl;
    expect(await url('{"unreachable":"ws://127.0.0.1/a"}')).toBe('ws://127.0.0.1/b');
    // Nothing remembered: the next join without it goes where it would have gone.
    expect(await url('{}')).toBe('ws://127.0.0.1/a');
    expect(await url('{"unreachable":"ws://127.0.0.1/gone"}')).toBe('ws://127.0.0.1/a');
  });

  it('is accepted and ignored with one fixed gateway URL (no registry)', async () => {
    const { app } = await setup(); // gatewayUrl: () => GATEWAY, as main.ts without Redis
    const res = await join(app, 'demo', JSON.stringify({ unreachable: GATEWAY }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as JoinResponse).gatewayUrl).toBe(GATEWAY);
  });

  it('answers 503 unavailable when the only shard with room is the one named', async () => {
    const registry = new MemoryShardRegistry();
    await registry.heartbeat(shard('a', { capacity: 20 }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0);
    const { app } = await setup({ gatewayUrl: (e, u) => picker.pick(e, u) });
    const res = await join(app, 'demo', '{"unreachable":"ws://127.0.0.1/a"}');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as Problem).code).toBe('unavailable');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['not a URL', 'g2'],
    ['an http URL', 'http://127.0.0.1/a'],
    ['too long', `ws://127.0.0.1/${'a'.repeat(JOIN_UNREACHABLE_MAX_CHARS)}`],
  ])('refuses an `unreachable` that is %s with 400 invalid_body', async (_why, value) => {
    const { app } = await twoShards();
    const res = await join(app, 'demo', JSON.stringify({ unreachable: value }));
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.code).toBe('invalid_body');
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['#/unreachable']);
  });
});
