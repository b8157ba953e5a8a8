import { MemorySeatStore } from './seat-store-memory.js';
import { seatStoreContract } from './seat-store.contract.js';

seatStoreContract('MemorySeatStore', async () => {
  const store = new MemorySeatStore();
  return { store, peer: store, cleanup: async () => undefined };
});
