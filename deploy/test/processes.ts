// Child processes for the build checks: a built service started with plain `node`, read through
// its JSON log lines, and stopped with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Waits this long for a built service to log that it is up, ms (PGlite starts slowly). */
export const SERVICE_START_LIMIT_MS = 120_000;

export interface Started {
  child: ChildProcess;
  /** The first JSON log line whose `msg` was awaited. */
  line: Record<string, unknown>;
  output: string[];
}

/**
 * Runs `node ...args` with exactly `env` (plus PATH), and resolves with the first JSON log line
 * whose `msg` is `readyMsg`; rejects if the process exits first or the limit passes.
 */
export function startNode(
  args: string[],
  env: Record<string, string>,
  readyMsg: string,
  cwd: string,
): Promise<Started> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`no "${readyMsg}" within ${SERVICE_START_LIMIT_MS} ms:\n${output.join('\n')}`),
      );
    }, SERVICE_START_LIMIT_MS);
    const onLine = (text: string) => {
      output.push(text);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // not a log line (a stack trace, say): kept in `output` for the error
      }
      if (line.msg === readyMsg) {
        clearTimeout(timer);
        resolve({ child, line, output });
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${readyMsg}":\n${output.join('\n')}`));
    });
  });
}

/** Sends SIGTERM and resolves with the exit code once the process has gone. */
export function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
