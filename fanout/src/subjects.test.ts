import { describe, expect, it } from 'vitest';
import { createSubjects } from './subjects.js';

describe('createSubjects', () => {
  it('names one JetStream stream per event, with no dots, whose subject is the log subject', () => {
    const subjects = createSubjects('fanfare.prod');
    expect(subjects.log('final-2026')).toBe('fanfare.prod.ev.final-2026.log');
    expect(subjects.logStream('final-2026')).toBe('fanfare_prod_ev_final-2026');
    expect(subjects.logStream('other')).not.toBe(subjects.logStream('final-2026'));
  });

  it('refuses an event id that could escape its subject or stream name', () => {
    const subjects = createSubjects();
    for (const bad of ['a.b', 'a*', '>', 'a b', 'a/b', ''])
      expect(() => subjects.logStream(bad)).toThrow(TypeError);
  });
});
