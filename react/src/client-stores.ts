// What a page shows of one client, kept as external stores for React (`useSyncExternalStore`):
// the chat list and the viewer count. One set per client (`storesFor`), subscribed once for the
// client's life, so a component that mounts later still sees what came before it, and React's
// double effects in strict mode cannot unsubscribe it. Messages pass the spoiler-free gate
// (released when the fan's picture reaches their `ts`; at once without a player). Tombstones
// remove messages, shown or still held; a `lost` continuity clears both (the snapshot's latest
// messages follow).

import type { FanfareClient } from '@fanfare/sdk';
import type { ChatMessage } from '@fanfare/protocol';
import { CHAT_LINES_KEPT, appendMessage, removeMessage } from './chat-list.js';
import { SpoilerFree } from './spoiler-free.js';

export class ChatStore {
  #messages: readonly ChatMessage[] = [];
  #listeners = new Set<() => void>();

  constructor(client: FanfareClient, spoilerFree: SpoilerFree, max = CHAT_LINES_KEPT) {
    const gate = spoilerFree.gate<ChatMessage>((message) =>
      this.#set(appendMessage(this.#messages, message, max)),
    );
    // Never unsubscribed: the store lives exactly as long as its client (see storesFor).
    client.on('continuity', (continuity) => {
      if (continuity !== 'lost') return;
      gate.clear();
      this.#set([]);
    });
    // The fan's own messages show at once (they wrote them: nothing to spoil), in seq order.
    client.on('chat', (message) => {
      if (message.author.id === client.user?.id) {
        this.#set(appendMessage(this.#messages, message, max));
      } else {
        gate.push(message, message.ts);
      }
    });
    client.on('deleted', ({ id }) => {
      gate.drop((held) => held.id === id);
      this.#set(removeMessage(this.#messages, id));
    });
  }

  /** The messages shown now, oldest first; a new array after every change, the same otherwise. */
  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  snapshot = (): readonly ChatMessage[] => this.#messages;

  #set(next: readonly ChatMessage[]): void {
    if (next === this.#messages) return;
    this.#messages = next;
    for (const listener of this.#listeners) listener();
  }
}

/** Viewers now, from the welcome and each `presence` frame; undefined before the first welcome. */
export class ViewerStore {
  #viewers: number | undefined;
  #listeners = new Set<() => void>();

  constructor(client: FanfareClient) {
    client.on('welcome', (welcome) => this.#set(welcome.snapshot.viewers));
    client.on('presence', (presence) => this.#set(presence.viewers));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  snapshot = (): number | undefined => this.#viewers;

  #set(viewers: number): void {
    if (viewers === this.#viewers) return;
    this.#viewers = viewers;
    for (const listener of this.#listeners) listener();
  }
}

export interface ClientStores {
  chat: ChatStore;
  viewers: ViewerStore;
  spoilerFree: SpoilerFree;
}

const stores = new WeakMap<FanfareClient, ClientStores>();

/** The stores of `client`, made on first use; they live as long as the client does. */
export function storesFor(client: FanfareClient): ClientStores {
  let found = stores.get(client);
  if (found === undefined) {
    const spoilerFree = new SpoilerFree(client);
    found = {
      chat: new ChatStore(client, spoilerFree),
      viewers: new ViewerStore(client),
      spoilerFree,
    };
    stores.set(client, found);
  }
  return found;
}
