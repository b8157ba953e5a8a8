// A fan's watch party as the app sees it: `client.party`. The requests (create, join, leave,
// chat, command, host hand-over) answer by promise; the view is the mirror of the newest party
// frames. Implemented by PartyClient (party-client.ts), which the client also feeds the server's
// party frames; those hooks stay off this interface.

import type {
  PartyChatMessage,
  PartyCommand,
  PartyLeft,
  PartyView,
  Readiness,
  Timeline,
} from '@fanfare/protocol';

export interface CommandOptions {
  /**
   * What a `timeline_conflict` does (the timeline moved between this client's view and the
   * server's). `rebase` (the default): once the newer timeline has arrived, send the command
   * again on it, up to MAX_COMMAND_REBASES times; every command is absolute (play, pause, seek to
   * a position, a rate, a media), so it means the same there. `refuse`: reject at once, for an
   * app whose decision depends on what it saw (a toggle button, say) and wants to decide again.
   */
  onConflict?: 'rebase' | 'refuse';
}

export interface Party {
  /**
   * The watch party this fan is in, at the highest version seen and with the newest timeline
   * seen; undefined when in none. See the README's "Watch parties".
   */
  readonly view: PartyView | undefined;

  /** Creates a watch party with this fan as host; resolves with its view (share `code`). */
  create(media: string, options?: { maxSize?: number }): Promise<PartyView>;

  /** Joins the party with this invite code; resolves with its view. */
  join(code: string): Promise<PartyView>;

  /** Leaves the party (a leaving host hands over); resolves with the `party.left` answer. */
  leave(): Promise<PartyLeft>;

  /** Sends a message to the party's members; resolves with it as stored (the server's echo). */
  chat(text: string): Promise<PartyChatMessage>;

  /**
   * Host only: changes the timeline, based on the newest timeline this client holds. Resolves
   * with the timeline of the server's answer (which may be unchanged: a play while a member
   * buffers waits behind a gate, see `view.gate`); rejects with PartyRefusedError (`not_host`,
   * `timeline_conflict`: another change came first, decide again from `view`), or
   * PartyRequestTimeoutError after PARTY_REQUEST_TIMEOUT_MS unanswered. By default a command
   * refused `timeline_conflict` because the timeline moved under it (a gate opening, say) is sent
   * again on the newer timeline, up to MAX_COMMAND_REBASES times: see CommandOptions.
   */
  command(command: PartyCommand, options?: CommandOptions): Promise<Timeline>;

  /**
   * Tells the party whether this fan's player can play on (`party.ready`); nothing when in no
   * party. The server marks members `buffering` on join, seek and new media: say `ready` again
   * once the player can play at the new position. `watchParty` does this. `pathMs` is this fan's
   * recent longest round trip (`client.serverTime.pathMs`): the party schedules its starts far
   * enough ahead for its slowest member.
   */
  setReadiness(readiness: Readiness, pathMs?: number): void;

  /** Host only: hands the host role to another online member; resolves with the new view. */
  handHost(userId: string): Promise<PartyView>;
}
