// The chat a page shows, as pure functions over an immutable list: add what the SDK delivers
// (once each; in seq order, or released out of it by spoiler-free chat), drop what moderators deleted, keep a bounded tail so a long
// show cannot grow the page without end.

import type { ChatMessage } from '@fanfare/protocol';

/** Messages kept on screen; older ones fall off the top. */
export const CHAT_LINES_KEPT = 200;

/**
 * The list with `message` in seq order (appended, as the SDK delivers them, or in its place when
 * it comes after a later one: spoiler-free chat shows the fan's own message at once and others'
 * earlier ones when the picture reaches them), trimmed to the newest `max`. A seq already held is
 * ignored (the same list).
 */
export function appendMessage(
  list: readonly ChatMessage[],
  message: ChatMessage,
  max = CHAT_LINES_KEPT,
): readonly ChatMessage[] {
  let at = list.length;
  while (at > 0 && list[at - 1]!.seq > message.seq) at--;
  if (at > 0 && list[at - 1]!.seq === message.seq) return list;
  const next = [...list.slice(0, at), message, ...list.slice(at)];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The list without message `id`; the same list when it does not hold it (a tombstone may name a message never shown). */
export function removeMessage(list: readonly ChatMessage[], id: string): readonly ChatMessage[] {
  const index = list.findIndex((m) => m.id === id);
  return index === -1 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}
