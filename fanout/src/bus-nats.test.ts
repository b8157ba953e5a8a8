import { describe, expect, it } from 'vitest';
import { busContract } from './bus.contract.js';
import { NatsBus } from './bus-nats.js';
import { silentLogger, type Logger } from './logger.js';
import { connectNats } from './nats-connection.js';
import { natsTestPrefix, natsUrl, requireNats } from './testing-nats.js';

const available = await requireNats();

describe.runIf(available)('NatsBus on the shared server', () => {
  const link = (name: string) => connectNats({ servers: [natsUrl()], name, logger: silentLogger });

  // Two connections: the bus and its peer are two shards, so every delivery crosses the server.
  busContract('NatsBus', async () => {
    const prefix = natsTestPrefix();
    const [a, b] = await Promise.all([link(`${prefix}-bus`), link(`${prefix}-peer`)]);
    const bus = new NatsBus({ connection: a, ownsConnection: true, logger: silentLogger });
    const peer = new NatsBus({ connection: b, ownsConnection: true, logger: silentLogger });
    return {
      bus,
      peer,
      prefix,
      cleanup: async () => void (await Promise.all([bus.close(), peer.close()])),
    };
  });

  it('counts a publish on a closed connection as a failure instead of throwing', async () => {
    const a = await link(`${natsTestPrefix()}-closed`);
    const bus = new NatsBus({ connection: a, ownsConnection: false, logger: silentLogger });
    await a.close();
    expect(() => bus.publish('t.closed', new Uint8Array([1]))).not.toThrow();
    expect(bus.publishFailures).toBe(1);
    await bus.close();
  });

  it('reports a throwing handler to its logger with the subject', async () => {
    const prefix = natsTestPrefix();
    const errors: Array<Record<string, unknown> | undefined> = [];
    let reported: () => void = () => undefined;
    const logger: Logger = {
      ...silentLogger,
      error: (_msg, fields) => {
        errors.push(fields);
        reported();
      },
    };
    const a = await link(`${prefix}-throws`);
    const bus = new NatsBus({ connection: a, ownsConnection: true, logger });
    const seen = new Promise<void>((resolve) => (reported = resolve));
    bus.subscribe(`${prefix}.x`, () => {
      throw new Error('boom');
    });
    await a.nc.flush(); // the server has the subscription before the publish
    bus.publish(`${prefix}.x`, new Uint8Array([1]));
    await seen;
    expect(errors[0]).toMatchObject({ subject: `${prefix}.x` });
    await bus.close();
  });
});
