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

describe('UserSockets with one socket per user', () => {
  it('keeps a lone socket, grows to a list and back, and never closes a socket twice', () => {
    const sockets = new UserSockets<{ n: number }>(3);
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => ({ n }));
    expect(sockets.add('u', a!)).toEqual([]);
    expect(sockets.add('u', a!)).toEqual([]); // the same socket again changes nothing
    expect(sockets.count('u')).toBe(1);
    expect(sockets.add('u', b!)).toEqual([]);
    sockets.remove('u', a!);
    expect(sockets.count('u')).toBe(1);
    expect(sockets.add('u', c!)).toEqual([]);
    expect(sockets.add('u', d!)).toEqual([]);
    expect(sockets.add('u', { n: 5 })).toEqual([b]);
    for (const s of [c, d]) sockets.remove('u', s!);
    expect(sockets.count('u')).toBe(1);
    sockets.remove('u', { n: 6 }); // never held
    expect(sockets.count('u')).toBe(1);
  });
});
