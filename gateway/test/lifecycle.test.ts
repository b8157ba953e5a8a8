import { expectRefused } from '@fanfare/testkit';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadGatewayConfig, loadNativeUws, ConfigError } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('gateway lifecycle', () => {
  let g: TestGateway | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it('answers /healthz and /readyz while running', async () => {
    g = await startGateway();
    const base = `http://127.0.0.1:${g.gateway.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('shuts down gracefully: readiness fails first, then fans get 4000, then the port closes', async () => {
    // The grace must outlast the readiness check and the refused upgrade below, or the port is
    // closed before they arrive: 300 ms is ample on an idle machine, a stall on a loaded one.
    g = await startGateway({ readinessGraceMs: 2_000 });
    const base = `http://127.0.0.1:${g.gateway.port}`;
    const { fan: a } = await g.join();
    const { fan: b } = await g.join({ evt: 'other' });
    const token = await g.sign();
    const closing = g.gateway.close();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
    const refused = await expectRefused(`${g.url}?token=${token}`);
    expect([refused.status, refused.reason]).toEqual([503, 'not_ready']);
    await closing;
    expect(await a.closed).toEqual({ code: 4000, reason: 'server restart' });
    expect(await b.closed).toEqual({ code: 4000, reason: 'server restart' });
    expect(g.gateway.stats()).toEqual({ state: 'closed', connections: 0, rooms: 0 });
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('releases an event room when its last fan leaves', async () => {
    g = await startGateway();
    const { fan: a } = await g.join({ evt: 'r1' });
    const { fan: b } = await g.join({ evt: 'r1' });
    expect(g.gateway.stats().rooms).toBe(1);
    // reactions, presence, sanctions and stage of r1, and the shard's pre-warm subject
    expect(g.bus.activeSubjects()).toBe(5);
    a.close();
    await a.closed;
    expect(g.gateway.stats().rooms).toBe(1);
    b.close();
    await b.closed;
    await expect.poll(() => g!.gateway.stats().rooms).toBe(0);
    expect(g.bus.activeSubjects()).toBe(1);
  });

  it('loads the native uWS binary', () => {
    expect(typeof loadNativeUws().App).toBe('function');
  });

  it('refuses to start on the uWS JS fallback', async () => {
    const script = "import('./gateway/src/uws.ts').then((m) => m.loadNativeUws())";
    const result = await run(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...process.env, UWS_USE_FALLBACK: '1' },
    }).then(
      () => ({ failed: false, stderr: '' }),
      (err: { stderr: string }) => ({ failed: true, stderr: err.stderr }),
    );
    expect(result.failed).toBe(true);
    expect(result.stderr).toContain('refusing to run on the JS fallback');
  });

  it('lists every configuration problem at once', () => {
    const attempt = () =>
      loadGatewayConfig({ GATEWAY_PORT: 'x', CHAT_BURST: '0', SHARD_ID: 'bad id!' }); // and no key
    expect(attempt).toThrow(ConfigError);
    for (const name of ['GATEWAY_PORT', 'CHAT_BURST', 'SHARD_ID']) {
      expect(attempt).toThrow(new RegExp(name));
    }
    expect(attempt).toThrow(/JWKS_URL/);
    expect(loadGatewayConfig({ GATEWAY_PORT: '9100', JWT_PUBLIC_KEY: 'pem' }).port).toBe(9100);
  });
});

describe('idle timeout', () => {
  let g: TestGateway | undefined;
  afterEach(async () => {
    await g?.close();
  });

  it('pings idle fans, keeps those that answer and drops those that do not', async () => {
    g = await startGateway({ idleTimeoutS: 8 }); // uWS's smallest useful timeout (4 s ticks)
    const token = async () => g!.sign();
    const answers = new WebSocket(`${g.url}?token=${await token()}`, ['fanfare.v1']);
    const silent = new WebSocket(`${g.url}?token=${await token()}`, ['fanfare.v1'], {
      autoPong: false,
    });
    let pinged = 0;
    answers.on('ping', () => pinged++);
    const silentClosed = new Promise<number>((resolve) =>
      silent.on('close', (code) => resolve(code)),
    );
    expect(await silentClosed).toBe(1006);
    expect(pinged).toBeGreaterThan(0);
    expect(answers.readyState).toBe(WebSocket.OPEN);
    answers.close();
  }, 30_000);
});
