import { describe, expect, it } from 'vitest';
import { negotiateSubprotocol } from './version.js';

describe('negotiateSubprotocol', () => {
  it('picks fanfare.v1 when offered', () => {
    expect(negotiateSubprotocol('fanfare.v1')).toEqual({
      version: 1,
      subprotocol: 'fanfare.v1',
      bearer: undefined,
    });
  });

  it('assumes v1 and echoes nothing when no version is offered', () => {
    expect(negotiateSubprotocol('')).toEqual({ version: 1, subprotocol: '', bearer: undefined });
    expect(negotiateSubprotocol('chat, superchat')).toEqual({
      version: 1,
      subprotocol: '',
      bearer: undefined,
    });
  });

  it('refuses when only unknown versions are offered', () => {
    expect(negotiateSubprotocol('fanfare.v9')).toBeUndefined();
    expect(negotiateSubprotocol('fanfare.v9, fanfare.v1')?.subprotocol).toBe('fanfare.v1');
  });

  it('extracts a bearer token and never picks it as the protocol', () => {
    expect(negotiateSubprotocol('fanfare.v1, fanfare.bearer.aaa.bbb.ccc')).toEqual({
      version: 1,
      subprotocol: 'fanfare.v1',
      bearer: 'aaa.bbb.ccc',
    });
  });
});
