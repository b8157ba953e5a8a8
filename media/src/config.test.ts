import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, MEDIA_VARIABLES, loadMediaConfig, parseLadder } from './config.js';

const SECRET = 'x'.repeat(32);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadMediaConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadMediaConfig', () => {
  it('fills every default but the secret, and freezes the result', () => {
    const config = loadMediaConfig({ MEDIA_TOKEN_SECRET: SECRET });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8090,
      tls: undefined,
      corsOrigin: '*',
      partTarget: 0.2,
      segmentTarget: 1,
      windowSegments: 20,
      frameRate: 30,
      preset: 'veryfast',
      ffmpegPath: 'ffmpeg',
      demoEvent: 'demo',
    });
    expect(config.ladder.map((r) => [r.name, r.width, r.height, r.videoBitrate])).toEqual([
      ['360p', 640, 360, 800_000],
      ['180p', 320, 180, 250_000],
    ]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('requires a token secret of 32 bytes or more', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^MEDIA_TOKEN_SECRET is required/)]);
    expect(problemsOf({ MEDIA_TOKEN_SECRET: 'short' })).toHaveLength(1);
  });

  it('lists every problem of a kind at once: each field, then each cross-field rule', () => {
    const problems = problemsOf({
      MEDIA_TOKEN_SECRET: SECRET,
      MEDIA_PORT: 'eighty',
      MEDIA_PART_MS: '250', // 7.5 frames at 30 fps
      MEDIA_SEGMENT_MS: '1100',
      MEDIA_LADDER: '360p:641x360:800k',
      MEDIA_TLS_CERT: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
    });
    expect(problems.join('\n')).toMatch(/MEDIA_PORT/);
    const second = problemsOf({
      MEDIA_TOKEN_SECRET: SECRET,
      MEDIA_PART_MS: '250',
      MEDIA_SEGMENT_MS: '1100',
      MEDIA_WINDOW_SEGMENTS: '5',
      MEDIA_LADDER: '360p:641x360:800k',
      MEDIA_TLS_CERT: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
    });
    expect(second).toEqual([
      expect.stringMatching(/^MEDIA_LADDER 360p: width and height must be even/),
      expect.stringMatching(/^MEDIA_PART_MS must be whole frames/),
      expect.stringMatching(/^MEDIA_SEGMENT_MS must be a multiple of MEDIA_PART_MS/),
      expect.stringMatching(/^MEDIA_WINDOW_SEGMENTS must span more than the skip boundary/),
      'MEDIA_TLS_CERT and MEDIA_TLS_KEY must be set together',
    ]);
  });

  it('turns the demo off with an empty MEDIA_DEMO_EVENT', () => {
    expect(loadMediaConfig({ MEDIA_TOKEN_SECRET: SECRET, MEDIA_DEMO_EVENT: '' }).demoEvent).toBe(
      undefined,
    );
  });

  it('never echoes the secret in a problem', () => {
    expect(problemsOf({ MEDIA_TOKEN_SECRET: 'hunter2' }).join('\n')).not.toContain('hunter2');
  });
});

describe('parseLadder', () => {
  it('refuses a rung that is not name:WxH:bitratek, and a name used twice', () => {
    expect(parseLadder('360p:640x360', 64_000)).toMatch(/is not name:WIDTHxHEIGHT:BITRATEk/);
    expect(parseLadder('a:64x36:100k,a:32x18:50k', 64_000)).toMatch(/used twice/);
  });
});

describe('docs/config.md', () => {
  it('lists exactly the variables the media schema reads', () => {
    const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Media (`media/src/config.ts`)'));
    const table = section.slice(0, section.indexOf('\n## '));
    const names = [...table.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual([...MEDIA_VARIABLES].sort());
  });
});
