// A gateway shutting down closes fans with 4000: the client schedules a quick, jittered
// reconnect (and keeps trying while the gateway is gone) until the app closes it.

import { describe, expect, it } from 'vitest';
import { RESTART_JITTER_MS } from '../src/index.js';
import { connectedFan, startTestEngine } from './engine.js';
import { collect, waitFor } from './wait-for.js';

describe('FanfareClient when the server shuts down', () => {
  it('reconnects after 4000 until the app closes it', async () => {
    const engine = await startTestEngine();
    const ann = await connectedFan(engine, 'Ann', { random: () => 0.1 });
    const states = collect(ann.client, 'state');
    const restart = waitFor(ann.client, 'reconnecting', (r) => r.code === 4000);
    const retrying = waitFor(ann.client, 'reconnecting', (r) => r.code === 1006);
    const sending = ann.client.sendChat('into the void');
    await engine.close();

    expect(await restart).toMatchObject({ code: 4000, delayMs: 0.1 * RESTART_JITTER_MS });
    await retrying; // the gateway is gone: the next attempt fails and backs off
    expect(states.map((s) => s.state).slice(0, 3)).toEqual(['waiting', 'connecting', 'waiting']);

    const closed = waitFor(ann.client, 'closed');
    ann.client.close();
    expect(await closed).toEqual({ code: 1000, reason: 'client closed' });
    expect(ann.client.state).toBe('closed');
    await expect(sending).rejects.toMatchObject({ name: 'ClientClosedError' });
  });
});
