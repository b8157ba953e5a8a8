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

/** TCP state "listen" in /proc/net/tcp's `st` column. */
const TCP_LISTEN = '0A';

/** A listening socket read from /proc/net/tcp or tcp6: its local port and its inode. */
export interface ListeningSocket {
  port: number;
  inode: string;
}

/**
 * The listening sockets in /proc/net/tcp or tcp6 texts. Lines: `sl local_address rem_address
 * st ... inode ...`; local_address is field 1 (`HEXIP:HEXPORT`), st field 3, the inode field 9.
 */
export function listeningSocketsFrom(tables: readonly string[]): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
      const port = Number.parseInt(fields[1]!.slice(fields[1]!.lastIndexOf(':') + 1), 16);
      if (Number.isInteger(port) && port > 0) sockets.push({ port, inode: fields[9]! });
    }
  }
  return sockets;
}

/** The socket inode a descriptor's link target names (`socket:[123]`); undefined for others. */
export function socketInodeOf(link: string): string | undefined {
  return /^socket:\[(\d+)\]$/.exec(link)?.[1];
}

/** /proc/net/tcp and tcp6 (as `root` sees them), '' for a table that cannot be read (IPv6 off). */
export async function tcpTables(root = '/proc/net'): Promise<string[]> {
  return await Promise.all(
    ['tcp', 'tcp6'].map((t) => readFile(`${root}/${t}`, 'utf8').catch(() => '')),
  );
}

/** Socket inodes listening on TCP `port` (IPv4 and IPv6). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const sockets = listeningSocketsFrom(await tcpTables());
  return new Set(sockets.filter((s) => s.port === port).map((s) => s.inode));
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
      const inode = socketInodeOf(await readlink(`/proc/${entry}/fd/${fd}`).catch(() => ''));
      if (inode !== undefined && inodes.has(inode)) {
        found.push(Number(entry));
        break;
      }
    }
  }
  return found;
}
