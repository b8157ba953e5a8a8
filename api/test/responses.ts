// Reading the API's answers in tests: a JSON body as the type the test expects, and a refusal,
// checked to be problem+json before its body is read as a Problem.

import { PROBLEM_CONTENT_TYPE } from '@fanfare/protocol';
import { expect } from 'vitest';
import type { Problem } from '../src/index.js';

/** The body as `T` (unchecked: the test's assertions check it). */
export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The problem body of a refusal; fails the test unless it is sent as problem+json. */
export async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  return json<Problem>(res);
}
