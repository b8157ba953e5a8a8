import { busContract } from './bus.contract.js';
import { MemoryBus } from './bus-memory.js';

busContract('MemoryBus', async () => {
  const bus = new MemoryBus({ onHandlerError: () => undefined });
  return { bus, peer: bus, prefix: 'test', cleanup: () => bus.close() };
});
