// The built pages as the API serves them, from a folder laid out as Vite builds it: the HTML at
// every page route under the strict CSP, hashed assets cached for a year, revalidation by ETag,
// and nothing outside the build (dot-files, unknown types, paths that climb out) served.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebPages, pagesCsp } from '../src/index.js';

const HTML =
  '<!doctype html><title>x</title><script type="module" src="/assets/app-1.js"></script>';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fanfare-pages-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), HTML);
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'notes.md'), 'not served');
  writeFileSync(join(dir, '.fingerprint'), 'abc');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pages' routes as createApp mounts them (the engine's browser test covers the mount). */
async function setup(): Promise<{ app: Hono }> {
  const app = new Hono();
  app.route('/', WebPages.load(dir).routes());
  return { app };
}

describe('the pages', () => {
  it('serve the HTML at /, /console and /e/<event> under a CSP with no inline script', async () => {
    const { app } = await setup();
    for (const path of ['/', '/console', '/e/final']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(HTML);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('serve hashed assets for a year and answer 304 to a matching ETag', async () => {
    const { app } = await setup();
    const res = await app.request('/assets/app-1.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await app.request('/assets/app-1.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serve nothing outside the build: unknown types, dot-files, missing files, climbing paths', async () => {
    const { app } = await setup();
    for (const path of [
      '/assets/notes.md',
      '/.fingerprint',
      '/assets/missing.js',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/index.html',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
    }
  });

  it('refuse to load from a folder without index.html', () => {
    expect(() => WebPages.load(join(dir, 'assets'))).toThrow(/no index.html/);
  });

  it('list the media origin the pages fetch and play from in connect-src and media-src', () => {
    const csp = pagesCsp(['https://media.example']);
    expect(csp).toContain("connect-src 'self' ws: wss: https://media.example");
    expect(csp).toContain("media-src 'self' blob: https://media.example");
  });
});
