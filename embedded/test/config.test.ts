// The engine reads the API's, the gateway's and the media process's variables with one list of
// problems, and gives the API and the media child one playback token secret.

import { configProblems } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../src/index.js';

describe('loadEngineConfig', () => {
  it('lists the media problems with the others', () => {
    const problems = configProblems(loadEngineConfig, { API_PORT: 'x', MEDIA_PART_MS: '250' });
    expect(problems.join('\n')).toMatch(/API_PORT/);
    expect(problems.join('\n')).toMatch(/MEDIA_PART_MS must be whole frames/);
  });

  it('makes one secret per run for the API and the media child, unless one is given', () => {
    const made = loadEngineConfig({});
    expect(made.api.mediaTokenSecret).toBe(made.media!.env.MEDIA_TOKEN_SECRET);
    expect(made.media!.config.tokenSecret).toEqual(Buffer.from(made.api.mediaTokenSecret!));
    expect(loadEngineConfig({}).api.mediaTokenSecret).not.toBe(made.api.mediaTokenSecret);
    const given = 'g'.repeat(40);
    expect(loadEngineConfig({ MEDIA_TOKEN_SECRET: given }).media!.env.MEDIA_TOKEN_SECRET).toBe(
      given,
    );
  });

  it('runs without video, and without reading the media variables, with EMBEDDED_MEDIA=off', () => {
    const config = loadEngineConfig({ EMBEDDED_MEDIA: 'off', MEDIA_PART_MS: '250' });
    expect(config.media).toBeUndefined();
    expect(configProblems(loadEngineConfig, { EMBEDDED_MEDIA: 'maybe' }).join()).toMatch(
      /EMBEDDED_MEDIA/,
    );
  });
});
