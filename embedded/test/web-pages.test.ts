// The fan page and the console in Chromium against an embedded engine: a producer signs in,
// creates an event, takes it live and opens a poll; two fans (phone and desktop) vote and watch
// the tally move and the result land; chat HTML stays text; a moderator (offered only a
// moderator's controls) deletes a message and it vanishes on both fan pages; a timed-out fan sees
// why it cannot chat; the console's live panel counts viewers, chat and reactions and its audit
// log shows the moderation. Every page is screenshotted at phone and desktop width into
// results/screenshots.

import { chromiumAvailable, type Page } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebHarness, type WebHarness } from './web-harness.js';

/** Longest wait for something a page should show, ms (a loaded CI box, 1 s stage propagation). */
const SHOW_MS = 15_000;
/** Each test's budget, ms: a whole show is some 30 steps in five pages on a shared 2-core box. */
const TEST_MS = 120_000;
const HOSTILE =
  '<b>bold</b> & <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>';

describe.skipIf(!chromiumAvailable())('the pages in Chromium', () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
    // A hang limit, over the suite's 90 s: a Vite build of the pages, PGlite (30 s and more on a
    // loaded machine, 3 s alone) and a Chromium launch, one after the other.
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const chatText = (page: Page) =>
    page
      .locator('.messages')
      .evaluate((el) => Array.from(el.querySelectorAll('li'), (li) => li.textContent));
  const send = async (page: Page, text: string) => {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  };

  /** Waits until the console's live panel shows at least `min` for `figure`. */
  const figureAtLeast = (page: Page, figure: 'viewers' | 'chat' | 'reactions', min: number) =>
    page.waitForFunction(
      ({ figure, min }) =>
        Number(document.querySelector(`[data-${figure}]`)?.getAttribute(`data-${figure}`)) >= min,
      { figure, min },
      { timeout: SHOW_MS },
    );

  it(
    'serves the fan page for the demo event at /, at phone and desktop width',
    async () => {
      for (const viewport of [PHONE, DESKTOP]) {
        const page = await h.open('demo', '/?name=Dee', viewport);
        await page.getByText('Live as Dee').waitFor({ timeout: SHOW_MS });
        await send(page, `hello from ${viewport.width}`);
        await page.getByText(`hello from ${viewport.width}`).waitFor({ timeout: SHOW_MS });
        await h.shot(page, 'fan-demo');
        await page.context().close();
      }
      // An event that does not exist is said so, not "connecting" for ever.
      const lost = await h.open('lost', '/e/no-such-event', PHONE);
      await lost.getByText('No such event').waitFor({ timeout: SHOW_MS });
      await lost.context().close();
      // The browser's own line for each refused join (the SDK retries) is the only error.
      expect(h.errors.length).toBeGreaterThan(0);
      for (const line of h.errors) expect(line).toMatch(/^lost: .* 404 \(Not Found\)$/);
      h.errors.length = 0;
    },
    TEST_MS,
  );

  it(
    'runs a show: sign in, create, go live, poll, vote, result, moderation, timeout',
    async () => {
      // The producer signs in with the token `pnpm start` prints.
      const desk = await h.open('console', '/console', DESKTOP);
      await h.shot(desk, 'console-sign-in');
      const phoneConsole = await h.open('console-phone', '/console', PHONE);
      await h.shot(phoneConsole, 'console-sign-in');
      await desk.getByLabel('Producer token').fill('not-a-token');
      await desk.getByRole('button', { name: 'Sign in' }).click();
      await desk.getByRole('alert').getByText('was refused').waitFor({ timeout: SHOW_MS });
      await desk.getByLabel('Producer token').fill(h.engine.producerToken);
      await desk.getByRole('button', { name: 'Sign in' }).click();

      // Creates an event and takes it live.
      await desk.getByLabel('Title').fill('The Final');
      await desk.getByRole('button', { name: 'Create event' }).click();
      await desk.getByRole('button', { name: 'Go live' }).click();
      const eventPanel = desk.getByRole('region', { name: 'Event The Final' });
      await eventPanel.locator('.badge.state-live').first().waitFor({ timeout: SHOW_MS });

      // Two fans arrive, one on a phone.
      const ann = await h.open('ann', '/e/the-final?name=Ann', PHONE);
      const bob = await h.open('bob', '/?event=the-final&name=Bob', DESKTOP);
      await ann.getByText('Live as Ann').waitFor({ timeout: SHOW_MS });
      await bob.getByText('Live as Bob').waitFor({ timeout: SHOW_MS });
      // The console's live panel counts them (and itself) and draws its chart.
      await figureAtLeast(desk, 'viewers', 3);
      await desk.locator('.live-chart canvas').waitFor();

      // The producer opens a poll; both fans see it.
      await desk.getByLabel('Question').fill('Who wins?');
      await desk.getByLabel(/^Options/).fill('Red\nBlue');
      await desk.getByRole('button', { name: 'Open poll' }).click();
      for (const fan of [ann, bob]) {
        await fan.getByRole('heading', { name: 'Who wins?' }).waitFor({ timeout: SHOW_MS });
      }

      // They vote; each page's tally moves to two votes, split one and one.
      await ann.getByRole('button', { name: /^Red/ }).click();
      await bob.getByText('1 vote ·').waitFor({ timeout: SHOW_MS });
      await bob.getByRole('button', { name: /^Blue/ }).click();
      for (const fan of [ann, bob]) {
        await fan.getByText('2 votes ·').waitFor({ timeout: SHOW_MS });
        expect(await fan.locator('.poll .share').allTextContents()).toEqual(['50% · 1', '50% · 1']);
      }
      await ann.getByText('you voted Red').waitFor();
      await desk.getByText('2 votes so far').waitFor({ timeout: SHOW_MS });
      expect(await desk.locator('.tally-count').allTextContents()).toEqual(['1', '1']);
      await desk.getByRole('img', { name: 'Live tally chart' }).locator('canvas').waitFor();
      await h.shot(ann, 'fan-poll');
      await h.shot(bob, 'fan-poll');
      await h.shotBoth(desk, 'console-poll');

      // The producer closes it; the result lands on both fan pages and in the console.
      await desk.getByRole('button', { name: 'Close poll' }).click();
      for (const fan of [ann, bob]) {
        await fan.getByText('Result: 2 votes').waitFor({ timeout: SHOW_MS });
      }
      await desk.getByRole('list', { name: 'Poll results' }).getByText('Red: 1, Blue: 1').waitFor({
        timeout: SHOW_MS,
      });

      // Bob taps a reaction; it floats up on Ann's page too.
      await bob.getByRole('button', { name: 'React 🔥' }).click();
      await ann.locator('.burst', { hasText: '🔥' }).first().waitFor({ timeout: SHOW_MS });
      await figureAtLeast(desk, 'reactions', 1);

      // Chat HTML stays text: the markup arrives as characters, no element, no script run.
      await send(ann, HOSTILE);
      await send(ann, 'a second message');
      for (const fan of [ann, bob]) {
        await fan.getByText('a second message').waitFor({ timeout: SHOW_MS });
        expect(await chatText(fan)).toEqual([`Ann${HOSTILE}`, 'Anna second message']);
        expect(
          await fan.locator('.messages b:not(.author), .messages img, .messages script').count(),
        ).toBe(0);
        expect(await fan.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
      }

      await figureAtLeast(desk, 'chat', 2);

      // A moderator (an API key an SRE issued) deletes the first message from the console on a
      // phone: it vanishes on both fan pages.
      const issued = await fetch(`${h.engine.apiUrl}/v1/credentials`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${h.engine.sreToken}`,
        },
        body: JSON.stringify({ name: 'Moderator on duty', role: 'moderator' }),
      });
      expect(issued.status).toBe(201);
      const { key: moderatorKey } = (await issued.json()) as { key: string };
      const moderatorRefused: string[] = [];
      phoneConsole.on('response', (r) => {
        if (r.status() === 403) moderatorRefused.push(new URL(r.url()).pathname);
      });
      await phoneConsole.getByLabel('Producer token').fill(moderatorKey);
      await phoneConsole.getByRole('button', { name: 'Sign in' }).click();
      await phoneConsole.getByRole('button', { name: /^The Final/ }).click();
      await phoneConsole
        .getByRole('button', { name: `Delete message from Ann: ${HOSTILE}` })
        .click({ timeout: SHOW_MS });
      for (const fan of [ann, bob]) {
        await fan.waitForFunction(
          () => document.querySelectorAll('.messages li').length === 1,
          null,
          {
            timeout: SHOW_MS,
          },
        );
        expect(await chatText(fan)).toEqual(['Anna second message']);
      }

      // Ann is timed out with a reason; her next message is refused and she is told why.
      await desk.getByLabel('Reason').fill('spamming');
      await desk.getByRole('button', { name: 'Time out Ann' }).first().click();
      await desk.getByText('Ann timed out').waitFor({ timeout: SHOW_MS });
      await send(ann, 'am I still here?');
      const refusal = ann.locator('.refusal-timed_out');
      await refusal.waitFor({ timeout: SHOW_MS });
      expect(await refusal.textContent()).toMatch(
        /A moderator timed you out of chat\. Reason: spamming\. Your message goes out in [45]:\d\d\./,
      );
      // The audit log shows the deletion and the timeout, with the reason.
      const audit = desk.getByRole('region', { name: 'Audit log' });
      await audit.getByText('sanction.impose').waitFor({ timeout: SHOW_MS });
      await audit.getByText('chat.delete').waitFor({ timeout: SHOW_MS });
      expect(await audit.locator('li', { hasText: 'sanction.impose' }).textContent()).toContain(
        '“spamming”',
      );
      await h.shotBoth(ann, 'fan-timed-out');
      await h.shotBoth(bob, 'fan-chat');
      await h.shot(desk, 'console-moderation');
      // The moderator's console on the phone, the event chosen.
      await phoneConsole
        .getByText('Ann timed out')
        .or(phoneConsole.getByRole('heading', { name: 'Live chat' }))
        .first()
        .waitFor({ timeout: SHOW_MS });
      // A moderator is offered only what a moderator may do (`GET /v1/me`): no lifecycle moves, no
      // event creation, no poll controls (the producer's desk has each of them, used above).
      for (const name of ['End event', 'Create event', 'Open poll', 'Close poll']) {
        await expect
          .poll(() => phoneConsole.getByRole('button', { name, exact: true }).count())
          .toBe(0);
      }
      expect(await desk.getByRole('button', { name: 'End event', exact: true }).count()).toBe(1);
      await h.shot(phoneConsole, 'console-moderation');
      // The stream panel says there is no media process here (this harness runs none).
      await desk
        .getByRole('region', { name: 'Stream' })
        .getByText('No media process is configured')
        .waitFor({ timeout: SHOW_MS });
      // The errors pages logged: the browser's own lines for the refused sign-in, and for the
      // refusals the stream panel shows (no media process: 503; no WebRTC tier: 409), each asked
      // once per panel, not at every refresh.
      const panelRefusals = h.errors.filter((l) => / (503|409) \([\w ]+\)$/.test(l));
      // The moderator's console asks once for what a moderator may not have (a watcher's ticket:
      // it watches as a plain fan; viewer QoE: the panel says so and stops asking).
      const roleRefusals = h.errors.filter((l) => / 403 \(Forbidden\)$/.test(l));
      for (const line of roleRefusals) expect(line).toMatch(/^console-phone: /);
      expect(roleRefusals).toHaveLength(moderatorRefused.length);
      expect(new Set(moderatorRefused)).toEqual(
        new Set(['/v1/events/the-final/tickets', '/v1/events/the-final/qoe']),
      );
      const known = [...panelRefusals, ...roleRefusals];
      expect(h.errors.filter((l) => !known.includes(l))).toEqual([
        expect.stringMatching(/^console: .* 401 \(Unauthorized\)$/),
      ]);
      // One stream panel per console that chose an event (desk and phone), each question asked
      // once; a panel polling them every 3 s would log several times that over this show.
      expect(panelRefusals).toHaveLength(4);
    },
    TEST_MS,
  );
});
