import { MemoryStageStore } from './stage-store-memory.js';
import { stageStoreContract } from './stage-store.contract.js';

stageStoreContract('MemoryStageStore', async () => {
  const store = new MemoryStageStore();
  return { store, peer: store, cleanup: async () => undefined };
});
