// Limits and fixed sets that both ends of the wire must agree on.

/** Longest chat message, in characters (Unicode code points), after trimming. */
export const CHAT_MAX_CHARS = 500;

/** Longest display name, in characters. */
export const NAME_MAX_CHARS = 40;

/** Longest client correlation reference (`ref`), in characters. */
export const REF_MAX_CHARS = 64;

/** Most taps one `react` frame may carry (clients merge taps locally before sending). */
export const REACT_MAX_COUNT = 50;

/** The reactions a fan may send. Anything else is refused with `unknown_emoji`. */
export const REACTION_EMOJI = ['👏', '🔥', '😂', '😮', '😢', '❤️', '🎉', '👍'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

const EMOJI_SET: ReadonlySet<string> = new Set(REACTION_EMOJI);
export function isReactionEmoji(value: string): value is ReactionEmoji {
  return EMOJI_SET.has(value);
}

/** Event ids are safe in URLs, NATS subjects and Redis keys. */
export const EVENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export function isEventId(value: string): boolean {
  return EVENT_ID_PATTERN.test(value);
}

/** Roles a token may carry. Fans chat and react; moderators and producers also moderate. */
export const ROLES = ['fan', 'moderator', 'producer'] as const;
export type Role = (typeof ROLES)[number];
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Most messages a reconnecting fan is sent to close a gap; further behind is `lost`. */
export const RESUME_MAX_MESSAGES = 5_000;
