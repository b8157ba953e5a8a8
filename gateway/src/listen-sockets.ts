// A shard's listening sockets. uSockets calls listen(2) with a backlog of 512, fixed in its C
// source. In a join or resume storm the loop is busy delivering and upgrading while thousands of
// connections arrive; once 512 wait unaccepted the kernel drops the next SYNs, and each client
// tries again only after its SYN timer: 1 s, then 3 s, then 7 s from its first attempt. Measured
// (docs/benchmarks.md "The listen backlog"): in one 19,000-fan join storm and 3,798-fan resume
// storm, 27,815 SYNs were dropped (`nstat` TcpExtListenOverflows) and join times gathered at
// those steps (p50 1.35 s, p99 6.86 s), though the shard's core was never the wait.
//
// On a fixed port uSockets sets SO_REUSEPORT, so the shard listens LISTEN_SOCKETS times on it:
// the kernel spreads new connections over the sockets by a hash of their addresses, and their
// queues add up (8 x 512 = 4,096, the kernel's default `net.core.somaxconn`). One loop accepts
// from all of them; nothing else changes. On port 0 (any free port: tests) uSockets binds without
// SO_REUSEPORT, so the port cannot be shared and the shard listens once.
//
// The flip side of SO_REUSEPORT, as before this module: a second process started on the same
// fixed port shares it instead of failing to bind. Deployments give each shard its own port
// (or pod).

import type { Uws } from './uws.js';

/** Listening sockets on a fixed port; their backlogs add up (512 each). */
export const LISTEN_SOCKETS = 8;

export interface Listening {
  port: number;
  sockets: Uws.us_listen_socket[];
}

/** Listens on `host`:`port` (`count` times when the port is fixed), or throws. */
export async function listenSockets(
  uws: typeof Uws,
  app: Uws.TemplatedApp,
  host: string,
  port: number,
  count: number = LISTEN_SOCKETS,
): Promise<Listening> {
  const sockets: Uws.us_listen_socket[] = [];
  const times = port === 0 ? 1 : count;
  for (let i = 0; i < times; i++) {
    const socket = await new Promise<Uws.us_listen_socket | false>((resolve) =>
      app.listen(host, port, (s) => resolve(s)),
    );
    if (!socket) {
      closeListenSockets(uws, sockets);
      throw new Error(
        `gateway could not listen on ${host}:${port}` +
          (i > 0 ? ` (socket ${i + 1} of ${times}: the port's SO_REUSEPORT group refused it)` : ''),
      );
    }
    sockets.push(socket);
  }
  return { port: uws.us_socket_local_port(sockets[0]!), sockets };
}

/** Stops listening on every socket; new connections are refused from here on. */
export function closeListenSockets(uws: typeof Uws, sockets: Uws.us_listen_socket[]): void {
  for (const socket of sockets.splice(0)) uws.us_listen_socket_close(socket);
}
