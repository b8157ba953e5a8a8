// The shards' context manager: a context is active inside `with` (nested ones too) and not after
// it returns or throws, and, by design, not after an `await`.

import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { SyncContextManager } from './sync-context-manager.js';

const key = createContextKey('test');
const a = ROOT_CONTEXT.setValue(key, 'a');
const b = ROOT_CONTEXT.setValue(key, 'b');

describe('SyncContextManager', () => {
  it('makes a context active inside with, nested, and restores the outer one', () => {
    const cm = new SyncContextManager();
    expect(cm.active()).toBe(ROOT_CONTEXT);
    const seen = cm.with(a, () => [cm.active(), cm.with(b, () => cm.active()), cm.active()]);
    expect(seen).toEqual([a, b, a]);
    expect(cm.active()).toBe(ROOT_CONTEXT);
  });

  it('restores the outer context when the callback throws', () => {
    const cm = new SyncContextManager();
    expect(() =>
      cm.with(a, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(cm.active()).toBe(ROOT_CONTEXT);
  });

  it('binds functions to a context and leaves other values alone', () => {
    const cm = new SyncContextManager();
    const bound = cm.bind(a, () => cm.active());
    expect(bound()).toBe(a);
    const value = { x: 1 };
    expect(cm.bind(a, value)).toBe(value);
  });

  it('does not carry the context across an await', async () => {
    const cm = new SyncContextManager();
    const after = await cm.with(a, async () => {
      expect(cm.active()).toBe(a);
      await Promise.resolve();
      return cm.active();
    });
    expect(after).toBe(ROOT_CONTEXT);
  });
});
