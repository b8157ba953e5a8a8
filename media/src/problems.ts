// Every refusal the origin answers, as data: a stable code, its HTTP status and a title. The
// body is RFC 9457 problem+json. docs/media.md lists the same table and a test keeps them equal.
// Add codes; never rename or repurpose one (players and edges switch on them). The envelope
// (media type, body shape) is the one every service shares, from @fanfare/protocol.

import { problemBody as sharedProblemBody, type ProblemTable } from '@fanfare/protocol';

export const MEDIA_PROBLEMS = {
  bad_request: { status: 400, title: 'A control request body is malformed.' },
  bad_directive: { status: 400, title: 'An _HLS_ delivery directive is malformed.' },
  blocking_too_far: {
    status: 400,
    title: 'The requested segment or part is too far past the live edge to wait for.',
  },
  control_unauthorized: {
    status: 401,
    title: 'A control request without the control bearer (derived from the token secret).',
  },
  token_missing: { status: 401, title: 'The URL carries no playback token.' },
  token_malformed: { status: 401, title: 'The playback token is not in the expected format.' },
  token_expired: { status: 401, title: 'The playback token has expired; join again.' },
  token_invalid: { status: 403, title: 'The playback token does not verify.' },
  token_wrong_event: { status: 403, title: 'The playback token is for another event.' },
  not_found: { status: 404, title: 'No such stream, rendition or resource.' },
  method_not_allowed: { status: 405, title: 'Only GET, HEAD and OPTIONS are served.' },
  stream_conflict: {
    status: 409,
    title: "The event's picture comes from another source (the demo pattern); it takes no key.",
  },
  gone: { status: 410, title: 'The part or segment has left the live window.' },
  internal: { status: 500, title: 'An unexpected error in the media process.' },
  stream_not_live: { status: 503, title: 'The stream has no media yet.' },
  stream_stalled: {
    status: 503,
    title: 'The requested part did not arrive in time; the encoder may have stalled.',
  },
} as const satisfies ProblemTable;

export type MediaProblemCode = keyof typeof MEDIA_PROBLEMS;

/** The problem body for a code, as JSON; `detail` must hold nothing secret (it is sent as is). */
export function problemBody(code: MediaProblemCode, detail?: string): string {
  return JSON.stringify(sharedProblemBody('media', MEDIA_PROBLEMS, code, detail));
}
