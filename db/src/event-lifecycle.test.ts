import { describe, expect, it } from 'vitest';
import { canTransition, EVENT_STATES, isEventState, type EventState } from './event-lifecycle.js';

describe('event lifecycle', () => {
  it('allows exactly the documented moves', () => {
    const legal: string[] = [];
    for (const from of EVENT_STATES) {
      for (const to of EVENT_STATES) if (canTransition(from, to)) legal.push(`${from}->${to}`);
    }
    expect(legal.sort()).toEqual(
      [
        'draft->scheduled',
        'scheduled->draft',
        'draft->live',
        'scheduled->live',
        'live->ended',
        'ended->archived',
      ].sort(),
    );
  });

  it('never moves back from live, ended or archived, and archived is final', () => {
    const past: EventState[] = ['draft', 'scheduled'];
    for (const from of ['live', 'ended', 'archived'] as const) {
      for (const to of past) expect(canTransition(from, to), `${from}->${to}`).toBe(false);
    }
    expect(EVENT_STATES.some((to) => canTransition('archived', to))).toBe(false);
  });

  it('recognises states', () => {
    expect(isEventState('live')).toBe(true);
    expect(isEventState('paused')).toBe(false);
    expect(isEventState(undefined)).toBe(false);
  });
});
