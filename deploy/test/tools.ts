// The command-line tools the deploy checks run (kubectl, promtool, prometheus): Debian binaries installed by
// deploy/local/services.sh. Missing one fails the test under CI=true and skips it elsewhere.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

export const KUBECTL = process.env.KUBECTL_PATH ?? '/usr/bin/kubectl';
export const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
export const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';

/** Whether `path` exists; throws under CI=true when it does not. */
export function toolAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  const message = `${path} is missing: run deploy/local/services.sh to install it`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`${message} (skipping; under CI=true this fails)`);
  return false;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; a non-zero exit is a result, not an exception. */
export async function runTool(path: string, args: string[]): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(path, args, {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err; // could not start at all
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
