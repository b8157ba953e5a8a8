// How one generator opens a fan's connection: for Fanfare, a token from the API join (once per
// fan, reused on reconnects) and the shard URL it names, then the upgrade with `?token=` (and
// `&since=&epoch=` to resume); for the peers, their URL. Resolves at the welcome, bounded in
// time. Also the recovery scenario's drop-and-resume, which is reopening with that position.

import { RESUME_TICKET_PARAM, resumeQuery, type StreamPosition } from '@fanfare/protocol';
import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import type { Dialect } from './dialect.js';
import type { Fan, FanReceiver, WelcomeInfo } from './fan-receiver.js';
import { forEachLimit } from './for-each-limit.js';
import { JoinClient } from './join-client.js';
import type { JoinGrant } from './join-client.js';
import { RawWebSocket } from './raw-ws.js';
import { ResumeTally } from './resume-tally.js';
import type { RecoveryResult, WorkerPlan } from './worker-messages.js';

export interface Endpoint {
  host: string;
  port: number;
  /** Path and query. */
  path: string;
}

export function endpoint(url: string): Endpoint {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 80), path: `${u.pathname}${u.search}` };
}

/** Where `fan` resumes from: the last seq it saw in its welcome's epoch; undefined before any. */
export function resumePosition(fan: Fan): StreamPosition | undefined {
  return fan.seq && fan.epoch !== undefined ? { epoch: fan.epoch, seq: fan.seq.last } : undefined;
}

export class FanConnector {
  readonly #plan: WorkerPlan;
  readonly #dialect: Dialect;
  readonly #receiver: FanReceiver;
  /** Fanfare only: the join API client. */
  readonly joins: JoinClient | undefined;
  /** Gateway URLs seen in join answers, parsed once each. */
  readonly #endpoints = new Map<string, Endpoint>();

  constructor(plan: WorkerPlan, dialect: Dialect, receiver: FanReceiver) {
    this.#plan = plan;
    this.#dialect = dialect;
    this.#receiver = receiver;
    this.joins =
      plan.target === 'fanfare' ? new JoinClient(plan.apiUrl, plan.connectConcurrency) : undefined;
  }

  /** Points `fan` at the shard its join answer names, with its token. */
  useGrant(fan: Fan, grant: JoinGrant): void {
    this.aim(fan, grant.gatewayUrl);
    fan.token = grant.token;
    // The SDK connects first with the join's ticket (one HMAC on the shard), unless asked not to.
    fan.ticket = this.#plan.joinToken ? undefined : grant.ticket;
    fan.fallbackUrl = undefined; // a join's grant names none: the API picked the shard
  }

  /** Points `fan`'s next connection at gateway `url` (a checked ws: URL), keeping its credentials. */
  aim(fan: Fan, url: string): void {
    let target = this.#endpoints.get(url);
    if (target === undefined) {
      target = endpoint(url);
      this.#endpoints.set(url, target);
    }
    fan.host = target.host;
    fan.port = target.port;
    fan.path = target.path;
  }

  /**
   * Opens a connection for `fan` (joining first when it has no token) and waits for its welcome.
   * With `ticket`, a fan holding a resume ticket uses it (once) instead of its token.
   */
  async open(fan: Fan, since: StreamPosition | undefined, ticket = false): Promise<WelcomeInfo> {
    const timeoutMs = this.#plan.fanConnectTimeoutMs;
    let path = fan.path;
    if (this.joins !== undefined && ticket && fan.ticket !== undefined) {
      path = `${fan.path}?${RESUME_TICKET_PARAM}=${fan.ticket}${resumeQuery(since)}`;
      fan.ticket = undefined;
    } else if (this.joins !== undefined) {
      if (fan.token === undefined) {
        this.useGrant(fan, await this.joins.join(this.#plan.eventId, timeoutMs));
      }
      if (since === undefined && fan.ticket !== undefined) {
        // A first connection with the join's ticket, once.
        path = `${fan.path}?${RESUME_TICKET_PARAM}=${fan.ticket}`;
        fan.ticket = undefined;
      } else path = `${fan.path}?token=${fan.token}${resumeQuery(since)}`;
    }
    return await new Promise<WelcomeInfo>((resolve, reject) => {
      const timer = setTimeout(() => fan.ws?.destroy(), timeoutMs);
      fan.welcome = (result) => {
        clearTimeout(timer);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      fan.ws = new RawWebSocket(
        {
          host: fan.host,
          port: fan.port,
          path,
          protocols: this.#dialect.protocols,
          localAddress: this.#plan.localAddress,
          timeoutMs,
        },
        this.#receiver,
        fan,
      );
    });
  }

  /**
   * Drops `fans`' connections without a close frame (as a network loss looks), then reconnects
   * each with `?since=<last seq it saw>&epoch=<its welcome's>` and waits for the new welcomes.
   * With `resumeAtMs` the reconnects wait for that instant (shared clock), and each fan's time
   * counts from it rather than from the drop.
   */
  async dropAndResume(
    fans: Fan[],
    timeoutMs: number,
    tickets: boolean,
    resumeAtMs?: number,
  ): Promise<RecoveryResult> {
    const droppedAt = nowMs();
    for (const fan of fans) {
      const old = fan.ws;
      this.#receiver.detach(fan);
      old?.destroy();
    }
    if (resumeAtMs !== undefined) await delay(Math.max(0, resumeAtMs - nowMs()));
    const t0 = resumeAtMs ?? droppedAt;
    const tally = new ResumeTally(fans.length, t0);
    await forEachLimit(fans.length, this.#plan.connectConcurrency, async (i) => {
      const fan = fans[i]!;
      if (nowMs() > t0 + timeoutMs) {
        tally.failed(fan.index, 'not attempted before the timeout');
        return;
      }
      try {
        tally.welcomed(await this.open(fan, resumePosition(fan), tickets));
      } catch (error) {
        tally.failed(fan.index, error);
      }
    });
    return tally.result();
  }

  close(): void {
    this.joins?.close();
  }
}
