import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listeningSocketsFrom, pidsListeningOn, socketInodeOf } from './proc-pids.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8BFB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 776491 1 000000008c191b3e 100 0 0 10 0
   1: 0100007F:8BFC 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 776500 1 0000000001d8d563 20 4 30 10 -1
`;

describe('reading /proc for listening sockets', () => {
  it('keeps LISTEN rows only, with the port in decimal and the inode', () => {
    // 776500 is an established connection (st 01), not a listener.
    expect(listeningSocketsFrom([TCP, ''])).toEqual([{ port: 35835, inode: '776491' }]);
  });

  it('reads the inode of a socket descriptor and nothing from other links', () => {
    expect(socketInodeOf('socket:[776491]')).toBe('776491');
    expect(socketInodeOf('pipe:[12]')).toBeUndefined();
    expect(socketInodeOf('/dev/null')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('finds this process listening on its port', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as { port: number };
      expect(await pidsListeningOn(port)).toContain(process.pid);
    } finally {
      server.close();
    }
  });
});
