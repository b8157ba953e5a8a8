// A generator's side of the shard-kill scenario. The fans on one shard are watched; when the
// shard is killed and their sockets close, each comes back as the SDK does (sdk/src/
// credentials.ts): its newest resume ticket on its own shard (refused: the shard is dead); then,
// at once, the same ticket on the fallback shard its newest grant named (`fallbackUrl`), from its
// last seq, with no join call; and when that fails too (or there was no fallback), a join through
// the API after the SDK's backoff (showing its token, so the API keeps its identity; naming its
// own shard as `unreachable`), then the join's ticket on the shard named. A join that names the
// dead shard (the registry still listing it) fails to connect and is made again after the
// backoff, naming it; both are counted. Each fan is timed from the kill to its new welcome, and
// counted by the path that brought it back. Not as the SDK: no backoff before the first attempt
// (the SDK waits up to 500 ms after a drop), and no check of the ticket's expiry (a run lasts
// far less than a ticket).

import { fallbackOf, type StreamPosition } from '@fanfare/protocol';
import { refusal503, retryWhileRefused, type RetryCounts } from './admission-retry.js';
import { nowMs } from './clock.js';
import { endpoint, resumePosition, type FanConnector } from './fan-connector.js';
import type { Fan, FanReceiver, WelcomeInfo } from './fan-receiver.js';
import { Histogram } from './histogram.js';
import { ResumeTally } from './resume-tally.js';
import type { Placement, RejoinPath, ShardLossResult, WorkerPlan } from './worker-messages.js';

export interface ShardLossOrder {
  /** The killed shard's port (every shard here listens on 127.0.0.1). */
  port: number;
  /** When the shard is killed, shared clock (clock.ts). */
  killAtMs: number;
  /** No attempt starts later than this after the kill, ms. */
  timeoutMs: number;
}

/**
 * The fallback a fan's grant named, when usable (protocol's `fallbackOf`, the SDK's rule) and a
 * ws: URL: the generator speaks no TLS.
 */
export function usableFallback(url: string | undefined, own: string): string | undefined {
  const to = fallbackOf({ fallbackUrl: url }, own);
  return to?.startsWith('ws:') === true ? to : undefined;
}

/**
 * A ticket attempt's failure other than a 503, moved on from as the SDK moves on (a browser
 * cannot tell a refused ticket from a dead shard): retried like a failure without an answer,
 * after the backoff, rather than ending the fan as a 4xx would.
 */
function movedOn(error: unknown): unknown {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status === 0 || status >= 500) return error;
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(message, { cause: error }), { status: 0 });
}

/** Open fans, and senders among them, by their shard's port. */
export function placementOf(fans: readonly Fan[]): Placement {
  const placement: Placement = { fans: {}, senders: {} };
  for (const fan of fans) {
    if (!fan.live) continue;
    const port = String(fan.port);
    placement.fans[port] = (placement.fans[port] ?? 0) + 1;
    if (fan.sender >= 0) placement.senders[port] = (placement.senders[port] ?? 0) + 1;
  }
  return placement;
}

