// The event log's spans (JetStream only, and only when the process traces): one PRODUCER span per
// append, whose W3C context rides in the JetStream message's NATS headers, and one CONSUMER span
// per entry a process's follower delivers, a child of the append's span, wrapping every local
// handler (the room encodes once and hands the bytes to uWS for all its fans). So a chat message
// appended by one shard and delivered by others is one trace, with one span per shard, never one
// per fan. Without a tracer the log calls none of this. An append the sampler drops carries no
// context and its deliveries get no span: a delivery is traced only as part of a sampled publish
// (so a 1 % sampler costs the other 99 % one span start on append and one header read on delivery).

import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import type { LogEntry } from './event-log.js';
import { contextFromTraceparent, natsTraceHeaders } from './tracing.js';

/** Span names: the operation and what it moves, as OTel's messaging conventions name them. */
export const LOG_APPEND_SPAN = 'event-log publish';
export const LOG_DELIVER_SPAN = 'event-log deliver';

/** Whether a W3C `traceparent` (`00-<trace>-<span>-<flags>`) has its sampled flag set. */
export function sampled(traceparent: string): boolean {
  return traceparent.length === 55 && (Number.parseInt(traceparent.slice(53), 16) & 1) === 1;
}

export class EventLogTracing {
  #tracer: Tracer;

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  /** Runs `publish` inside an append span, handing it headers that carry the span's context. */
  async append<T extends { seq: number; duplicate: boolean }>(
    subject: string,
    eventId: string,
    msgId: string,
    publish: (headers: MsgHdrs | undefined) => Promise<T>,
  ): Promise<T> {
    const span = this.#tracer.startSpan(LOG_APPEND_SPAN, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.destination.name': subject,
        'messaging.message.id': msgId,
        'fanfare.event.id': eventId,
      },
    });
    if (!span.isRecording()) {
      // Not sampled: nothing to continue, so no context in the headers (no delivery spans).
      span.end();
      return publish(undefined);
    }
    const ctx = trace.setSpan(context.active(), span);
    const headers = natsHeaders();
    natsTraceHeaders(headers, ctx);
    try {
      const ack = await context.with(ctx, () => publish(headers));
      span.setAttributes({ 'fanfare.log.seq': ack.seq, 'fanfare.log.duplicate': ack.duplicate });
      return ack;
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Runs `deliver` (every local handler of one entry) inside a delivery span when the entry's
   * headers name a sampled trace; otherwise just runs it (no span, nothing parsed further).
   */
  deliver(
    subject: string,
    eventId: string,
    entry: LogEntry,
    headers: MsgHdrs | undefined,
    deliver: () => void,
  ): void {
    const traceparent = headers?.get('traceparent') ?? '';
    if (!sampled(traceparent)) return deliver();
    const span = this.#tracer.startSpan(
      LOG_DELIVER_SPAN,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': subject,
          'messaging.message.id': entry.msgId,
          'fanfare.event.id': eventId,
          'fanfare.log.seq': entry.seq,
        },
      },
      contextFromTraceparent(traceparent, headers?.get('tracestate') ?? ''),
    );
    try {
      context.with(trace.setSpan(context.active(), span), deliver);
    } finally {
      span.end();
    }
  }
}
