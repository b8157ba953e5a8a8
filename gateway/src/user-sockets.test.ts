import { describe, expect, it } from 'vitest';
import { UserSockets } from './user-sockets.js';

describe('UserSockets', () => {
  it('lets a user hold up to the cap and hands back the oldest beyond it', () => {
    const sockets = new UserSockets<string>(2);
    expect(sockets.add('u', 'a')).toEqual([]);
    expect(sockets.add('u', 'b')).toEqual([]);
    expect(sockets.add('v', 'x')).toEqual([]);
    expect(sockets.add('u', 'c')).toEqual(['a']);
    expect(sockets.count('u')).toBe(2);
    expect(sockets.count('v')).toBe(1);
  });

  it('forgets closed sockets, so a user under the cap again closes nothing', () => {
    const sockets = new UserSockets<string>(1);
    sockets.add('u', 'a');
    sockets.remove('u', 'a');
    expect(sockets.add('u', 'b')).toEqual([]);
    sockets.remove('u', 'a'); // already gone: nothing happens
    expect(sockets.count('u')).toBe(1);
    expect(sockets.add('u', 'c')).toEqual(['b']);
    sockets.remove('u', 'b'); // let go by add: not counted twice
    expect(sockets.count('u')).toBe(1);
  });
});
