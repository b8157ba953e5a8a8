import { MemoryVoteStore } from './vote-store-memory.js';
import { voteStoreContract } from './vote-store.contract.js';

voteStoreContract('MemoryVoteStore', async () => {
  const store = new MemoryVoteStore();
  return { store, peer: store, cleanup: async () => undefined };
});
