import { describe, expect, it } from 'vitest';
import { CONTROL_ROLES, may, type Caller, type StaffRole } from './caller.js';

const as = (role: StaffRole): Caller => ({ id: 'x', role, name: 'x', eventId: null, via: 'token' });

describe('console controls by role', () => {
  it('offers each role only what its routes accept', () => {
    const offered = (role: StaffRole) =>
      (Object.keys(CONTROL_ROLES) as Array<keyof typeof CONTROL_ROLES>).filter((c) =>
        may(as(role), c),
      );
    expect(offered('producer')).toEqual([
      'manageEvents',
      'streamKey',
      'managePolls',
      'moderate',
      'prewarm',
    ]);
    expect(offered('moderator')).toEqual(['moderate']);
    expect(offered('sre')).toEqual(['prewarm']);
  });

  it('shows every control while the caller is unknown (the API still refuses)', () => {
    for (const control of Object.keys(CONTROL_ROLES) as Array<keyof typeof CONTROL_ROLES>) {
      expect(may(undefined, control)).toBe(true);
    }
  });
});
