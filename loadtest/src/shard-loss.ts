// A generator's side of the shard-kill scenario. The fans on one shard are watched; when the
// shard is killed and their sockets close, each joins again through the API as the SDK does
// (showing its token, so the API keeps its identity and names a shard from its registry), then
// resumes from its last seq with the join's resume ticket on the shard named. A join that names
// the dead shard (the registry still listing it) fails to connect and is made again after the
// SDK's backoff, naming the dead shard as `unreachable` as the SDK does; both are counted. Each fan is timed from the kill to its new welcome.

import { refusal503, retryWhileRefused, type RetryCounts } from './admission-retry.js';
import { nowMs } from './clock.js';
import { endpoint, resumePosition, type FanConnector } from './fan-connector.js';
import type { Fan, FanReceiver } from './fan-receiver.js';
import { Histogram } from './histogram.js';
import { ResumeTally } from './resume-tally.js';
import type { Placement, ShardLossResult, WorkerPlan } from './worker-messages.js';

export interface ShardLossOrder {
  /** The killed shard's port (every shard here listens on 127.0.0.1). */
  port: number;
  /** When the shard is killed, shared clock (clock.ts). */
  killAtMs: number;
  /** No attempt starts later than this after the kill, ms. */
  timeoutMs: number;
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
  /** Where a fan's time went: kill to its first join, its last join, its upgrade to the welcome. */
  readonly #stages = { wait: new Histogram(), join: new Histogram(), upgrade: new Histogram() };
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
      stages: {
        wait: this.#stages.wait.snapshot(),
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
    const joins = this.#connector.joins!;
    const since = resumePosition(fan);
    const startedAt = nowMs();
    let answeredAt = startedAt;
    let askedAt = startedAt;
    const timeoutMs = this.#plan.fanConnectTimeoutMs;
    // As the SDK: the URL of an attempt that failed before its welcome (not a 503: that shard
    // answered), named to the next join call only, so the API places the fan elsewhere.
    let unreachable: string | undefined;
    let failedOnDead = false;
    try {
      const welcome = await retryWhileRefused(
        async () => {
          askedAt = nowMs();
          const named = unreachable;
          unreachable = undefined;
          const grant = await joins
            .join(this.#plan.eventId, timeoutMs, fan.token, named)
            .catch((error: unknown) => {
              throw this.#counted(error);
            });
          answeredAt = nowMs();
          const dead = endpoint(grant.gatewayUrl).port === this.#order.port;
          if (dead) {
            this.#deadShardJoins++;
            if (failedOnDead) this.#deadShardJoinsAfterFailure++;
            this.#lastDeadShardJoinAtMs = nowMs();
          }
          this.#connector.useGrant(fan, grant);
          // The join's resume ticket (valid on every shard) with the fan's position, as the SDK.
          return await this.#connector.open(fan, since, true).catch((error: unknown) => {
            if (refusal503(error) === undefined) unreachable = grant.gatewayUrl;
            if (dead) failedOnDead = true;
            throw this.#counted(error);
          });
        },
        this.#order.killAtMs + this.#order.timeoutMs,
        this.#counts,
      );
      this.#tally.welcomed(welcome);
      this.#stages.wait.record(startedAt - this.#order.killAtMs);
      this.#stages.join.record(answeredAt - askedAt);
      this.#stages.upgrade.record(nowMs() - answeredAt);
      let landed = this.#landed.get(fan.port);
      if (landed === undefined) this.#landed.set(fan.port, (landed = new Histogram()));
      landed.record(nowMs() - this.#order.killAtMs);
    } catch (error) {
      this.#tally.failed(fan.index, error);
    }
  }
}
