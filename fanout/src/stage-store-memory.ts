// Stages in process memory: the embedded mode's store. Copies in and out, so no caller can change
// what another reads.

import type { Stage, StageStore } from './stage-store.js';

export class MemoryStageStore implements StageStore {
  #stages = new Map<string, Stage>();

  async put(eventId: string, stage: Stage): Promise<boolean> {
    const current = this.#stages.get(eventId);
    if (current !== undefined && current.version >= stage.version) return false;
    this.#stages.set(eventId, structuredClone(stage));
    return true;
  }

  async get(eventId: string): Promise<Stage | undefined> {
    const stage = this.#stages.get(eventId);
    return stage === undefined ? undefined : structuredClone(stage);
  }

  async version(eventId: string): Promise<number> {
    return this.#stages.get(eventId)?.version ?? 0;
  }

  async remove(eventId: string): Promise<void> {
    this.#stages.delete(eventId);
  }
}
