// A benchmark, not a test: the shard CPU one resume-ticket renewal costs on the real uWS path
// (issue, encode, cork and send), docs/protocol.md "Renewal". One gateway with the memory seams
// and a ManualClock, N fans over loopback (in this process), then time is moved a 250 ms tick at
// a time: CPU of the ticks while renewals go out, less that of ticks before any was due, per
// renewal. Loopback delivery is kernel work charged to the sending process, as is the clients'
// reading: read the figure as an upper bound. Run: `npx tsx test/bench-ticket-renewal.ts 4000`
// from gateway/.

import { ManualClock } from '@fanfare/fanout/testing';
import { connectFan, type FanClient } from '@fanfare/testkit';
import { randomBytes, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RENEWAL_TICK_MS, renewalsPerTick } from '../src/ticket-renewals.js';
import { startGateway } from './harness.js';

const FANS = Number(process.argv[2] ?? 4000);
const TTL_S = 300;
const CAPACITY = 19_000;
const clock = new ManualClock(Math.ceil(Date.now() / 1000) * 1000);
const g = await startGateway(
  {
    resumeTickets: { keys: [{ id: 'k1', secret: randomBytes(32) }], ttlS: TTL_S },
    capacity: CAPACITY,
    // The ManualClock never refills an admission budget: off, as GATEWAY_ADMISSION_RATE=off.
    admission: { spec: undefined, source: 'variable' },
  },
  clock,
);
const fans: FanClient[] = [];
for (let i = 0; i < FANS; i += 200) {
  const batch = Array.from({ length: Math.min(200, FANS - i) }, async (_, j) => {
    const token = await g.sign({ sub: `anon-${randomUUID()}`, name: `fan-${i + j}` });
    const fan = await connectFan(`${g.url}?token=${token}`);
    await fan.next('welcome');
    return fan;
  });
  fans.push(...(await Promise.all(batch)));
}

/** CPU-µs of one tick's worth of the clock, every timer due in it included. */
function tick(): number {
  const before = process.cpuUsage();
  clock.advance(RENEWAL_TICK_MS);
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

const IDLE_TICKS = 40;
let idle = 0;
for (let i = 0; i < IDLE_TICKS; i++) idle += tick();
idle /= IDLE_TICKS;
clock.advance((TTL_S / 2) * 1000 - (IDLE_TICKS + 1) * RENEWAL_TICK_MS);
const ticks = Math.ceil(FANS / renewalsPerTick(CAPACITY, TTL_S));
let busy = 0;
for (let i = 0; i < ticks; i++) {
  busy += tick();
  await nextTurn(); // let the clients read between ticks, as a shard's loop would
}
const renewed = () =>
  fans.reduce((n, fan) => n + fan.frames.filter((f) => f.type === 'ticket').length, 0);
await fans[fans.length - 1]!.next('ticket');
console.log(
  JSON.stringify({
    fans: FANS,
    perTick: renewalsPerTick(CAPACITY, TTL_S),
    ticks,
    renewed: renewed(),
    idleCpuUsPerTick: Math.round(idle),
    busyCpuUsPerTick: Math.round(busy / ticks),
    cpuUsPerRenewal: Number(((busy - idle * ticks) / renewed()).toFixed(1)),
  }),
);
for (const fan of fans) fan.socket.terminate();
await g.close();
