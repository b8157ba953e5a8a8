// The one error of the shared-state stores (sanctions, votes): the store cannot be reached and
// nothing was changed. Callers answer a retryable `state_unavailable`.

export class StateUnavailableError extends Error {
  override readonly name = 'StateUnavailableError';
  readonly code = 'state_unavailable';
  constructor(what: string, cause: unknown) {
    super(`the ${what} store is unreachable`, { cause });
  }
}
