// The join reply's `playback`: an LL-HLS master playlist URL whose path carries a playback token
// for that event and viewer, minted only once every join check passed, and checked here with the
// media origin's own checker (the same function the origin runs on every request).

import { describe, expect, it } from 'vitest';
import { checkPlaybackToken } from '@fanfare/media';
import {
  LlHlsPlaybackIssuer,
  type JoinResponse,
  type PlaybackIssuer,
  type Problem,
} from '../src/index.js';
import { join, seededAppSetup } from './app-setup.js';

const setup = seededAppSetup();
const SECRET = Buffer.from('a-shared-secret-of-32-bytes-or-more!');
const PUBLIC_URL = 'https://media.example.com/hls';
const URL_SHAPE = /^https:\/\/media\.example\.com\/hls\/live\/([^/]+)\/([^/]+)\/master\.m3u8$/;

/** The real issuer, counting its calls. */
function countingIssuer(): PlaybackIssuer & { calls: number } {
  const real = new LlHlsPlaybackIssuer({ secret: SECRET, publicUrl: `${PUBLIC_URL}/` });
  return {
    calls: 0,
    issue(eventId, viewerId, expiresAt) {
      this.calls += 1;
      return real.issue(eventId, viewerId, expiresAt);
    },
  };
}

describe('playback in the join reply', () => {
  it('answers an LL-HLS master playlist URL with a token for this event and viewer', async () => {
    const { app } = await setup({ playback: countingIssuer() });
    const res = await join(app, 'demo', '{"name":"Ann"}');
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    expect(body.playback).toEqual({
      tier: 'll-hls',
      url: expect.stringMatching(URL_SHAPE),
      expiresAt: Math.floor(body.expiresAt / 1000) * 1000,
      fallback: body.playback!.url,
    });
    const [, event, token] = URL_SHAPE.exec(body.playback!.url)!;
    expect(event).toBe('demo');
    const nowS = Math.floor(Date.now() / 1000);
    expect(checkPlaybackToken(SECRET, token, 'demo', nowS)).toEqual({
      ok: true,
      claims: { eventId: 'demo', viewerId: body.user.id, exp: body.playback!.expiresAt / 1000 },
    });
    expect(checkPlaybackToken(SECRET, token, 'other', nowS)).toEqual({
      ok: false,
      refusal: 'token_wrong_event',
    });
    expect(checkPlaybackToken(Buffer.from('x'.repeat(32)), token, 'demo', nowS)).toEqual({
      ok: false,
      refusal: 'token_invalid',
    });
    expect(checkPlaybackToken(SECRET, token, 'demo', body.playback!.expiresAt / 1000)).toEqual({
      ok: false,
      refusal: 'token_expired',
    });
  });

  it('mints nothing for a join refused by entitlement or country', async () => {
    const playback = countingIssuer();
    const { app } = await setup({ playback, countryHeader: 'cf-ipcountry' });
    const refusals = [
      await join(app, 'vip', '{}'),
      await join(app, 'geo', '{}', { 'cf-ipcountry': 'US' }),
    ];
    const codes = await Promise.all(refusals.map(async (r) => ((await r.json()) as Problem).code));
    expect(codes).toEqual(['not_entitled', 'country_not_allowed']);
    expect(playback.calls).toBe(0);
    expect((await join(app, 'geo', '{}', { 'cf-ipcountry': 'FR' })).status).toBe(200);
    expect(playback.calls).toBe(1);
  });

  it('names the event-wide target delay when one is configured (MEDIA_TARGET_LATENCY_MS)', async () => {
    const issuer = new LlHlsPlaybackIssuer({
      secret: SECRET,
      publicUrl: PUBLIC_URL,
      targetLatencyMs: 1500,
    });
    const { app } = await setup({ playback: issuer });
    const body = (await (await join(app, 'demo', '{}')).json()) as JoinResponse;
    expect(body.playback).toMatchObject({ tier: 'll-hls', targetLatencyMs: 1500 });
  });

  it('leaves playback out when no media service is configured', async () => {
    const { app } = await setup();
    const body = (await (await join(app, 'demo', '{}')).json()) as JoinResponse;
    expect(body).not.toHaveProperty('playback');
  });
});
