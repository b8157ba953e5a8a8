// Chat for a component: the messages shown (tombstones removed), the pin, sending with the
// refusal explained, and slow mode's countdown. The SDK resends a message refused with a
// `retry-after` code by itself (rate limit, slow mode, timeout); `chatDelayed` tells us so the fan
// sees why it waits instead of a message that seems stuck.

import { useCallback, useState, useSyncExternalStore } from 'react';
import type { ChatMessage, PinView } from '@fanfare/protocol';
import { ChatRefusedError, ClientClosedError } from '@fanfare/sdk';
import { chatRefusal, closedRefusal, type ChatRefusal } from './chat-refusal.js';
import { storesFor } from './client-stores.js';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';
import { useStage } from './use-stage.js';

export interface Chat {
  /** Messages shown, oldest first (at most CHAT_LINES_KEPT); deleted ones removed. */
  messages: readonly ChatMessage[];
  pinned: PinView | null;
  /** Seconds between one fan's messages while slow mode is on; null when off. */
  slowModeS: number | null;
  /**
   * Sends `text`; resolves true once stored, false when refused for good (see `refusal`).
   * Messages go out one at a time, in call order.
   */
  send(text: string): Promise<boolean>;
  /** Messages sent and not yet stored or refused. */
  sending: number;
  /** Why the fan cannot chat right now, until it passes or the next message is stored. */
  refusal: ChatRefusal | undefined;
  /** Slow mode's wait after the fan's own message, ms on `Date.now()`; undefined when none. */
  nextAllowedAt: number | undefined;
}

export function useChat(): Chat {
  const client = useFanfare();
  const store = storesFor(client).chat;
  const messages = useSyncExternalStore(store.subscribe, store.snapshot);
  const stage = useStage();
  const [sending, setSending] = useState(0);
  const [refusal, setRefusal] = useState<ChatRefusal>();
  const [nextAllowedAt, setNextAllowedAt] = useState<number>();
  const slowModeS = stage?.slowModeS ?? null;

  useClientEvent('chatDelayed', (delay) =>
    setRefusal(chatRefusal(delay.code, delay.message, Date.now(), delay.waitMs, true)),
  );
  useClientEvent('closed', ({ code, reason }) => setRefusal(closedRefusal(code, reason)));

  const send = useCallback(
    async (text: string): Promise<boolean> => {
      setSending((n) => n + 1);
      try {
        await client.sendChat(text);
        setRefusal((r) => (r?.code === 'banned' || r?.code === 'closed' ? r : undefined));
        const slow = client.stage?.slowModeS;
        setNextAllowedAt(slow ? Date.now() + slow * 1000 : undefined);
        return true;
      } catch (err) {
        if (err instanceof ChatRefusedError) {
          setRefusal(chatRefusal(err.code, err.message, Date.now(), err.retryAfterMs, false));
        } else if (err instanceof ClientClosedError) {
          setRefusal((r) => r ?? closedRefusal(err.closeCode, err.message));
        } else {
          throw err;
        }
        return false;
      } finally {
        setSending((n) => n - 1);
      }
    },
    [client],
  );

  return {
    messages,
    pinned: stage?.pinned ?? null,
    slowModeS,
    send,
    sending,
    refusal,
    nextAllowedAt,
  };
}
