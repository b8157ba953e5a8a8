// Moderation on the live chat: every message as fans see it, with delete, pin, time out and ban
// (the reason typed once above the list goes with each action), and the pin with its unpin.
// Deletions reach fans as tombstones; this view drops the message the same way.

import { useState } from 'react';
import { useChat } from '@fanfare/react';
import type { Call } from './control-api.js';
import { useMay } from './caller.js';

const TIMEOUTS_S = [60, 300, 3600];

export function ModerationPanel({ call, eventId }: { call: Call; eventId: string }) {
  const { messages, pinned } = useChat();
  const [reason, setReason] = useState('');
  const [timeoutS, setTimeoutS] = useState(300);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const act = async (what: string, method: string, path: string, body?: unknown) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await call(method, `/v1/events/${eventId}${path}`, body);
      setNotice(what);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const why = reason.trim() ? { reason: reason.trim() } : {};
  // An SRE reads the chat here but may not moderate it.
  const mayModerate = useMay('moderate');

  return (
    <section className="panel" aria-label="Moderation">
      <h2>Live chat</h2>
      {mayModerate && (
        <div className="row">
          <label htmlFor="mod-reason">Reason</label>
          <input
            id="mod-reason"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <label htmlFor="mod-timeout">Timeout</label>
          <select
            id="mod-timeout"
            value={timeoutS}
            onChange={(e) => setTimeoutS(Number(e.target.value))}
          >
            {TIMEOUTS_S.map((s) => (
              <option key={s} value={s}>
                {s < 3600 ? `${s / 60} min` : `${s / 3600} h`}
              </option>
            ))}
          </select>
        </div>
      )}
      {pinned && (
        <p className="pinned">
          📌 {pinned.text}{' '}
          {mayModerate && (
            <button
              type="button"
              className="secondary"
              onClick={() => void act('Unpinned', 'DELETE', '/pin')}
            >
              Unpin
            </button>
          )}
        </p>
      )}
      <ol className="mod-list" aria-label="Live chat messages">
        {messages.map((m) => (
          <li key={m.id} data-id={m.id}>
            <span className="msg">
              <b className={m.author.role === 'fan' ? 'author' : 'author staff'}>{m.author.name}</b>
              <span className="text">{m.text}</span>
            </span>
            {mayModerate && (
              <span className="actions">
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete message from ${m.author.name}: ${m.text}`}
                  onClick={() =>
                    void act('Deleted', 'DELETE', `/messages/${m.id}`, why.reason ? why : undefined)
                  }
                >
                  Delete
                </button>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Pin message from ${m.author.name}: ${m.text}`}
                  onClick={() => void act('Pinned', 'PUT', '/pin', { msgId: m.id })}
                >
                  Pin
                </button>
                {m.author.role === 'fan' && (
                  <>
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Time out ${m.author.name}`}
                      onClick={() =>
                        void act(`${m.author.name} timed out`, 'POST', '/sanctions', {
                          userId: m.author.id,
                          kind: 'timeout',
                          durationS: timeoutS,
                          ...why,
                        })
                      }
                    >
                      Time out
                    </button>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Ban ${m.author.name}`}
                      onClick={() =>
                        void act(`${m.author.name} banned`, 'POST', '/sanctions', {
                          userId: m.author.id,
                          kind: 'ban',
                          ...why,
                        })
                      }
                    >
                      Ban
                    </button>
                  </>
                )}
              </span>
            )}
          </li>
        ))}
      </ol>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
