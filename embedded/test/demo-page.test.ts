// The demo page in a real browser: two pages join `demo`, one chats and the other sees it, taps
// a reaction and both see the count, and the viewer count reaches two.

import { silentLogger } from '@fanfare/gateway';
import { chromiumAvailable, launchChromium, type Browser, type Page } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../src/index.js';

describe.skipIf(!chromiumAvailable())('demo page in Chromium', () => {
  let engine: Engine;
  let browser: Browser;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    engine = await startEngine(
      { API_PORT: '0', GATEWAY_PORT: '0', PGLITE_DATA_DIR: 'memory', EMBEDDED_MEDIA: 'off' },
      { apiLogger: silentLogger, gatewayLogger: silentLogger },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.close();
  });

  async function joinAs(name: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${name}: ${msg.text()}`);
    });
    await page.goto(`${engine.apiUrl}/`);
    await page.fill('#name', name);
    await page.click('#join button');
    await page.waitForFunction(() => !document.querySelector<HTMLInputElement>('#text')!.disabled);
    return page;
  }

  it('joins, chats, reacts and counts viewers', async () => {
    const ann = await joinAs('Ann');
    const bob = await joinAs('Bob');
    await ann.fill('#text', 'Hello from a browser');
    await ann.click('#say button');
    await bob.waitForFunction(() =>
      document.querySelector('#chat')!.textContent!.includes('Hello from a browser'),
    );
    await bob.click('#reactions button >> nth=1');
    await ann.waitForSelector('#stage .float', { state: 'attached' });
    await ann.waitForFunction(
      () => document.querySelector('#viewers')!.textContent === '2 viewers',
    );
    expect(pageErrors).toEqual([]);
  });
});
