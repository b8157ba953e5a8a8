import { describe, expect, it } from 'vitest';
import { ORIGIN_REQUEST_KINDS, originRequestKind } from './metrics.js';

describe('originRequestKind', () => {
  it('tells what an origin URL asks for without parsing it', () => {
    const kinds = [
      '/live/ev/tok/master.m3u8',
      '/live/ev/tok/180p/index.m3u8',
      '/live/ev/tok/180p/index.m3u8?_HLS_skip=YES',
      '/live/ev/tok/180p/index.m3u8?_HLS_msn=12&_HLS_part=3',
      '/live/ev/tok/180p/part-e1-40.m4s',
      '/live/ev/tok/180p/seg-e1-12.m4s',
      '/live/ev/tok/180p/init-e1-0.mp4',
      '/auth/live/ev/tok/180p/part-e1-40.m4s',
      '/favicon.ico',
    ].map((url) => ORIGIN_REQUEST_KINDS[originRequestKind(url)]);
    expect(kinds).toEqual([
      'master',
      'playlist',
      'playlist',
      'playlist_blocking',
      'part',
      'segment',
      'init',
      'auth',
      'other',
    ]);
  });
});
