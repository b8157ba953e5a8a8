// One warning when a store stops answering and one line when it answers again, however many
// reads fail in between: a Redis outage during a show must not write a line per room per second.
// Several readers of one store (every party on a shard) may share one OutageLog.

import type { Logger } from '@fanfare/fanout';

type LogFields = Record<string, unknown>;

/** What the log says; `down` is a warning (with the first error), `up` an info line. */
export interface OutageMessages {
  down: string;
  up: string;
}

export class OutageLog {
  #logger: Logger;
  #messages: OutageMessages;
  #fields: LogFields;
  #state: 'up' | 'down' = 'up';

  constructor(logger: Logger, messages: OutageMessages, fields: LogFields = {}) {
    this.#logger = logger;
    this.#messages = messages;
    this.#fields = fields;
  }

  /** True between a failure and the next answer. */
  get down(): boolean {
    return this.#state === 'down';
  }

  /** A call failed: the first failure of an outage is logged with its error; later ones are not. */
  failed(err: unknown): void {
    if (this.#state === 'down') return;
    this.#state = 'down';
    this.#logger.warn(this.#messages.down, { ...this.#fields, err });
  }

  /** A call succeeded: ends an outage (logged once); nothing when none was on. */
  answered(): void {
    if (this.#state === 'up') return;
    this.#state = 'up';
    this.#logger.info(this.#messages.up, this.#fields);
  }
}
