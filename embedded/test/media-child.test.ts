// An engine that dies without closing (SIGKILL, a crash) leaves no media process and no ffmpeg
// behind: the child's IPC channel closes with its parent, and it shuts down by itself.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ffmpegAvailable } from '@fanfare/media';

const PARENT = fileURLToPath(new URL('./media-parent.ts', import.meta.url));

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls the kernel's process table (nothing else tells us): true once every pid is gone. */
async function gone(pids: number[], limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!pids.some(alive)) return true;
    await sleep(100);
  }
  return false;
}

it.skipIf(!ffmpegAvailable())(
  'stops the media process and its ffmpeg when the engine is killed',
  async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', PARENT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const mediaPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /media (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', () => reject(new Error('the stand-in engine exited first')));
    });
    // The demo's ffmpeg is spawned before the media process says it listens.
    const ffmpegs = childrenOf(mediaPid);
    expect(ffmpegs.length).toBe(1);
    parent.kill('SIGKILL');
    expect(await gone([mediaPid, ...ffmpegs], 10_000)).toBe(true);
  },
  // A hang limit: two tsx starts (the stand-in engine, then the media process within its own
  // MEDIA_START_LIMIT_MS, 30 s) and the 10 s above; a tsx start took over 30 s on a loaded box.
  120_000,
);
