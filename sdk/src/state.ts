// The client's connection as an explicit state machine: every change goes through `transition`,
// which refuses moves the design does not allow, so a bug shows up as a thrown error at the move
// rather than as a client that is, say, both waiting to reconnect and connected.

/**
 * - `idle`: created, `connect()` not called yet.
 * - `connecting`: getting a token, opening the socket, or waiting for the `welcome`.
 * - `open`: the `welcome` arrived; chat is sent and received.
 * - `waiting`: disconnected, a reconnect is scheduled (backoff).
 * - `closed`: final; the app called `close()` or the server ended the session for good.
 */
export type ClientState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

const MOVES: Readonly<Record<ClientState, readonly ClientState[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['open', 'waiting', 'closed'],
  open: ['waiting', 'closed'],
  waiting: ['connecting', 'closed'],
  closed: [],
};

/** A move the state machine does not allow: a bug in the client, never a network condition. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'illegal_transition';
  readonly from: ClientState;
  readonly to: ClientState;

  constructor(from: ClientState, to: ClientState) {
    super(`illegal client state transition: ${from} -> ${to}`);
    this.from = from;
    this.to = to;
  }
}

export function canTransition(from: ClientState, to: ClientState): boolean {
  return MOVES[from].includes(to);
}

/** Returns `to` when the move from `from` is allowed; throws IllegalTransitionError otherwise. */
export function transition(from: ClientState, to: ClientState): ClientState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}
