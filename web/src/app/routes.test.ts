import { describe, expect, it } from 'vitest';
import { delayFromLocation, eventFromLocation } from './routes.js';

describe('the event a fan page is for', () => {
  it('comes from /e/<id>, else ?event=, else is the demo event', () => {
    expect(eventFromLocation({ pathname: '/e/the-final', search: '?event=x' })).toBe('the-final');
    expect(eventFromLocation({ pathname: '/', search: '?event=cup&name=Ann' })).toBe('cup');
    expect(eventFromLocation({ pathname: '/', search: '' })).toBe('demo');
  });
});

describe('the delay behind live a fan page aims at', () => {
  it('comes from ?delay=<ms> within 500 ms to 30 s, else is left to the playlist', () => {
    expect(delayFromLocation({ search: '?delay=3000&name=Ann' })).toBe(3000);
    expect(delayFromLocation({ search: '?delay=500' })).toBe(500);
    for (const search of ['', '?delay=', '?delay=499', '?delay=30001', '?delay=1e3', '?delay=-1']) {
      expect(delayFromLocation({ search })).toBeUndefined();
    }
  });
});