export class ShardLoss {
  readonly #plan: WorkerPlan;
  readonly #receiver: FanReceiver;
  readonly #connector: FanConnector;
  readonly #order: ShardLossOrder;
  /** The fans on the killed shard not yet queued for their rejoin. */
  readonly #waiting: Set<Fan>;
  readonly #queue: Fan[] = [];
  #active = 0;
  readonly #tally: ResumeTally;
  readonly #counts: RetryCounts = { refused: 0, failedAttempts: 0, retries: 0 };
  #deadShardJoins = 0;
  /** Of those, joins of a fan that had already failed to connect to the dead shard. */
  #deadShardJoinsAfterFailure = 0;
  readonly #failures: Record<string, number> = {};
  /** Kill-to-welcome times by the port of the shard each fan came back on. */
  readonly #landed = new Map<number, Histogram>();
  /** Kill-to-welcome times by the path that brought each fan back. */
  readonly #paths = { own: new Histogram(), fallback: new Histogram(), join: new Histogram() };
  /** Fans that held a ticket, and a usable fallback with it, when their shard went. */
  readonly #held = { tickets: 0, fallbacks: 0 };
  /**
   * Where a fan's time went (ShardLossResult.stages): kill to its first attempt, its ticket's
   * attempt on its own shard, its last join, and the last connection to its welcome.
   */
  readonly #stages = {
    wait: new Histogram(),
    own: new Histogram(),
    join: new Histogram(),
    upgrade: new Histogram(),
  };
  #lastDeadShardJoinAtMs: number | undefined;
  readonly #senders: number;
  readonly #total: number;
  #done: (() => void) | undefined;

  constructor(
    plan: WorkerPlan,
    fans: readonly Fan[],
    receiver: FanReceiver,
    connector: FanConnector,
    order: ShardLossOrder,
  ) {
    this.#plan = plan;
    this.#receiver = receiver;
    this.#connector = connector;
    this.#order = order;
    // An order that arrives after the kill (a loaded machine) finds its fans already closed.
    const late = nowMs() >= order.killAtMs;
    const doomed = fans.filter((fan) => fan.port === order.port && (fan.live || late));
    this.#waiting = new Set(doomed);
    this.#total = doomed.length;
    this.#senders = doomed.filter((fan) => fan.sender >= 0).length;
    this.#tally = new ResumeTally(doomed.length, order.killAtMs);
  }

  /** Watches for the kill, rejoins every fan it drops; resolves when all settled or at the timeout. */
  async run(): Promise<ShardLossResult> {
    if (this.#connector.joins === undefined) throw new Error('shard-kill needs Fanfare (joins)');
    const all = this.#total;
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    this.#receiver.lost = (fan) => this.#lost(fan);
    for (const fan of this.#waiting) if (!fan.live && fan.welcome === undefined) this.#lost(fan);
    const deadline = this.#order.killAtMs + this.#order.timeoutMs + this.#plan.fanConnectTimeoutMs;
    const timer = setTimeout(() => this.#done?.(), Math.max(0, deadline - nowMs()));
    try {
      if (all > 0) await finished;
    } finally {
      clearTimeout(timer);
      this.#receiver.lost = undefined;
    }
    for (const fan of this.#waiting) this.#tally.failed(fan.index, 'its socket never closed');
    // Rejoins still under way at the deadline: not back in time.
    for (let n = all - this.#tally.settled; n > 0; n--) this.#tally.failed(-1, 'rejoin timed out');
    return {
      ...this.#tally.result(),
      senders: this.#senders,
      deadShardJoins: this.#deadShardJoins,
      deadShardJoinsAfterFailure: this.#deadShardJoinsAfterFailure,
      lastDeadShardJoinMs:
        this.#lastDeadShardJoinAtMs === undefined
          ? undefined
          : this.#lastDeadShardJoinAtMs - this.#order.killAtMs,
      refused: this.#counts.refused,
      failedAttempts: this.#counts.failedAttempts ?? 0,
      retries: this.#counts.retries,
      attemptFailures: { ...this.#failures },
      held: { ...this.#held },
      paths: {
        own: this.#paths.own.snapshot(),
        fallback: this.#paths.fallback.snapshot(),
        join: this.#paths.join.snapshot(),
      },
      stages: {
        wait: this.#stages.wait.snapshot(),
        own: this.#stages.own.snapshot(),
        join: this.#stages.join.snapshot(),
        upgrade: this.#stages.upgrade.snapshot(),
      },
      landed: Object.fromEntries([...this.#landed].map(([port, h]) => [port, h.snapshot()])),
    };
  }

  /** Counts a failed attempt by its reason (numbers such as ports folded), and passes it on. */
  #counted(error: unknown): unknown {
    const reason = error instanceof Error ? error.message : String(error);
    const key = reason.replace(/\d{4,}/g, 'N').slice(0, 100);
    this.#failures[key] = (this.#failures[key] ?? 0) + 1;
    return error;
  }

  #lost(fan: Fan): void {
    if (!this.#waiting.delete(fan)) return;
    this.#queue.push(fan);
    this.#pump();
  }

  /** Rejoins at most the plan's connect concurrency at once, in the order the fans were lost. */
  #pump(): void {
    while (this.#active < this.#plan.connectConcurrency && this.#queue.length > 0) {
      const fan = this.#queue.shift()!;
      this.#active++;
      void this.#rejoin(fan).finally(() => {
        this.#active--;
        if (this.#tally.settled === this.#total) this.#done?.();
        else this.#pump();
      });
    }
  }

  async #rejoin(fan: Fan): Promise<void> {
    const since = resumePosition(fan);
    const startedAt = nowMs();
    // The SDK's order: the held ticket on its own shard, then on the fallback, then joins.
    const own = `ws://${fan.host}:${fan.port}${fan.path}`;
    const ticket = fan.ticket;
    const fallback = ticket === undefined ? undefined : usableFallback(fan.fallbackUrl, own);
    if (ticket !== undefined) this.#held.tickets++;
    if (fallback !== undefined) this.#held.fallbacks++;
    const route: Route = { path: 'join', connectAt: startedAt };
    let ticketsTried = ticket === undefined;
    try {
      const welcome = await retryWhileRefused(
        async () => {
          if (ticketsTried) return await this.#join(fan, since, route);
          ticketsTried = true;
          return await this.#tickets(fan, since, { ticket: ticket!, own, fallback }, route);
        },
        this.#order.killAtMs + this.#order.timeoutMs,
        this.#counts,
      );
      const now = nowMs();
      this.#tally.welcomed(welcome);
      this.#stages.wait.record(startedAt - this.#order.killAtMs);
      if (route.path === 'join') this.#stages.join.record(route.answeredAt! - route.askedAt!);
      this.#stages.upgrade.record(now - route.connectAt);
      this.#paths[route.path].record(now - this.#order.killAtMs);
      let landed = this.#landed.get(fan.port);
      if (landed === undefined) this.#landed.set(fan.port, (landed = new Histogram()));
      landed.record(now - this.#order.killAtMs);
    } catch (error) {
      this.#tally.failed(fan.index, error);
    }
  }

  /**
   * The held ticket on the fan's own shard and, when that fails other than with a 503 (a shard
   * alive says so), at once on the fallback; a failure of both leaves the next join to name the
   * fan's own shard as `unreachable` (after a 503 from its own shard, nothing).
   */
  async #tickets(
    fan: Fan,
    since: StreamPosition | undefined,
    held: { ticket: string; own: string; fallback: string | undefined },
    route: Route,
  ): Promise<WelcomeInfo> {
    route.path = 'own';
    route.connectAt = nowMs();
    try {
      return await this.#connector.open(fan, since, true);
    } catch (error) {
      this.#stages.own.record(nowMs() - route.connectAt);
      this.#counted(error);
      if (refusal503(error) !== undefined) throw error;
      route.unreachable = held.own;
      if (held.fallback === undefined) throw movedOn(error);
    }
    route.path = 'fallback';
    route.connectAt = nowMs();
    this.#connector.aim(fan, held.fallback);
    fan.ticket = held.ticket;
    return await this.#connector.open(fan, since, true).catch((error: unknown) => {
      throw movedOn(this.#counted(error));
    });
  }

  /** A join (naming the shard last found unreachable, once), then the join's ticket on its shard. */
  async #join(fan: Fan, since: StreamPosition | undefined, route: Route): Promise<WelcomeInfo> {
    route.path = 'join';
    route.askedAt = nowMs();
    const named = route.unreachable;
    route.unreachable = undefined;
    const timeoutMs = this.#plan.fanConnectTimeoutMs;
    const grant = await this.#connector
      .joins!.join(this.#plan.eventId, timeoutMs, fan.token, named)
      .catch((error: unknown) => {
        throw this.#counted(error);
      });
    route.answeredAt = route.connectAt = nowMs();
    const dead = endpoint(grant.gatewayUrl).port === this.#order.port;
    if (dead) {
      this.#deadShardJoins++;
      if (route.failedOnDead) this.#deadShardJoinsAfterFailure++;
      this.#lastDeadShardJoinAtMs = nowMs();
    }
    this.#connector.useGrant(fan, grant);
    // The join's resume ticket (valid on every shard) with the fan's position, as the SDK.
    return await this.#connector.open(fan, since, true).catch((error: unknown) => {
      // As the SDK: a failure before the welcome (not a 503: that shard answered) is named to
      // the next join call only, so the API places the fan elsewhere.
      if (refusal503(error) === undefined) route.unreachable = grant.gatewayUrl;
      if (dead) route.failedOnDead = true;
      throw this.#counted(error);
    });
  }
}

/** One fan's way back so far: the path of its current attempt and what the next join names. */
interface Route {
  path: RejoinPath;
  /** When the current attempt's connection started (a join's: its answer), shared clock. */
  connectAt: number;
  /** The last join's call and answer, shared clock. */
  askedAt?: number;
  answeredAt?: number;
  /** The URL the next join names as `unreachable`, once. */
  unreachable?: string;
  /** A join had named the dead shard and its connection failed. */
  failedOnDead?: boolean;
}
