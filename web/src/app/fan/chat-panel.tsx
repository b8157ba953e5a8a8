// Chat: the pin, the messages (text only: React escapes every string, and nothing here sets
// HTML), the message box, and why a message waits or was refused, with a live countdown when
// waiting ends it (slow mode, rate limit, timeout).

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { CHAT_MAX_CHARS } from '@fanfare/protocol';
import { formatWait, useChat } from '@fanfare/react';
import { useNow } from '../use-now.js';
import { SpoilerToggle } from './spoiler-toggle.js';

export function ChatPanel() {
  const { messages, pinned, send, sending, refusal, nextAllowedAt, slowModeS } = useChat();
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const countingDown =
    (refusal?.until !== undefined && refusal.until > Date.now()) ||
    (nextAllowedAt !== undefined && nextAllowedAt > Date.now());
  const now = useNow(countingDown);

  // Keep the newest message in view unless the fan scrolled up to read.
  useEffect(() => {
    const el = list.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 120)
      el.scrollTop = el.scrollHeight;
  }, [messages]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return;
    setText('');
    void send(trimmed);
  };

  const refusalWait = refusal?.until !== undefined ? refusal.until - now : 0;
  const slowWait = nextAllowedAt !== undefined ? nextAllowedAt - now : 0;
  const blocked = refusal?.code === 'banned' || refusal?.code === 'closed';
  return (
    <section className="chat" aria-label="Chat">
      {pinned && (
        <div className="pinned" aria-label="Pinned message">
          <span className="pin-mark" aria-hidden="true">
            📌
          </span>
          {pinned.authorName && <b>{pinned.authorName}</b>}
          <span>{pinned.text}</span>
        </div>
      )}
      <SpoilerToggle />
      <ol className="messages" ref={list} aria-live="polite" aria-label="Chat messages">
        {messages.map((m) => (
          <li key={m.id} data-id={m.id} data-ts={m.ts}>
            <b className={m.author.role === 'fan' ? 'author' : 'author staff'}>{m.author.name}</b>
            <span className="text">{m.text}</span>
          </li>
        ))}
      </ol>
      {refusal && (refusal.until === undefined || refusalWait > 0 || refusal.pending) && (
        <p className={`refusal refusal-${refusal.code}`} role="alert">
          {refusal.text}
          {refusal.until !== undefined && refusalWait > 0 && (
            <>
              {' '}
              {refusal.pending ? 'Your message goes out in' : 'You can chat again in'}{' '}
              <span className="countdown">{formatWait(refusalWait)}</span>.
            </>
          )}
        </p>
      )}
      {!refusal && slowModeS !== null && (
        <p className="slow-mode" role="status">
          Slow mode: one message every {slowModeS} s
          {slowWait > 0 && (
            <>
              {' '}
              · next in <span className="countdown">{formatWait(slowWait)}</span>
            </>
          )}
        </p>
      )}
      <form className="chat-form" onSubmit={submit}>
        <label htmlFor="chat-text" className="visually-hidden">
          Message
        </label>
        <input
          id="chat-text"
          value={text}
          maxLength={CHAT_MAX_CHARS}
          placeholder="Say something"
          autoComplete="off"
          disabled={blocked}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" disabled={blocked || text.trim() === ''}>
          Send
        </button>
      </form>
      {sending > 0 && !refusal && <p className="sending">Sending…</p>}
    </section>
  );
}
