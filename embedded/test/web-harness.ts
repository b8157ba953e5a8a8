// What the browser tests of the pages share: the pages built into a folder of their own (Vite,
// unminified: a few seconds), an embedded engine serving them on free ports, one Chromium, pages
// at phone or desktop size whose errors (CSP violations included) are collected, and
// screenshots under results/screenshots (ignored by git).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@fanfare/gateway';
import { launchChromium, type Browser, type Page } from '@fanfare/testkit';
import { buildPages } from '@fanfare/web';
import { startEngine, type Engine, type EngineOptions } from '../src/index.js';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../results/screenshots/', import.meta.url));

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;
export type Viewport = typeof PHONE | typeof DESKTOP;

export interface WebHarness {
  engine: Engine;
  browser: Browser;
  /** Page errors and console errors of every page opened, prefixed by its name. */
  errors: string[];
  open(name: string, path: string, viewport: Viewport): Promise<Page>;
  /** Writes results/screenshots/<name>-<phone|desktop>.png of the page as it is. */
  shot(page: Page, name: string): Promise<void>;
  /** `shot` at the page's width, then at the other one (the page resized and put back). */
  shotBoth(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `env` is merged over the defaults (no media: EMBEDDED_MEDIA=off); with media on, `mediaLog`
 * takes the media process's lines; `qoe` shortens the engine's QoE windows (EngineOptions).
 */
export async function startWebHarness(
  env: Record<string, string> = {},
  mediaLog: (line: string) => void = () => undefined,
  qoe?: EngineOptions['qoe'],
): Promise<WebHarness> {
  const pagesDir = mkdtempSync(join(tmpdir(), 'fanfare-pages-'));
  await buildPages({ outDir: pagesDir, minify: false });
  const engine = await startEngine(
    { API_PORT: '0', GATEWAY_PORT: '0', PGLITE_DATA_DIR: 'memory', EMBEDDED_MEDIA: 'off', ...env },
    {
      apiLogger: silentLogger,
      gatewayLogger: silentLogger,
      pagesDir,
      mediaLog,
      ...(qoe && { qoe }),
    },
  );
  const browser = await launchChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const errors: string[] = [];
  const shot = async (page: Page, name: string): Promise<void> => {
    const size = page.viewportSize()?.width === PHONE.width ? 'phone' : 'desktop';
    // Transitions (a tally bar growing) are run to their end: the picture shows where they land.
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${name}-${size}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  };
  return {
    engine,
    browser,
    errors,
    async open(name, path, viewport) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.on('pageerror', (err) => errors.push(`${name}: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`${name}: ${msg.text()}`);
      });
      await page.goto(`${engine.apiUrl}${path}`);
      return page;
    },
    shot,
    async shotBoth(page, name) {
      const was = page.viewportSize();
      await shot(page, name);
      await page.setViewportSize(was?.width === PHONE.width ? DESKTOP : PHONE);
      await shot(page, name);
      if (was) await page.setViewportSize(was);
    },
    async close() {
      await browser.close();
      await engine.close();
      rmSync(pagesDir, { recursive: true, force: true });
    },
  };
}
