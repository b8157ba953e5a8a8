import { describe, expect, it } from 'vitest';
import type { ConsoleEvent } from './control-api.js';
import { rulesChange } from './rules-panel.js';

const event: ConsoleEvent = {
  id: 'cup',
  title: 'The Cup',
  state: 'live',
  startsAt: null,
  slowModeS: 10,
  entitledOnlyChat: false,
  blockedTerms: ['spoiler', 'goal*'],
  chatCapPerSec: null,
  version: 3,
};
const same = { slow: '10', entitledOnly: false, terms: 'spoiler, goal*', cap: '' };

describe('rulesChange', () => {
  it('sends nothing when the form holds the event’s rules', () => {
    expect(rulesChange(event, same)).toEqual({});
    expect(rulesChange(event, { ...same, terms: ' spoiler ,goal*, ' })).toEqual({});
  });

  it('sends only what was edited, so a role sends only the rules it may set', () => {
    // An SRE may set only the cap; a moderator never sends it unless edited.
    expect(rulesChange(event, { ...same, cap: '250' })).toEqual({ chatCapPerSec: 250 });
    expect(rulesChange(event, { ...same, slow: '', entitledOnly: true })).toEqual({
      slowModeS: null,
      entitledOnlyChat: true,
    });
    expect(rulesChange(event, { ...same, terms: 'spoiler' })).toEqual({
      blockedTerms: ['spoiler'],
    });
  });

  it('clears the cap back to the default with an empty field', () => {
    expect(rulesChange({ ...event, chatCapPerSec: 250 }, same)).toEqual({ chatCapPerSec: null });
  });
});
