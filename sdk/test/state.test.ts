import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  canTransition,
  closeRetryPolicy,
  transition,
} from '../src/index.js';

describe('client state machine', () => {
  it('allows the connection lifecycle', () => {
    let state = transition('idle', 'connecting');
    state = transition(state, 'open');
    state = transition(state, 'waiting');
    state = transition(state, 'connecting');
    state = transition(state, 'waiting');
    state = transition(state, 'closed');
    expect(state).toBe('closed');
  });

  it('rejects moves that skip a step or leave closed', () => {
    expect(() => transition('idle', 'open')).toThrow(IllegalTransitionError);
    expect(() => transition('waiting', 'open')).toThrow(IllegalTransitionError);
    expect(() => transition('open', 'connecting')).toThrow(IllegalTransitionError);
    for (const to of ['idle', 'connecting', 'open', 'waiting', 'closed'] as const) {
      expect(canTransition('closed', to)).toBe(false);
    }
  });
});

describe('closeRetryPolicy', () => {
  it('reads the protocol table, then the documented ranges', () => {
    expect(closeRetryPolicy(1000)).toBe('final');
    expect(closeRetryPolicy(1006)).toBe('reconnect');
    expect(closeRetryPolicy(4000)).toBe('reconnect');
    expect(closeRetryPolicy(4002)).toBe('reconnect');
    expect(closeRetryPolicy(4400)).toBe('reconnect'); // unknown, transient range
    expect(closeRetryPolicy(4600)).toBe('final'); // unknown, final range
    expect(closeRetryPolicy(1011)).toBe('reconnect');
  });
});
