import { describe, expect, it } from 'vitest';
import { eventFromLocation } from './routes.js';

describe('the event a fan page is for', () => {
  it('comes from /e/<id>, else ?event=, else is the demo event', () => {
    expect(eventFromLocation({ pathname: '/e/the-final', search: '?event=x' })).toBe('the-final');
    expect(eventFromLocation({ pathname: '/', search: '?event=cup&name=Ann' })).toBe('cup');
    expect(eventFromLocation({ pathname: '/', search: '' })).toBe('demo');
  });
});
