import { MemorySanctionStore } from './sanction-store-memory.js';
import { sanctionStoreContract } from './sanction-store.contract.js';

sanctionStoreContract('MemorySanctionStore', async () => {
  const store = new MemorySanctionStore();
  return { store, peer: store, cleanup: async () => undefined };
});
