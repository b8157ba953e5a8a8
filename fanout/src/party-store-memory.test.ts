import { MemoryPartyStore } from './party-store-memory.js';
import { partyStoreContract } from './party-store.contract.js';

partyStoreContract('MemoryPartyStore', async () => {
  const store = new MemoryPartyStore();
  return { store, peer: store, cleanup: async () => undefined };
});
