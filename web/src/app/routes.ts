// Which event a fan page is for, from its address: `/e/<id>`, else `?event=<id>`, else `demo`.

/** The event every fresh engine serves. */
export const DEFAULT_EVENT_ID = 'demo';

export function eventFromLocation(where: { pathname: string; search: string }): string {
  const path = /^\/e\/([^/]+)\/?$/.exec(where.pathname)?.[1];
  if (path) return decodeURIComponent(path);
  return new URLSearchParams(where.search).get('event') || DEFAULT_EVENT_ID;
}
