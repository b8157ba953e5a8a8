// W3C trace context on the upgrade: the query parameter that carries a `traceparent` to a shard.
// The API's join puts its span's context in the `gatewayUrl` it answers (only when it traces);
// clients keep the URL's query as they find it, so the shard's upgrade span continues the join's
// trace without any client code. A `traceparent` header on the upgrade (a Node client, a tracing
// proxy) takes precedence. Browsers cannot set headers on a WebSocket upgrade, hence the query.

/** The upgrade's query parameter holding a W3C `traceparent` (docs/protocol.md). */
export const TRACEPARENT_PARAM = 'traceparent';
