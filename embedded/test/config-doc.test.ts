// docs/config.md's "Fixed defaults" table is the named constants: every row's value is the
// constant's, and every constant listed here has its row.

import { readFileSync } from 'node:fs';
import {
  JWKS_MAX_AGE_S,
  REGISTRY_CACHE_MS,
  STAFF_TOKEN_TTL_S,
  UNAVAILABLE_RETRY_AFTER_S,
} from '@fanfare/api';
import {
  ASSIGNMENT_HEADROOM,
  LOG_DEDUPE_WINDOW_MS,
  LOG_MAX_AGE_MS,
  LOG_MAX_ENTRIES,
  NATS_CONNECT_TIMEOUT_MS,
  NATS_RECONNECT_WAIT_MS,
  PRESENCE_FRAMES_PER_S,
  PRESENCE_INTERVAL_MS,
  PRESENCE_JUMP_FRACTION,
  PRESENCE_MAX_GAP_MS,
  REACTION_WINDOW_MS,
  REDIS_COMMAND_TIMEOUT_MS,
} from '@fanfare/fanout';
import { markdownTable } from '@fanfare/fanout/testing';
import {
  HARD_MAX_PAYLOAD_BYTES,
  MAX_FRAME_BYTES,
  REACTION_BURST,
  REACTION_RATE_PER_SECOND,
  RECENT_MESSAGES,
  REGISTRY_TTL_MS,
  SANCTION_CHECK_MS,
  SIGNAL_DROP_BYTES,
  SIGNAL_RESUME_BYTES,
  SLOW_CLOSE_BYTES,
  SNAPSHOT_MESSAGES,
  STAFF_CHAT_BURST,
  STAFF_CHAT_RATE_PER_SECOND,
  STAGE_CHECK_MS,
  VOTE_BURST,
  VOTE_RATE_PER_SECOND,
} from '@fanfare/gateway';
import { describe, expect, it } from 'vitest';

const FIXED: Record<string, number> = {
  ASSIGNMENT_HEADROOM,
  UNAVAILABLE_RETRY_AFTER_S,
  REGISTRY_TTL_MS,
  REGISTRY_CACHE_MS,
  MAX_FRAME_BYTES,
  HARD_MAX_PAYLOAD_BYTES,
  SNAPSHOT_MESSAGES,
  RECENT_MESSAGES,
  REACTION_WINDOW_MS,
  PRESENCE_INTERVAL_MS,
  PRESENCE_FRAMES_PER_S,
  PRESENCE_MAX_GAP_MS,
  PRESENCE_JUMP_FRACTION,
  SIGNAL_DROP_BYTES,
  SIGNAL_RESUME_BYTES,
  SLOW_CLOSE_BYTES,
  STAFF_CHAT_RATE_PER_SECOND,
  STAFF_CHAT_BURST,
  REACTION_RATE_PER_SECOND,
  REACTION_BURST,
  VOTE_RATE_PER_SECOND,
  VOTE_BURST,
  SANCTION_CHECK_MS,
  STAGE_CHECK_MS,
  LOG_MAX_ENTRIES,
  LOG_MAX_AGE_MS,
  LOG_DEDUPE_WINDOW_MS,
  REDIS_COMMAND_TIMEOUT_MS,
  NATS_CONNECT_TIMEOUT_MS,
  NATS_RECONNECT_WAIT_MS,
  JWKS_MAX_AGE_S,
  STAFF_TOKEN_TTL_S,
};

const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');

describe('docs/config.md fixed defaults', () => {
  const rows = markdownTable(doc, '## Fixed defaults');

  it('lists exactly these constants with their values', () => {
    const strip = (cell: string | undefined) => cell?.replace(/^`|`$/g, '');
    expect(rows.map(([name, value]) => [strip(name), strip(value)])).toEqual(
      Object.entries(FIXED).map(([name, value]) => [name, String(value)]),
    );
  });

  it('says what share of SHARD_CAPACITY the API fills', () => {
    const percent = Math.round((1 - ASSIGNMENT_HEADROOM) * 100);
    expect(rows[0]?.[2]).toContain(`up to ${percent} % of its \`SHARD_CAPACITY\``);
  });
});
