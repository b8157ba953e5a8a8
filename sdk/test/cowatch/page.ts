// The browser side of the co-watch check: a FanfareClient whose party drives the page's <video>
// through `watchParty`, exposed as `window.cowatch` for the test to call with page.evaluate.
// Bundled with the SDK by fixtures.ts; nothing here runs in Node. It imports the SDK's own face
// (src/index.ts), as an app would import '@fanfare/sdk'.

import { FanfareClient, watchParty, type ClockSample, type WatchParty } from '../../src/index.js';
import type { PartyCommand } from '@fanfare/protocol';

/** One reading of the element against the server clock. */
export interface Sample {
  /** The page's estimate of the server clock, ms. */
  serverNow: number;
  /**
   * The machine's own clock, ms (`performance.timeOrigin + performance.now()`): every page in
   * the browser reads the same one, so it is the true instant to compare pages at.
   */
  trueNow: number;
  /** `video.currentTime`, seconds. */
  currentTime: number;
}

export interface PageStatus {
  synced: boolean;
  errorBoundMs: number;
  state: string | undefined;
  readiness: string | undefined;
  driftMs: number | undefined;
  paused: boolean;
  readyState: number;
  currentTime: number;
  timelineVersion: number | undefined;
  members: string[];
}

const SAMPLE_EVERY_MS = 10;
const video = document.querySelector<HTMLVideoElement>('#video')!;
let client: FanfareClient | undefined;
let watching: WatchParty | undefined;

function need(): FanfareClient {
  if (!client) throw new Error('connect first');
  return client;
}

export const cowatch = {
  /** Connects to the gateway and follows any party with the video; resolves on the welcome. */
  connect(url: string, token: string): Promise<void> {
    const c = new FanfareClient({ url, token });
    client = c;
    watching = watchParty(c, video, {
      // The timeline names the video's URL; load it, muted, as any media element would.
      onMedia: (media) => {
        video.src = media;
      },
    });
    return new Promise((ok, fail) => {
      c.on('welcome', () => ok());
      c.on('closed', ({ code, reason }) => fail(new Error(`closed ${code} ${reason}`)));
      c.connect();
    });
  },

  async create(media: string): Promise<string> {
    return (await need().party.create(media)).code;
  },

  async join(code: string): Promise<void> {
    await need().party.join(code);
  },

  /** A host command; resolves with the timeline version it produced. */
  async command(command: PartyCommand): Promise<number> {
    return (await need().party.command(command)).version;
  },

  status(): PageStatus {
    const c = need();
    return {
      synced: c.serverTime.synced,
      errorBoundMs: c.serverTime.errorBoundMs,
      state: watching?.status?.state,
      readiness: watching?.status?.readiness,
      driftMs: watching?.status?.driftMs,
      paused: video.paused,
      readyState: video.readyState,
      currentTime: video.currentTime,
      timelineVersion: c.party.view?.timeline.version,
      members: c.party.view?.members.map((m) => `${m.name}:${m.readiness}`) ?? [],
    };
  },

  /** The ping exchanges the page's server-clock estimate stands on (its own clock is `trueNow`'s). */
  exchanges(): readonly ClockSample[] {
    return need().serverTime.exchanges;
  },

  /**
   * Reads the element against the server clock every SAMPLE_EVERY_MS for `ms`. Each reading is
   * its own task, so `currentTime` (stable within a task) is fresh each time.
   */
  sample(ms: number): Promise<Sample[]> {
    const c = need();
    const samples: Sample[] = [];
    const end = performance.now() + ms;
    return new Promise((ok) => {
      const read = () => {
        samples.push({
          serverNow: c.serverNow(),
          trueNow: performance.timeOrigin + performance.now(),
          currentTime: video.currentTime,
        });
        if (performance.now() < end) setTimeout(read, SAMPLE_EVERY_MS);
        else ok(samples);
      };
      read();
    });
  },
};

(globalThis as unknown as { cowatch: typeof cowatch }).cowatch = cowatch;
