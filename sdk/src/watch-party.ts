// One call that makes a media element follow the client's watch party: a cowatch SyncController
// per party membership, fed the party's timeline and the client's server clock, with the
// controller's readiness forwarded to the party. It lives in the SDK because that is where apps
// look; cowatch stays free of any transport.
//
// Readiness is reported against the server's record of this member, not only on the
// controller's changes: the server marks every member `buffering` on join, seek and new media,
// while the controller (which holds its readiness through its own seeks) may not change at all.
// So `ready` is said whenever the record disagrees and the controller has landed on the timeline
// (not idle, not seeking); `buffering` is said at once.

import { SyncController, type MediaLike, type SyncStats, type SyncStatus } from '@fanfare/cowatch';
import { PATH_REPORT_STEP_MS, reportedPathMs, type Readiness } from '@fanfare/protocol';
import type { FanfareClient } from './client.js';

export interface WatchPartyOptions {
  /**
   * Called with the timeline's media when it differs from the last one seen (first with the
   * media of the party joined): load it into the element. The controller aligns position, rate
   * and paused, but does not load media.
   */
  onMedia?: (media: string) => void;
  /** Every change of the controller's state or readiness. */
  onStatus?: (status: SyncStatus) => void;
  /** Control loop period, ms (cowatch's CONTROL_TICK_MS unless given). */
  tickMs?: number;
}

/** A running watchParty. `close()` detaches from the element and the client; idempotent. */
export interface WatchParty {
  /** The controller's status; undefined while the client is in no party. */
  readonly status: SyncStatus | undefined;
  /** The controller's counters for the current party; undefined while in none. */
  readonly stats: SyncStats | undefined;
  close(): void;
}

/**
 * Keeps `media` on the timeline of the party `client` is in, now or later: a controller starts
 * when the client is in a party and stops when it leaves, so one call covers create, join,
 * leave and joining another. Clock sync runs while the client is in a party (see
 * `client.serverTime`); until it is synced the controller leaves the element alone.
 */
export function watchParty(
  client: FanfareClient,
  media: MediaLike,
  options: WatchPartyOptions = {},
): WatchParty {
  let controller: SyncController | undefined;
  let partyId: string | undefined;
  let loadedMedia: string | undefined;
  /** The last readiness sent, and the party version it answered (resent once a newer differs). */
  let sent: { readiness: Readiness; partyVersion: number; pathMs?: number } | undefined;
  let closed = false;

  const start = (id: string): void => {
    controller?.close();
    partyId = id;
    sent = undefined;
    const own = new SyncController({
      media,
      time: client.serverTime,
      clock: client.serverTime.clock,
      ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
      onStatus: (status) => {
        if (controller !== own) return;
        report();
        options.onStatus?.(status);
      },
    });
    controller = own;
    own.start();
  };

  const follow = (): void => {
    const party = client.party.view;
    if (!party) return;
    if (party.id !== partyId) start(party.id);
    const timeline = party.timeline;
    if (timeline.media !== loadedMedia) {
      loadedMedia = timeline.media;
      options.onMedia?.(timeline.media);
    }
    controller?.setTimeline(timeline);
    report();
  };

  const report = (): void => {
    const status = controller?.status;
    const party = client.party.view;
    const userId = client.user?.id;
    if (!status || !party || party.id !== partyId || userId === undefined) return;
    const recorded = party.members.find((m) => m.userId === userId)?.readiness;
    const { readiness } = status;
    const pathMs = reportedPathMs(client.serverTime.pathMs);
    // A path that moved by more than PATH_REPORT_STEP_MS is said again, readiness or not: the
    // party's start lead follows its slowest member.
    const pathMoved =
      pathMs !== undefined && Math.abs(pathMs - (sent?.pathMs ?? 0)) > PATH_REPORT_STEP_MS;
    if (readiness === recorded && !pathMoved) return;
    if (readiness === 'ready' && (status.state === 'idle' || status.state === 'seeking')) return;
    const same = sent && sent.readiness === readiness && sent.partyVersion >= party.version;
    if (same && !pathMoved) return;
    sent = { readiness, partyVersion: party.version, pathMs: pathMs ?? sent?.pathMs };
    client.party.setReadiness(readiness, pathMs);
  };

  const stop = (): void => {
    controller?.close();
    controller = undefined;
    partyId = undefined;
  };

  const offs = [
    client.on('party', follow),
    client.on('partyTimeline', follow),
    client.on('partyLeft', (left) => {
      if (left.partyId === partyId) stop();
    }),
  ];
  follow();

  return {
    get status() {
      return controller?.status;
    },
    get stats() {
      return controller?.stats;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      stop();
    },
  };
}
