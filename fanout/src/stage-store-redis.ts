// Stages in Redis: one hash per event, `<prefix>:stage:{<eventId>}`, with fields `version` and
// `body` (the stage as encodeStage JSON). A put is one Lua script that compares versions and
// writes in one step, so two API replicas racing cannot leave an older projection on top.

import type { Redis } from 'ioredis';
import { decodeStage, encodeStage } from './stage-codec.js';
import { StateUnavailableError } from './state-unavailable.js';
import type { Stage, StageStore } from './stage-store.js';

// KEYS: hash. ARGV: version, body. Returns 1 when stored, 0 when the stored version is as high.
const PUT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'body', ARGV[2])
return 1
`;

const decoder = new TextDecoder();

export class RedisStageStore implements StageStore {
  #redis: Redis;
  #prefix: string;

  /** `prefix` keeps deployments (and test runs) apart: keys are `<prefix>:stage:{<event>}`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:stage`;
  }

  async put(eventId: string, stage: Stage): Promise<boolean> {
    const body = decoder.decode(encodeStage(stage));
    const stored = await this.#call(() =>
      this.#redis.eval(PUT, 1, this.#key(eventId), String(stage.version), body),
    );
    return Number(stored) === 1;
  }

  async get(eventId: string): Promise<Stage | undefined> {
    const body = await this.#call(() => this.#redis.hget(this.#key(eventId), 'body'));
    if (body === null) return undefined;
    const stage = decodeStage(body);
    // Only this class writes the key; a body that does not decode was written by something else.
    if (stage === undefined) {
      throw new StateUnavailableError('stage', new Error(`undecodable stage for ${eventId}`));
    }
    return stage;
  }

  async version(eventId: string): Promise<number> {
    const value = await this.#call(() => this.#redis.hget(this.#key(eventId), 'version'));
    return Number(value ?? 0);
  }

  async remove(eventId: string): Promise<void> {
    await this.#call(() => this.#redis.del(this.#key(eventId)));
  }

  #key(eventId: string): string {
    // A hash tag, like the other stores, so per-event keys share a Cluster slot.
    return `${this.#prefix}:{${eventId}}`;
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new StateUnavailableError('stage', err);
    }
  }
}
