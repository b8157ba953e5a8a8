import { describe, expect, it } from 'vitest';
import { apiJoin } from './api-join.js';

/** A fetch that records each body and answers a grant. */
function recording() {
  const bodies: unknown[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(init.body as string));
    return new Response(JSON.stringify({ token: 't', gatewayUrl: 'ws://g' }), { status: 200 });
  }) as typeof globalThis.fetch;
  return { bodies, fetch };
}

describe('apiJoin', () => {
  it('sends the tiers it can play on every join, asking a function each time', async () => {
    const { bodies, fetch } = recording();
    let tiers: ('webrtc' | 'll-hls')[] = ['webrtc', 'll-hls'];
    const join = apiJoin({
      apiUrl: 'http://api',
      eventId: 'e',
      name: 'Ann',
      tiers: () => tiers,
      fetch,
    });
    await join(undefined);
    tiers = ['ll-hls'];
    await join('previous');
    expect(bodies).toEqual([{ name: 'Ann', tiers: ['webrtc', 'll-hls'] }, { tiers: ['ll-hls'] }]);
  });

  it('sends no tiers when not told any', async () => {
    const { bodies, fetch } = recording();
    await apiJoin({ apiUrl: 'http://api', eventId: 'e', fetch })(undefined);
    expect(bodies).toEqual([{}]);
  });
});
