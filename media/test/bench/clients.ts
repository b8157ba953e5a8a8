// The load generator of `pnpm bench:origin`: a worker thread driving many simulated LL-HLS
// clients over raw keep-alive sockets (a minimal HTTP/1.1 client: one request in flight per
// connection, Content-Length bodies), cheap enough that thousands fit on one core.
//
// blocking (the origin): ask for the playlist with `_HLS_msn`/`_HLS_part` of the hinted part
// (with `_HLS_skip=YES`, as hls.js does), and when it is answered fetch the newest part, then
// ask for the next one: one blocking reload and one part per part duration.
// polling (nginx, static files): fetch the whole playlist every `pollMs`, and the newest part
// when it changed.
// Each client records when it received each part; the worker hands back, per part, the receive
// times of every client that got it.

import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface ClientsJob {
  readonly host: string;
  readonly port: number;
  /** Path of the media playlist directory, ending in '/'. */
  readonly base: string;
  readonly clients: number;
  readonly mode: 'blocking' | 'polling';
  readonly pollMs: number;
  /** Connections are opened over this long (a burst would overflow the listen backlog). */
  readonly rampMs: number;
  readonly durationMs: number;
  /** Local addresses to connect from, round robin (several in 127.0.0.0/8). */
  readonly localAddresses: readonly string[];
}

export interface ClientsResult {
  /** Part seq -> receive times (ms since the epoch), one per client that got it. */
  readonly received: Record<number, number[]>;
  readonly requests: number;
  readonly errors: number;
  /** Answers other than 200, by status (0: a socket error). */
  readonly statuses: Record<number, number>;
  readonly connected: number;
}

type Done = (status: number, body: Buffer) => void;

/** One keep-alive connection with one request at a time. */
class Conn {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #done: Done | undefined;
  #need = -1;
  #bodyAt = -1;
  #status = 0;
  constructor(
    job: ClientsJob,
    local: string,
    onError: () => void,
    readonly host = `${job.host}:${job.port}`,
  ) {
    this.#socket = connect({ host: job.host, port: job.port, localAddress: local });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#data(chunk));
    this.#socket.on('error', onError);
  }
  get(path: string, done: Done): void {
    this.#done = done;
    this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`);
  }
  close(): void {
    this.#socket.destroy();
  }
  #data(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    if (this.#bodyAt < 0) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.#buf.toString('latin1', 0, end);
      this.#status = Number(head.slice(9, 12));
      const m = /content-length: *(\d+)/i.exec(head);
      this.#need = m ? Number(m[1]) : 0;
      this.#bodyAt = end + 4;
    }
    if (this.#buf.length < this.#bodyAt + this.#need) return;
    const body = this.#buf.subarray(this.#bodyAt, this.#bodyAt + this.#need);
    this.#buf = this.#buf.subarray(this.#bodyAt + this.#need);
    this.#bodyAt = -1;
    const done = this.#done!;
    this.#done = undefined;
    done(this.#status, body);
  }
}

const PART = 'part-';

/** The hinted part's seq and the (msn, part) to ask for it, read off the playlist's tail. */
export function nextPosition(
  body: string,
): { hint: number; msn: number; part: number } | undefined {
  const hintAt = body.lastIndexOf('#EXT-X-PRELOAD-HINT:TYPE=PART');
  if (hintAt < 0) return undefined;
  const uri = body.indexOf(PART, hintAt);
  const hint = parseInt(body.slice(body.indexOf('-', uri + PART.length) + 1), 10);
  const segAt = body.lastIndexOf('seg-', hintAt);
  if (segAt < 0) return undefined;
  const msn = parseInt(body.slice(body.indexOf('-', segAt + 4) + 1), 10) + 1;
  let part = 0;
  for (let at = body.indexOf('#EXT-X-PART:', segAt); at >= 0 && at < hintAt;) {
    part++;
    at = body.indexOf('#EXT-X-PART:', at + 12);
  }
  return { hint, msn, part };
}

function run(job: ClientsJob): Promise<ClientsResult> {
  const received: Record<number, number[]> = {};
  let requests = 0;
  let errors = 0;
  let connected = 0;
  const statuses: Record<number, number> = {};
  let stopping = false;
  const conns: Conn[] = [];
  const record = (seq: number): void => {
    (received[seq] ??= []).push(Date.now());
  };
  const startClient = (i: number): void => {
    const conn = new Conn(job, job.localAddresses[i % job.localAddresses.length]!, () => {
      errors++;
      statuses[0] = (statuses[0] ?? 0) + 1;
    });
    conns.push(conn);
    connected++;
    let newest = -1;
    let epoch = '';
    const get = (path: string, done: (body: string | Buffer, status: number) => void): void => {
      if (stopping) return;
      requests++;
      conn.get(path, (status, body) => {
        if (status !== 200) {
          errors++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        done(body, status);
      });
    };
    const fetchNewest = (hint: number, then: () => void): void => {
      const seq = hint - 1;
      if (seq <= newest) return then();
      newest = seq;
      get(`${job.base}${PART}${epoch}-${seq}.m4s`, (_b, status) => {
        if (status === 200) record(seq);
        then();
      });
    };
    const learnEpoch = (text: string): void => {
      if (epoch) return;
      const at = text.lastIndexOf(PART);
      epoch = text.slice(at + PART.length, text.indexOf('-', at + PART.length));
    };
    if (job.mode === 'blocking') {
      const reload = (path: string): void =>
        get(path, (body) => {
          const text = body.toString('latin1');
          const next = nextPosition(text);
          if (!next) return void setTimeout(() => reload(`${job.base}index.m3u8`), 100);
          learnEpoch(text);
          fetchNewest(next.hint, () =>
            reload(
              `${job.base}index.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}&_HLS_skip=YES`,
            ),
          );
        });
      reload(`${job.base}index.m3u8`);
    } else {
      const poll = (): void => {
        const started = Date.now();
        get(`${job.base}index.m3u8`, (body) => {
          const text = body.toString('latin1');
          const next = nextPosition(text);
          const again = (): void =>
            void setTimeout(poll, Math.max(0, job.pollMs - (Date.now() - started)));
          if (!next) return again();
          learnEpoch(text);
          fetchNewest(next.hint, again);
        });
      };
      setTimeout(poll, Math.random() * job.pollMs);
    }
  };
  for (let i = 0; i < job.clients; i++) {
    setTimeout(() => startClient(i), (i / job.clients) * job.rampMs);
  }
  return new Promise((resolve) => {
    setTimeout(() => {
      stopping = true;
      for (const c of conns) c.close();
      resolve({ received, requests, errors, connected, statuses });
    }, job.rampMs + job.durationMs);
  });
}

if (parentPort && workerData) {
  void run(workerData as ClientsJob).then((result) => parentPort!.postMessage(result));
}
