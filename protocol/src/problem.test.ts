import { describe, expect, it } from 'vitest';
import { problemBody } from './problem.js';

const TABLE = {
  not_found: { status: 404, title: 'No such thing.' },
  busy: { status: 503, title: 'Try later.' },
} as const;

describe('problemBody', () => {
  it('names the type in the namespace and carries the code, its status and title', () => {
    expect(problemBody('media', TABLE, 'busy', 'the encoder is restarting')).toEqual({
      type: 'urn:fanfare:media:busy',
      title: 'Try later.',
      status: 503,
      code: 'busy',
      detail: 'the encoder is restarting',
    });
  });

  it("uses the code's title as the detail when none is given", () => {
    expect(problemBody('problem', TABLE, 'not_found').detail).toBe('No such thing.');
  });

  it('keeps the field order of the documented body', () => {
    expect(Object.keys(problemBody('problem', TABLE, 'not_found'))).toEqual([
      'type',
      'title',
      'status',
      'code',
      'detail',
    ]);
  });
});
