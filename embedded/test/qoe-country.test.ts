// QoE by country, end to end in the embedded engine: the join reads the fan's country from the
// trusted header (COUNTRY_HEADER), signs it into the fan token (`cty`), the shard labels that
// fan's beacons with it, and the API's roll-up answers them under that country.

import { connectFan, type FanClient } from '@fanfare/testkit';
import { silentLogger } from '@fanfare/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../src/index.js';

/** The shard's 5 s window and the API's 5 s write, with margin for a loaded box, ms. */
const ROLLUP_WAIT_MS = 40_000;

interface QoeAnswer {
  byCountry: { country: string; attempts?: number }[];
}

describe('QoE by the country of the join', () => {
  let engine: Engine;
  const fans: FanClient[] = [];
  beforeAll(async () => {
    engine = await startEngine(
      {
        API_PORT: '0',
        GATEWAY_PORT: '0',
        PGLITE_DATA_DIR: 'memory',
        EMBEDDED_MEDIA: 'off',
        COUNTRY_HEADER: 'cf-ipcountry',
      },
      { apiLogger: silentLogger, gatewayLogger: silentLogger },
    );
    // A hang limit, the suite's (90 s): PGlite's start alone took 30 s and more on a loaded box.
  }, 90_000);
  afterAll(async () => {
    for (const fan of fans) fan.socket.terminate();
    await engine?.close();
  });

  async function join(country?: string): Promise<{ fan: FanClient; claims: { cty?: string } }> {
    const res = await fetch(`${engine.apiUrl}/v1/events/demo/join`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(country ? { 'cf-ipcountry': country } : {}),
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const { token, gatewayUrl } = (await res.json()) as { token: string; gatewayUrl: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      cty?: string;
    };
    const fan = await connectFan(`${gatewayUrl}?token=${token}`);
    fans.push(fan);
    await fan.next('welcome');
    return { fan, claims };
  }

  it('rolls a beacon up under the country its join came from', async () => {
    const de = await join('de');
    const nowhere = await join();
    expect(de.claims.cty).toBe('DE');
    expect(nowhere.claims.cty).toBeUndefined();
    de.fan.send({ type: 'qoe', kind: 'exit_before_start', tier: 'll-hls' });
    for (const { fan } of [de, nowhere]) {
      fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 1_500 });
      fan.send({ type: 'qoe', kind: 'playing', tier: 'll-hls', watchMs: 10_000 });
      fan.send({ type: 'ping', ref: 'p' });
      await fan.next('pong');
    }

    // The shard's own series, at once.
    const shard = engine.gatewayUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
    const text = await (await fetch(`${shard}/metrics`)).text();
    const starts = (country: string) =>
      text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('fanfare_gateway_qoe_video_start_seconds_count{') &&
            l.includes(`country="${country}"`),
        );
    expect(starts('DE')).toMatch(/ 1$/);
    expect(starts('unknown')).toMatch(/ 1$/);

    // The API's roll-up, once the shard's window is published and written.
    const deadline = Date.now() + ROLLUP_WAIT_MS;
    let answer: QoeAnswer | undefined;
    for (;;) {
      const res = await fetch(`${engine.apiUrl}/v1/events/demo/qoe?minutes=5`, {
        headers: { authorization: `Bearer ${engine.producerToken}` },
      });
      expect(res.status).toBe(200);
      answer = (await res.json()) as QoeAnswer;
      const attempts = answer.byCountry.reduce((n, c) => n + (c.attempts ?? 0), 0);
      if (attempts >= 3 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const byCountry = new Map(answer.byCountry.map((c) => [c.country, c]));
    expect([...byCountry.keys()].sort()).toEqual(['DE', 'unknown']);
    // DE had one start and one exit before a start: two attempts; the other fan one.
    expect(byCountry.get('DE')).toMatchObject({ attempts: 2 });
    expect(byCountry.get('unknown')).toMatchObject({ attempts: 1 });
  }, 90_000);
});
