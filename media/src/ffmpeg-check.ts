// Whether ffmpeg is on this machine. Media tests need it: under CI=true a missing ffmpeg fails
// the test (CI installs it, see deploy/local/services.sh); elsewhere the test is skipped.

import { spawnSync } from 'node:child_process';

/** The ffmpeg binary the packager spawns (FFMPEG_PATH in the media config). */
export const DEFAULT_FFMPEG_PATH = 'ffmpeg';

export function ffmpegWorks(path = DEFAULT_FFMPEG_PATH): boolean {
  const result = spawnSync(path, ['-hide_banner', '-version'], { stdio: 'ignore' });
  return result.status === 0;
}

/** For tests: true when ffmpeg runs; throws under CI=true when it does not. */
export function ffmpegAvailable(path = DEFAULT_FFMPEG_PATH): boolean {
  if (ffmpegWorks(path)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${path} is missing: run deploy/local/services.sh to install it`);
  }
  return false;
}
