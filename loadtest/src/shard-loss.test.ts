// The killed shard's fans come back as the SDK does: the held ticket on their own shard, then on
// their grant's fallback shard (no join), then a join naming their own shard as `unreachable`.
// Against a connector whose connections and joins are scripted per shard port (no sockets).

import type { StreamPosition } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { FANFARE_DIALECT } from './dialect.js';
import { FanConnector } from './fan-connector.js';
import { FanReceiver, type Fan, type WelcomeInfo } from './fan-receiver.js';
import type { JoinClient, JoinGrant } from './join-client.js';
import { nowMs } from './clock.js';
import { ShardLoss, usableFallback } from './shard-loss.js';
import type { WorkerPlan } from './worker-messages.js';

const DEAD = 9001;
const FALLBACK = 9002;
const JOINED = 9003;
const url = (port: number): string => `ws://127.0.0.1:${port}/ws`;

/** A connection that ended before its welcome, as ConnectFailedError carries it. */
const failure = (status: number, message: string) =>
  Object.assign(new Error(message), { status, retryAfterS: status === 503 ? 0 : undefined });

type Outcome = 'welcome' | { status: number; message: string };

/** What a killed shard's port answers: nothing listens there. */
const refused = { status: 0, message: 'connect failed: ECONNREFUSED' };

/** A connector whose `open` answers by the fan's port and whose joins name JOINED. */
class ScriptedConnector extends FanConnector {
  readonly opened: Array<{ port: number; ticket: string | undefined; since: unknown }> = [];
  readonly named: Array<string | undefined> = [];
  readonly #outcomes: Record<number, Outcome>;

  constructor(plan: WorkerPlan, receiver: FanReceiver, outcomes: Record<number, Outcome>) {
    super(plan, FANFARE_DIALECT, receiver);
    this.#outcomes = outcomes;
    const join = (_event: string, _ms: number, _token?: string, unreachable?: string) => {
      this.named.push(unreachable);
      return Promise.resolve<JoinGrant>({ token: 't2', gatewayUrl: url(JOINED), ticket: 'jt' });
    };
    this.joins?.close();
    (this as { joins: unknown }).joins = { join, close: () => undefined } as unknown as JoinClient;
  }

  override open(fan: Fan, since: StreamPosition | undefined, ticket = false): Promise<WelcomeInfo> {
    this.opened.push({ port: fan.port, ticket: ticket ? fan.ticket : undefined, since });
    fan.ticket = undefined;
    const outcome = this.#outcomes[fan.port] ?? 'welcome';
    if (outcome !== 'welcome') return Promise.reject(failure(outcome.status, outcome.message));
    return Promise.resolve({ lastSeq: 5, continuity: 'resumed', recovered: 1 });
  }
}

const plan = {
  target: 'fanfare',
  apiUrl: 'http://127.0.0.1:1',
  eventId: 'demo',
  connectConcurrency: 4,
  fanConnectTimeoutMs: 5000,
  joinToken: false,
} as WorkerPlan;

/** One fan of the killed shard, holding ticket `rt` and the grant's `fallbackUrl`. */
function killedFan(fallbackUrl: string | undefined): Fan {
  return {
    index: 0,
    sender: -1,
    host: '127.0.0.1',
    port: DEAD,
    path: '/ws',
    token: 't1',
    ticket: 'rt',
    fallbackUrl,
    ws: undefined,
    seq: undefined,
    epoch: undefined,
    welcome: undefined,
    live: false, // its socket has closed already
    leaving: false,
    sent: 0,
  };
}

async function kill(fan: Fan, outcomes: Record<number, Outcome>) {
  const receiver = new FanReceiver(FANFARE_DIALECT);
  const connector = new ScriptedConnector(plan, receiver, { [DEAD]: refused, ...outcomes });
  const order = { port: DEAD, killAtMs: nowMs() - 1, timeoutMs: 10_000 };
  const result = await new ShardLoss(plan, [fan], receiver, connector, order).run();
  return {
    connector,
    result,
    via: (path: 'own' | 'fallback' | 'join') => result.paths[path].count,
  };
}

