// Decoding of the `qoe` client frame (see qoe.ts); called by decodeClientMessage. Wrong types and
// missing fields are `invalid_frame`; a number of the right type outside its bounds is
// `qoe_out_of_range`, so a player with a clock or unit bug is told which.

import type { ClientMessage } from './messages.js';
import {
  QOE_DURATION_MS_MAX,
  QOE_LABEL_MAX_CHARS,
  QOE_LATENCY_MS_MAX,
  QOE_WATCH_MS_MAX,
  isQoeKind,
  isQoeTier,
  type QoeBeacon,
} from './qoe.js';
import { fail, type Decoded, type Fields } from './decoding.js';

type Checked<T> = { ok: true; value: T | undefined } | { ok: false; error: Decoded<never> };

function number(o: Fields, field: string, max: number, required: boolean): Checked<number> {
  const value = o[field];
  if (value === undefined) {
    return required
      ? { ok: false, error: fail('invalid_frame', `\`${field}\` is required for this kind`) }
      : { ok: true, value: undefined };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, error: fail('invalid_frame', `\`${field}\` must be a finite number`) };
  }
  if (value < 0 || value > max) {
    return { ok: false, error: fail('qoe_out_of_range', `\`${field}\` must be from 0 to ${max}`) };
  }
  return { ok: true, value: Math.round(value) };
}

function label(o: Fields, field: string, required: boolean): Checked<string> {
  const value = o[field];
  if (value === undefined && !required) return { ok: true, value: undefined };
  if (typeof value !== 'string' || value.length === 0 || value.length > QOE_LABEL_MAX_CHARS) {
    const need = required ? ' (required for this kind)' : '';
    return {
      ok: false,
      error: fail(
        'invalid_frame',
        `\`${field}\` must be a string of 1-${QOE_LABEL_MAX_CHARS} characters${need}`,
      ),
    };
  }
  return { ok: true, value };
}

/** Decodes a `qoe` frame; a refusal echoes the frame's `ref` if it had one. */
export function decodeQoe(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  const decoded = decodeBeacon(o);
  if (!decoded.ok && ref !== undefined) decoded.error.ref = ref;
  return decoded;
}

function decodeBeacon(o: Fields): Decoded<ClientMessage> {
  if (!isQoeKind(o.kind)) return fail('invalid_frame', '`kind` names no QoE beacon kind');
  if (!isQoeTier(o.tier)) return fail('invalid_frame', '`tier` must be `ll-hls` or `webrtc`');
  const kind = o.kind;
  const value: QoeBeacon = { type: 'qoe', kind, tier: o.tier };
  const checks = [
    ['rendition', label(o, 'rendition', false)],
    ['latencyMs', number(o, 'latencyMs', QOE_LATENCY_MS_MAX, false)],
    ['vstMs', number(o, 'vstMs', QOE_DURATION_MS_MAX, kind === 'video_start')],
    ['durationMs', number(o, 'durationMs', QOE_DURATION_MS_MAX, kind === 'rebuffer_end')],
    ['watchMs', number(o, 'watchMs', QOE_WATCH_MS_MAX, kind === 'playing')],
    ['code', label(o, 'code', kind === 'fatal')],
    ['reason', label(o, 'reason', kind === 'tier_fallback')],
  ] as const;
  for (const [field, checked] of checks) {
    if (!checked.ok) return checked.error;
    if (checked.value !== undefined) (value as unknown as Fields)[field] = checked.value;
  }
  return { ok: true, value };
}
