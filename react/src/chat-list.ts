// The chat a page shows, as pure functions over an immutable list: append what the SDK delivers
// (already once and in seq order), drop what moderators deleted, keep a bounded tail so a long
// show cannot grow the page without end.

import type { ChatMessage } from '@fanfare/protocol';

/** Messages kept on screen; older ones fall off the top. */
export const CHAT_LINES_KEPT = 200;

/** The list with `message` appended, trimmed to the newest `max`. A seq already held is ignored. */
export function appendMessage(
  list: readonly ChatMessage[],
  message: ChatMessage,
  max = CHAT_LINES_KEPT,
): readonly ChatMessage[] {
  const last = list[list.length - 1];
  // The SDK delivers strictly increasing seqs; after a `lost` continuity the list was cleared.
  if (last !== undefined && message.seq <= last.seq) return list;
  const next = [...list, message];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The list without message `id`; the same list when it does not hold it (a tombstone may name a message never shown). */
export function removeMessage(list: readonly ChatMessage[], id: string): readonly ChatMessage[] {
  const index = list.findIndex((m) => m.id === id);
  return index === -1 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}
