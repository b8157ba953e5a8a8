// Where a fan is in an event's ordered feed: (epoch, seq), as centrifuge's StreamPosition. The
// seq counts messages and deletions in one history of the event's log; the epoch names that
// history and changes whenever the log starts over (recreated, restarted, data lost), so a seq
// from another history is never read as a place in this one. Both travel in the upgrade query
// of a reconnect (`?since=<seq>&epoch=<epoch>`); docs/protocol.md has the compatibility rule.

/** Longest epoch, characters. Epochs are opaque, [A-Za-z0-9_-], compared for equality only. */
export const EPOCH_MAX_CHARS = 32;

const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface StreamPosition {
  epoch: string;
  seq: number;
}

/**
 * What a reconnecting fan says it saw. `epoch` is absent for a bare `since` (a client older than
 * epochs): the server reads it as the current epoch only when it can prove that (see
 * docs/protocol.md, "Reconnecting").
 */
export interface ResumeFrom {
  seq: number;
  epoch?: string;
}

export function isEpoch(value: string): boolean {
  return EPOCH_PATTERN.test(value);
}

/** The query a client appends to its gateway URL to resume after `position` ('' for none). */
export function resumeQuery(position: StreamPosition | undefined): string {
  if (position === undefined) return '';
  return `&since=${position.seq}&epoch=${encodeURIComponent(position.epoch)}`;
}

export type ResumeParsed =
  { ok: true; value: ResumeFrom | undefined } | { ok: false; message: string };

/** Reads `since` and `epoch` from an upgrade query; undefined when the fan resumes nothing. */
export function parseResumeQuery(params: URLSearchParams): ResumeParsed {
  const since = params.get('since');
  const epoch = params.get('epoch');
  if (since === null) {
    return epoch === null
      ? { ok: true, value: undefined }
      : { ok: false, message: '`epoch` needs `since`, the last seq seen in it' };
  }
  const seq = Number(since);
  if (since === '' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, message: '`since` must be the last seq seen, an integer >= 0' };
  }
  if (epoch === null) return { ok: true, value: { seq } };
  if (!isEpoch(epoch)) {
    return {
      ok: false,
      message: `\`epoch\` must be the welcome's epoch: 1-${EPOCH_MAX_CHARS} characters [A-Za-z0-9_-]`,
    };
  }
  return { ok: true, value: { seq, epoch } };
}
