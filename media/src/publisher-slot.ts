// One publisher per event at a time, whichever protocol it comes in on: the RTMP and SRT gates
// each feed their own ffmpeg, and both write the event's renditions, so a second encoder pushing
// while one is live would interleave two streams. The gate that claims the slot holds it until
// its publisher goes; a second publisher is refused as busy.

export type IngestProtocol = 'rtmp' | 'srt';

export class PublisherSlot {
  #holder: { protocol: IngestProtocol } | undefined;

  /** Who publishes now, if anyone. */
  get holder(): IngestProtocol | undefined {
    return this.#holder?.protocol;
  }

  /** Takes the slot: answers its release (idempotent), or undefined when another holds it. */
  claim(protocol: IngestProtocol): (() => void) | undefined {
    if (this.#holder) return undefined;
    const mine = { protocol };
    this.#holder = mine;
    return () => {
      if (this.#holder === mine) this.#holder = undefined;
    };
  }
}
