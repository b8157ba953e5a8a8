// The chat-rule field schemas and limits two routes validate with (`routes/events.ts` for the
// whole event, `routes/chat-rules.ts` for the rules alone), kept here so neither route module
// imports the other.

import { z } from '@hono/zod-openapi';

/** Most blocked terms per event, and the longest term. */
export const BLOCKED_TERMS_MAX = 200;
export const BLOCKED_TERM_MAX_CHARS = 50;

/** A blocked term: words, with an optional `*` at either end (prefix / suffix / contains). */
export const BlockedTerm = z
  .string()
  .min(1)
  .max(BLOCKED_TERM_MAX_CHARS)
  .regex(
    /^\*?[\p{L}\p{N}][\p{L}\p{N} '-]*\*?$/u,
    "letters, digits, spaces, - and ', with * only at the ends",
  )
  .transform((t) => t.normalize('NFC').toLowerCase());
