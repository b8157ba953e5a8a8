// The console's calls to the control API, on this page's own origin, with the producer's
// credential (a staff token or an `ffk_` API key: the API takes both as a bearer). A refusal
// becomes a ControlApiError carrying the problem's stable code and the API's own detail.

import type { EventState, PollResult, PollState } from '@fanfare/protocol';

/** An event as the control API shows it (the subset the console uses). */
export interface ConsoleEvent {
  id: string;
  title: string;
  state: EventState;
  startsAt: string | null;
  slowModeS: number | null;
  entitledOnlyChat: boolean;
  blockedTerms: string[];
  /** Accepted chat messages per second across the event; null: the deployment's default. */
  chatCapPerSec: number | null;
  version: number;
}

export interface ConsolePoll {
  id: string;
  question: string;
  options: string[];
  state: PollState;
  closesAt: string | number;
  result?: PollResult | null;
}

export class ControlApiError extends Error {
  override readonly name = 'ControlApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * True when the API refused what this credential's role may do (403): a panel that polls says so
 * once and stops asking, instead of showing the refusal and asking again every few seconds.
 */
export function refusedForRole(err: unknown): boolean {
  return err instanceof ControlApiError && err.status === 403;
}

/** A caller bound to one credential. */
export function controlApi(credential: string): Call {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${credential}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as {
      code?: string;
      detail?: string;
      errors?: Array<{ pointer?: string; detail?: string }>;
    };
    if (!res.ok) {
      const fields = json.errors?.map((e) => `${e.pointer ?? ''} ${e.detail ?? ''}`.trim());
      const detail = [json.detail ?? res.statusText, ...(fields ?? [])].join('; ');
      throw new ControlApiError(res.status, json.code ?? 'error', detail);
    }
    return json as T;
  };
}

/** An event id from a title: lowercase words joined by `-`, as the API accepts. */
export function eventIdFrom(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}
