// The console's SRE tab in Chromium against an embedded engine: its one shard in the table with
// the fans of the chosen event and the upgrades the shard refused for load (its admission budget
// set to a burst of one here, so WebSocket upgrades past it are refused `overloaded`), the joins
// the API refused for load (JOIN_BUDGET set low, so a few joins past it are refused
// `overloaded`), the shard's fan-out latency p99 appearing once a fan's chat went out (on its
// row, in the highest-shard line and its chart), and a pre-warm planned from the form with its
// readiness list. Screenshotted at phone and desktop width, keyboard only on the phone.

import type { PrewarmAnswer, ShardsAnswer } from '@fanfare/protocol';
import { chromiumAvailable, connectFan, expectRefused, type FanClient } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebHarness, type WebHarness } from './web-harness.js';

/** How often the console's open audit log asks again (web's AUDIT_REFRESH_MS), ms. */
const AUDIT_POLL_MS = 5_000;

/** Longest wait for something a page should show, ms (a loaded CI box). */
const SHOW_MS = 15_000;
const TEST_MS = 120_000;
/** The event's start given to the pre-warm form (a `datetime-local` value, the browser's zone). */
const STARTS_AT = '2030-06-01T18:00';

describe.skipIf(!chromiumAvailable())('the console SRE tab in Chromium', () => {
  let h: WebHarness;
  let fan: FanClient | undefined;
  beforeAll(async () => {
    // The shard's budget: one upgrade, then one per 1,000 s (nothing in this test reaches the
    // shard but the upgrades it makes itself: the console watches only scheduled or live events).
    // The API's: three joins, then one per 1,000 s, so the joins past it are refused however
    // long a loaded machine takes over them (at one a second, seven joins over 4 s all got in).
    h = await startWebHarness({ JOIN_BUDGET: '0.001/3', GATEWAY_ADMISSION_RATE: '0.001/1' });
    // A hang limit, over the suite's 90 s: a Vite build of the pages, PGlite (30 s and more on a
    // loaded machine, 3 s alone) and a Chromium launch, one after the other.
  }, 120_000);
  afterAll(async () => {
    fan?.socket.terminate();
    await h?.close();
  });

  const api = (method: string, path: string, body?: unknown, token = h.engine.producerToken) =>
    fetch(`${h.engine.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it(
    'shows the shards, the refusals and a pre-warm plan with its readiness',
    async () => {
      expect((await api('POST', '/v1/events', { id: 'cup', title: 'The Cup' })).status).toBe(201);
      // A fan of the demo event, to chat (it takes the shard's one upgrade of budget).
      const joined = await fetch(`${h.engine.apiUrl}/v1/events/demo/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"Ann"}',
      });
      expect(joined.status).toBe(200);
      const ticket = (await joined.json()) as { token: string; gatewayUrl: string };
      fan = await connectFan(`${ticket.gatewayUrl}?token=${ticket.token}`);
      await fan.next('welcome');
      // Joins past the budget (burst 3) are refused `overloaded`.
      let refused = 0;
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${h.engine.apiUrl}/v1/events/demo/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"Zed"}',
        });
        if (res.status === 503) refused += 1;
      }
      expect(refused).toBeGreaterThanOrEqual(2);
      // Upgrades without a token: the fan took the shard's budget, so they are refused
      // `overloaded` before the token is looked for.
      const reasons: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) reasons.push((await expectRefused(h.engine.gatewayUrl)).reason);
      const shardRefused = reasons.filter((r) => r === 'overloaded').length;
      expect(shardRefused).toBe(4);
      const shards = async () => (await (await api('GET', '/v1/shards')).json()) as ShardsAnswer;
      // The shard reports its count with its next heartbeat (every 2 s).
      await expect
        .poll(async () => (await shards()).shards[0]?.refusedOverloaded, {
          timeout: SHOW_MS,
          interval: 250,
        })
        .toBe(shardRefused);
      // No chat yet: the shard reports its fan-out window, with nothing sent in it.
      const idle = await shards();
      expect(idle.shards[0]?.fanout).toMatchObject({ delivered: 0, p99Ms: null });
      expect(idle.totals.fanoutP99Ms).toBeNull();

      for (const viewport of [DESKTOP, PHONE]) {
        const page = await h.open(`sre-${viewport.width}`, '/console', viewport);
        await page.getByLabel('Producer token').fill(h.engine.producerToken);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: /^The Cup/ }).click();
        // The chat cap, in the event's chat rules: set on the desktop, read back on the phone.
        const rules = page.getByRole('form', { name: 'Chat rules' });
        const cap = rules.getByLabel(/^Chat cap/);
        if (viewport === DESKTOP) {
          await cap.fill('250');
          await rules.getByRole('button', { name: 'Save chat rules' }).click();
          await rules.getByText('Chat rules saved').waitFor({ timeout: SHOW_MS });
          const stored = (await (await api('GET', '/v1/events/cup')).json()) as {
            event: { chatCapPerSec: number | null };
          };
          expect(stored.event.chatCapPerSec).toBe(250);
        } else {
          expect(await cap.inputValue()).toBe('250');
        }
        await rules.scrollIntoViewIfNeeded();
        await h.shot(page, 'console-chat-cap');
        // The fan chats just before the tab opens: its message goes out, and the shard reports
        // the delay within a 2 s step and a heartbeat, for the next 10 s.
        fan.send({ type: 'chat.send', text: `goal seen at ${viewport.width}px` });
        await fan.next('chat');
        await expect
          .poll(async () => (await shards()).totals.fanoutP99Ms, {
            timeout: SHOW_MS,
            interval: 250,
          })
          .not.toBeNull();
        if (viewport === PHONE) {
          // Keyboard only: Tab to the SRE tab and press Enter.
          const sre = page.getByRole('button', { name: 'SRE', exact: true });
          await sre.focus();
          await page.keyboard.press('Enter');
          expect(await sre.getAttribute('aria-pressed')).toBe('true');
        } else {
          await page.getByRole('button', { name: 'SRE', exact: true }).click();
        }
        const panel = page.getByRole('region', { name: 'SRE' });
        await panel.getByText('1 live shard:').waitFor({ timeout: SHOW_MS });
        const rows = panel.locator('table.shards tbody tr');
        expect(await rows.count()).toBe(1);
        expect(await rows.first().locator('td').nth(-3).textContent()).toBe('taking fans');
        // The upgrades the shard refused for load, on its row and in the total.
        expect(await rows.first().locator('td[data-refused]').textContent()).toBe(
          String(shardRefused),
        );
        expect(
          await panel.locator('[data-shards-refused]').getAttribute('data-shards-refused'),
        ).toBe(String(shardRefused));
        // The fan-out p99 the shard measured for that message: on its row and, with one shard,
        // as the highest; the chart beside it.
        const p99 = rows.first().locator('td[data-fanout-p99]');
        await expect.poll(() => p99.textContent(), { timeout: SHOW_MS }).toMatch(/^\d+ ms$/);
        const shown = await p99.getAttribute('data-fanout-p99');
        expect(Number(shown)).toBeGreaterThanOrEqual(0);
        expect(await panel.locator('[data-fanout-max]').getAttribute('data-fanout-max')).toBe(
          shown,
        );
        await panel
          .getByRole('img', { name: /^Fan-out latency p99 over time, highest shard/ })
          .locator('canvas')
          .waitFor();
        // This API's refusals for load.
        const overloaded = Number(
          await panel.locator('[data-overloaded]').getAttribute('data-overloaded'),
        );
        expect(overloaded).toBe(refused);
        // Desktop first: nothing posted yet; the phone then reads the plan the desktop posted.
        const readiness = panel.getByRole('list', { name: 'Readiness' });
        if (viewport === DESKTOP) {
          await panel
            .getByText('No pre-warm planned on this API yet.')
            .waitFor({ timeout: SHOW_MS });
        } else {
          await readiness.locator('li').first().waitFor({ timeout: SHOW_MS });
        }
        if (viewport === DESKTOP) {
          // Plan for 50,000 fans: one shard is not enough, so shards and capacity are pending.
          await panel.getByLabel('Expected peak fans').fill('50000');
          await panel.getByLabel('Expected joins per second').fill('800');
          // The start and the tiers: the plan says when to be warm and carries the seats asked.
          await panel.getByLabel(/^Starts at/).fill(STARTS_AT);
          await panel.getByLabel(/^WebRTC seats/).fill('40');
          await panel.getByRole('button', { name: 'Plan pre-warm' }).click();
          await readiness.locator('li').first().waitFor({ timeout: SHOW_MS });
          const states = await readiness
            .locator('li')
            .evaluateAll((lis) =>
              lis.map((li) => [li.textContent?.split(':')[0], li.dataset.ready]),
            );
          expect(states.slice(0, 4)).toEqual([
            ['ready event_log', 'ready'],
            ['ready shard_registry', 'ready'],
            ['pending shards', 'pending'],
            ['pending capacity', 'pending'],
          ]);
          // What the shard reports of the pre-warm (ready once its next heartbeat lands), and
          // the CDN edge when this engine has a media service.
          expect(states.slice(4, 6).map(([text]) => text?.split(' ')[1])).toEqual([
            'shard_rooms',
            'jwks',
          ]);
          await panel.getByText(/^Plan: \d+ shards \(spare included\), 1 live now\.$/).waitFor();
          const posted = (await (
            await api('GET', '/v1/events/cup/prewarm')
          ).json()) as PrewarmAnswer;
          const startsAt = await page.evaluate((at) => new Date(at).getTime(), STARTS_AT);
          expect(posted.request.startsAt).toBe(startsAt);
          expect(posted.request.tiers).toEqual({ webrtc: 40 });
          expect(posted.plan.warmBy).toBe(startsAt - posted.plan.leadTimeMin * 60_000);
        }
        // Both pages show the plan's tiers and when to be warm by (the phone reads it back).
        await panel.getByText('Viewers: 50000 on LL-HLS, 40 WebRTC seats.').waitFor();
        const warmBy = panel.locator('[data-warm-by]');
        expect(await warmBy.textContent()).toMatch(/^Warm by .+ \(60 min before the start\)\.$/);
        expect(Number(await warmBy.getAttribute('data-warm-by'))).toBe(
          (await page.evaluate((at) => new Date(at).getTime(), STARTS_AT)) - 3_600_000,
        );
        // Nothing wider than the screen: the table scrolls within its panel on a phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(
          viewport.width,
        );
        await h.shot(page, 'console-sre');
        await page.context().close();
      }
      // An SRE signs in too: the event's panels an SRE may not read (the audit log) say so once
      // and stop asking; the SRE tab works.
      const sreDesk = await h.open('role-sre', '/console', DESKTOP);
      const forbiddenPaths: string[] = [];
      sreDesk.on('response', (r) => {
        if (r.status() === 403) forbiddenPaths.push(new URL(r.url()).pathname);
      });
      await sreDesk.getByLabel('Producer token').fill(h.engine.sreToken);
      await sreDesk.getByRole('button', { name: 'Sign in' }).click();
      await sreDesk.getByRole('button', { name: /^The Cup/ }).click();
      const audit = sreDesk.getByRole('region', { name: 'Audit log' });
      await audit.getByText('Producers and moderators read the audit log').waitFor();
      const askedBefore = forbiddenPaths.length;
      await sreDesk.waitForTimeout(AUDIT_POLL_MS + 500); // a poll would have asked again
      expect(forbiddenPaths.length).toBe(askedBefore);
      await sreDesk.getByRole('button', { name: 'SRE', exact: true }).click();
      await sreDesk.getByRole('region', { name: 'SRE' }).getByText('1 live shard:').waitFor();
      await sreDesk.context().close();
      const forbidden = h.errors.filter((l) => / 403 \(Forbidden\)$/.test(l));
      expect(new Set(forbiddenPaths)).toEqual(new Set(['/v1/events/cup/audit']));
      expect(forbidden.length).toBe(forbiddenPaths.length);
      for (const line of forbidden) expect(line).toMatch(/^role-sre: /);
      h.errors.splice(0, h.errors.length, ...h.errors.filter((l) => !forbidden.includes(l)));
      // The only errors: the browser's lines for the stream panel's refusals when an event is
      // chosen (no media process: 503; no WebRTC tier: 409), and for the GET of a pre-warm not
      // yet posted: desktop only (the phone reads the plan the desktop posted).
      const notFound = h.errors.filter((l) => / 404 \(Not Found\)$/.test(l));
      expect(notFound.length).toBeGreaterThan(0);
      for (const line of notFound) expect(line).toMatch(/^sre-1280: /);
      for (const line of h.errors) {
        expect(line).toMatch(/^(sre-\d+|role-sre): .* (404|409|503) \([\w ]+\)$/);
      }
    },
    TEST_MS,
  );
});
