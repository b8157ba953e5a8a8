// One page shape and one limit rule for every list the repositories serve, so the API can turn
// any of them into the same `?limit=&cursor=` contract. Keyset paging (a cursor on an indexed
// column), never OFFSET: pages stay cheap deep into a table and stable while rows are added.

import { DbError } from './db-error.js';

/** Rows per page when the caller does not say. */
export const DEFAULT_PAGE_LIMIT = 50;
/** Most rows one page may ask for; larger limits are refused, not silently clamped. */
export const MAX_PAGE_LIMIT = 500;

/**
 * A slice of an ordered list. `next` is the cursor for the following page, absent when this page
 * reached the end (the repository read one row past the limit to know).
 */
export interface Page<T, Cursor> {
  items: T[];
  next: Cursor | undefined;
}

/** The limit to use, or `invalid_argument` when it is not an integer in 1..MAX_PAGE_LIMIT. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new DbError('invalid_argument', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, {
      details: { limit },
    });
  }
  return limit;
}
