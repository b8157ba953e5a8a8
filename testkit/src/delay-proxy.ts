// A TCP proxy on loopback that delays each direction of every connection, as a real network path
// would: a base one-way delay, uniform jitter on top, and an optional bandwidth cap. Bytes stay
// in order in each direction (a TCP stream never reorders), so a chunk's release time is never
// earlier than the previous chunk's. Used by tests and benchmarks that need a delayed path
// between a browser (or any client) and a server on this machine; it proxies any TCP protocol
// (WebSocket, HTTP/1.1), so the client only has to be given the proxy's port. `stall()` holds
// everything towards the client until `resume()`, as a link that stops delivering for a while
// (what makes a player rebuffer); bytes held are released in order, nothing is lost.

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** One direction's delay: `baseMs` plus a uniform draw in [0, `jitterMs`), per chunk. */
export interface PathDelay {
  baseMs: number;
  jitterMs?: number;
  /** Bandwidth cap, bytes per second; a chunk is released no sooner than its size allows. */
  bytesPerSecond?: number;
}

export interface DelayProxyOptions {
  /** Where connections go. */
  target: { host: string; port: number };
  /** Client to target. */
  up: PathDelay;
  /** Target to client. */
  down: PathDelay;
  /** Uniform [0, 1) source; `Math.random` unless a test wants a seeded one. */
  random?: () => number;
  /**
   * One bottleneck link for all connections (as a home line): each direction's `bytesPerSecond`
   * is shared by every connection through the proxy. Default: each connection has its own cap.
   */
  sharedLink?: boolean;
}

/** Whether a direction is stalled, and the flushes waiting for it to resume. */
interface Gate {
  held: boolean;
  waiting: Set<() => void>;
}

/** When a direction of the shared link is next free, performance.now() ms. */
interface Link {
  busyUntil: number;
}

export interface DelayProxy {
  /** `127.0.0.1:<port>` the proxy listens on. */
  host: string;
  port: number;
  /** Holds every byte towards the client (all connections) until `resume()`. */
  stall(): void;
  /** Releases what `stall()` held, in order, and lets bytes flow again. Idempotent. */
  resume(): void;
  /** Stops listening and destroys every proxied connection. */
  close(): Promise<void>;
}

/** Starts a delaying proxy on 127.0.0.1 and a free port. */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const random = options.random ?? Math.random;
  const sockets = new Set<Socket>();
  const links = options.sharedLink ? { up: { busyUntil: 0 }, down: { busyUntil: 0 } } : undefined;
  const held: Gate = { held: false, waiting: new Set() };
  const server: Server = createServer((client) => {
    const upstream = connect(options.target.port, options.target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      // A reset on either side ends the pair; the error itself is the peer's business.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    pipeDelayed(client, upstream, options.up, random, links?.up);
    pipeDelayed(upstream, client, options.down, random, links?.down, held);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    stall: () => {
      held.held = true;
    },
    resume: () => {
      held.held = false;
      for (const release of [...held.waiting]) release();
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/**
 * Forwards `from` to `to`, releasing each chunk at its delayed time, in order: chunks wait in a
 * queue with non-decreasing release times and one timer serves its head (timers of different
 * durations may fire out of order, so one timer per chunk could reorder bytes).
 */
function pipeDelayed(
  from: Socket,
  to: Socket,
  delay: PathDelay,
  random: () => number,
  link?: Link,
  gate?: Gate,
): void {
  const queue: { at: number; chunk: Buffer | null }[] = []; // null: the end of the stream
  let lastRelease = 0;
  let timer: NodeJS.Timeout | undefined;
  const releaseAt = (bytes: number): number => {
    const now = performance.now();
    let at = now + delay.baseMs + (delay.jitterMs ?? 0) * random();
    if (delay.bytesPerSecond && link) {
      // The shared link sends one chunk at a time, whichever connection it belongs to.
      link.busyUntil = Math.max(link.busyUntil, now) + (bytes / delay.bytesPerSecond) * 1000;
      at = Math.max(at, link.busyUntil + delay.baseMs);
    } else if (delay.bytesPerSecond) {
      // The link is busy until the previous chunk has gone out; this one then takes its size.
      at = Math.max(at, Math.max(lastRelease, now) + (bytes / delay.bytesPerSecond) * 1000);
    }
    lastRelease = Math.max(lastRelease, at);
    return lastRelease;
  };
  const flush = () => {
    timer = undefined;
    if (gate?.held) {
      gate.waiting.add(flush);
      return;
    }
    gate?.waiting.delete(flush);
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now + 0.5) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) continue;
      if (chunk) to.write(chunk);
      else to.end();
    }
    schedule();
  };
  const schedule = () => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.at - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ at: releaseAt(chunk.length), chunk });
    schedule();
  });
  from.on('end', () => {
    queue.push({ at: lastRelease, chunk: null });
    schedule();
  });
  from.on('close', () => {
    if (timer && to.destroyed) clearTimeout(timer);
  });
}
