// Compact ids, unique across shards and restarts without coordination: a random per-process tag
// (8 base-36 characters, ~2.8e12 values) and a counter. Short ids keep broadcast frames small.

import { randomBytes } from 'node:crypto';

export class IdSource {
  readonly tag: string;
  #counter = 0;

  constructor(tag = randomTag()) {
    this.tag = tag;
  }

  next(): string {
    return `${this.tag}${(this.#counter++).toString(36)}`;
  }
}

function randomTag(): string {
  return randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
}