describe('a killed shard’s fan coming back', () => {
  it('resumes with its ticket on the fallback, after its own shard, and joins nothing', async () => {
    const { connector, result, via } = await kill(killedFan(url(FALLBACK)), {});
    expect(connector.opened.map((o) => [o.port, o.ticket])).toEqual([
      [DEAD, 'rt'],
      [FALLBACK, 'rt'],
    ]);
    expect(connector.named).toEqual([]);
    expect([via('fallback'), via('join'), via('own')]).toEqual([1, 0, 0]);
    expect(result.held).toEqual({ tickets: 1, fallbacks: 1 });
    expect(result.stages.own.count).toBe(1);
    expect(result.stages.join.count).toBe(0);
    expect(result.resumed).toBe(1);
  });

  it('joins naming its own shard when the fallback fails too', async () => {
    const fan = killedFan(url(FALLBACK));
    const { connector, via } = await kill(fan, { [FALLBACK]: refused });
    expect(connector.opened.map((o) => [o.port, o.ticket])).toEqual([
      [DEAD, 'rt'],
      [FALLBACK, 'rt'],
      [JOINED, 'jt'],
    ]);
    expect(connector.named).toEqual([url(DEAD)]);
    expect([via('fallback'), via('join')]).toEqual([0, 1]);
    // On the join's shard, with no fallback until that shard's grants name one.
    expect([fan.port, fan.fallbackUrl]).toEqual([JOINED, undefined]);
  });

  it('moves on to the join when the fallback refuses the ticket (401), as a browser must', async () => {
    const ticketInvalid = { status: 401, message: 'upgrade refused: 401 ticket_invalid' };
    const { result, via } = await kill(killedFan(url(FALLBACK)), { [FALLBACK]: ticketInvalid });
    expect(via('join')).toBe(1);
    expect(result.failed).toBe(0);
  });

  it('does not try the fallback when its own shard answered 503, nor name it', async () => {
    const busy = { status: 503, message: 'upgrade refused: 503 overloaded' };
    const { connector, via } = await kill(killedFan(url(FALLBACK)), { [DEAD]: busy });
    expect(connector.opened.map((o) => o.port)).toEqual([DEAD, JOINED]);
    expect(connector.named).toEqual([undefined]);
    expect(via('join')).toBe(1);
  });

  it('joins naming its own shard when its grant named no usable fallback', async () => {
    for (const fallbackUrl of [undefined, 'wss://127.0.0.1:9002/ws', url(DEAD), 'nonsense']) {
      const { connector, result } = await kill(killedFan(fallbackUrl), {});
      expect(connector.opened.map((o) => o.port)).toEqual([DEAD, JOINED]);
      expect(connector.named).toEqual([url(DEAD)]);
      expect(result.held).toEqual({ tickets: 1, fallbacks: 0 });
    }
  });

  it('joins at once when it holds no ticket', async () => {
    const { connector, result } = await kill(
      { ...killedFan(url(FALLBACK)), ticket: undefined },
      {},
    );
    expect(connector.opened.map((o) => o.port)).toEqual([JOINED]);
    expect(connector.named).toEqual([undefined]);
    expect(result.held).toEqual({ tickets: 0, fallbacks: 0 });
  });
});

describe('usableFallback', () => {
  it('takes a ws: URL of another shard only', () => {
    expect(usableFallback(url(FALLBACK), url(DEAD))).toBe(url(FALLBACK));
    expect(usableFallback('ws://127.0.0.1:9001/other', url(DEAD))).toBe(
      'ws://127.0.0.1:9001/other',
    );
    for (const bad of [undefined, '', 'x', 'http://127.0.0.1:9002/ws', url(DEAD), `${url(DEAD)}?q`])
      expect(usableFallback(bad, url(DEAD))).toBeUndefined();
  });
});
