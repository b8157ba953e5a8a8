// `pnpm build` compiles every package to dist/ and bundles the pages, and the result runs without
// tsx: the built API and a built gateway start with plain `node` (the `@fanfare/dist` export
// condition, as in the image) and answer /healthz, the API serving the pages; every service the
// image's entrypoint names exists; and the client SDK packs into tarballs that install offline
// into a scratch project, import in Node, typecheck, and bundle for a browser without a Node
// module.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, stop, type Started } from './processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
/** The export condition under which workspace packages expose dist/ (their source by default). */
const DIST_CONDITION = '@fanfare/dist';
/** Full build on a busy 2-core machine, ms. */
const BUILD_LIMIT_MS = 600_000;
/** The packages an integrator installs: the SDK and the workspace packages it depends on. */
const PUBLISHED = ['protocol', 'cowatch', 'sdk'];

const scratch = mkdtempSync(join(tmpdir(), 'fanfare-build-'));
const started: Started[] = [];

beforeAll(async () => {
  await run('pnpm', ['build'], { cwd: ROOT, timeout: BUILD_LIMIT_MS, maxBuffer: 16 << 20 });
}, BUILD_LIMIT_MS);

afterAll(async () => {
  await Promise.all(started.map((s) => stop(s.child)));
  rmSync(scratch, { recursive: true, force: true });
});

describe('the built services', () => {
  it('start with plain node (no tsx) and answer /healthz: the API, then a gateway on its JWKS', async () => {
    const nodeArgs = [`--conditions=${DIST_CONDITION}`];
    const api = await startNode(
      [...nodeArgs, 'api/dist/main.js'],
      { API_PORT: '0', PGLITE_DATA_DIR: 'memory' },
      'api listening',
      ROOT,
    );
    started.push(api);
    const apiUrl = `http://127.0.0.1:${String(api.line.port)}`;
    const apiHealth = await fetch(`${apiUrl}/healthz`);
    expect(apiHealth.status).toBe(200);
    expect(await apiHealth.json()).toEqual({ status: 'ok' });
    // The pages `pnpm build` bundled (web/dist/pages), served by the built API under its CSP.
    for (const path of ['/', '/console']) {
      const page = await fetch(`${apiUrl}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\//);
    }

    const gateway = await startNode(
      [...nodeArgs, 'gateway/dist/main.js'],
      { GATEWAY_PORT: '0', SHARD_ID: 'built', JWKS_URL: `${apiUrl}/.well-known/jwks.json` },
      'shard ready',
      ROOT,
    );
    started.push(gateway);
    const shardUrl = String(gateway.line.url).replace(/^ws/, 'http').replace(/\/ws$/, '');
    expect((await fetch(`${shardUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${shardUrl}/metrics`)).text()).toContain(
      'fanfare_gateway_connections{shard="built"} 0',
    );
    // Both really run the build: Node 20 cannot load a .ts file without a loader.
    expect(api.child.spawnargs.join(' ')).not.toContain('tsx');
    expect(await stop(gateway.child)).toBe(0);
    expect(await stop(api.child)).toBe(0);
  }, 300_000);

  it('include every service the image entrypoint starts, and the migrations', () => {
    const entrypoint = readFileSync(join(ROOT, 'deploy/docker-entrypoint.sh'), 'utf8');
    const scripts = [...entrypoint.matchAll(/exec node (?:--[\w=-]+ )*\/app\/([\w/.-]+\.js)/g)].map(
      (m) => m[1]!,
    );
    expect(scripts).toEqual(['api/dist/main.js', 'gateway/dist/main.js', 'media/dist/main.js']);
    for (const script of scripts) {
      const source = script.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
      // media/src/main.ts is still being written (the media package); until then it has no build.
      if (!existsSync(join(ROOT, source))) {
        expect(script).toBe('media/dist/main.js');
        continue;
      }
      expect(existsSync(join(ROOT, script)), script).toBe(true);
    }
    expect(existsSync(join(ROOT, 'db/migrations/meta/_journal.json'))).toBe(true);
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`NODE_OPTIONS=--conditions=${DIST_CONDITION}`);
  });
});

describe('the client SDK as packages', () => {
  const packs = join(scratch, 'packs');
  const app = join(scratch, 'app');

  beforeAll(async () => {
    mkdirSync(packs);
    for (const pkg of PUBLISHED) {
      await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, pkg) });
    }
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
    const tarballs = PUBLISHED.map((pkg) => join(packs, `fanfare-${pkg}-0.1.0.tgz`));
    // --offline: only the tarballs and the registry cache; the SDK needs nothing else.
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], {
      cwd: app,
      timeout: 120_000,
    });
  }, 180_000);

  it('depend only on each other and export only their build', () => {
    for (const pkg of PUBLISHED) {
      const installed = join(app, 'node_modules/@fanfare', pkg);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
        exports: Record<string, { types: string; default: string }>;
        dependencies?: Record<string, string>;
      };
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range).not.toContain('workspace:');
        expect(PUBLISHED.map((p) => `@fanfare/${p}`)).toContain(name);
      }
      expect(manifest.exports['.']).toEqual({
        types: './dist/index.d.ts',
        default: './dist/index.js',
      });
      expect(existsSync(join(installed, 'src'))).toBe(false);
      expect(existsSync(join(installed, 'dist/index.d.ts'))).toBe(true);
    }
  });

  it('import in Node', async () => {
    const script = "import('@fanfare/sdk').then((m) => console.log(typeof m.FanfareClient))";
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: app });
    expect(stdout.trim()).toBe('function');
  });

  it('typecheck a consumer against their declarations', async () => {
    writeFileSync(
      join(app, 'main.ts'),
      [
        "import { DEFAULT_BACKOFF, FanfareClient, backoffDelay, type FanfareClientOptions } from '@fanfare/sdk';",
        "const options: FanfareClientOptions = { url: 'wss://example.test/ws', token: 't' };",
        'export const client = new FanfareClient(options);',
        'export const delay: number = backoffDelay(3, DEFAULT_BACKOFF, () => 0.5);',
        '',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const result = await run(process.execPath, [tsc, ...args, '--lib', 'es2022,dom', 'main.ts'], {
      cwd: app,
    }).catch((err: { stdout: string }) => ({ stdout: err.stdout, failed: true }));
    expect(result.stdout).toBe('');
  });

  it('bundle for a browser with esbuild, with no Node module inside', async () => {
    writeFileSync(
      join(app, 'browser.js'),
      "import { FanfareClient } from '@fanfare/sdk';\nwindow.client = FanfareClient;\n",
    );
    const result = await esbuild({
      absWorkingDir: app,
      entryPoints: ['browser.js'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.startsWith('node_modules/@fanfare/sdk/dist/'))).toBe(true);
    expect(inputs.some((i) => i.startsWith('node_modules/@fanfare/protocol/dist/'))).toBe(true);
    expect(inputs.filter((i) => i.startsWith('node:') || !i.startsWith('node_modules/'))).toEqual([
      'browser.js',
    ]);
    expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });
});
