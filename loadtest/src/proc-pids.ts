// Finding the server processes whose memory and CPU count, from Linux /proc: the children a
// launcher started (the cluster's API and shards), and the process listening on a port (an
// engine the load tester did not start, `--target-api`). Best effort: a pid that cannot be
// read (another user's, or gone) is left out and the figures say "not measured".

import { readFile, readdir, readlink } from 'node:fs/promises';

/** Direct children of `pid` (Linux 3.5+ with CONFIG_PROC_CHILDREN); empty when unreadable. */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return []; // No such file on this kernel, or the process is gone: no children to count.
  }
}

/** The command line of `pid`, arguments joined by spaces; '' when unreadable. */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    return ''; // Gone or not ours: the caller treats it as unknown.
  }
}

/** Socket inodes listening on TCP `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue; // IPv6 may be off; the other table still answers.
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 (`ADDR:PORT`), st is field 3 (0A = LISTEN), inode is field 9.
      if (fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`) && fields[9] !== undefined) {
        inodes.add(fields[9]);
      }
    }
  }
  return inodes;
}

/** Pids holding a socket that listens on `port`; empty when none can be read. */
export async function pidsListeningOn(port: number): Promise<number[]> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return [];
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = await readdir(`/proc/${entry}/fd`);
    } catch {
      continue; // Another user's process, or gone: skipped.
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode !== undefined && inodes.has(inode)) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}
