// Polls: compose one (question, 2-5 options, duration) and open it, watch the open poll's tally
// live (bars of the fan page's kind and a chart over time), close it, and see past results.

import { useEffect, useState, type FormEvent } from 'react';
import {
  POLL_DURATION_MAX_S,
  POLL_DURATION_MIN_S,
  POLL_OPTIONS_MAX,
  POLL_OPTIONS_MIN,
} from '@fanfare/protocol';
import { usePoll, useStage } from '@fanfare/react';
import type { Call, ConsolePoll } from './control-api.js';
import { useMay } from './caller.js';
import { TallyChart, type TallyPoint } from './tally-chart.js';

/** Tally points kept per poll for the chart (two a second at most: 20 min of history). */
const POINTS_KEPT = 2400;

export function PollsPanel({ call, eventId }: { call: Call; eventId: string }) {
  const stage = useStage();
  const { poll, tally, shares, total } = usePoll();
  const [polls, setPolls] = useState<ConsolePoll[]>([]);
  const [points, setPoints] = useState<TallyPoint[]>([]);
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState('');
  const [durationS, setDurationS] = useState(120);
  const [error, setError] = useState<string>();

  // The list is re-read whenever the stage moves (a poll opened, closed or was cancelled).
  useEffect(() => {
    call<{ polls: ConsolePoll[] }>('GET', `/v1/events/${eventId}/polls`).then(
      (r) => setPolls(r.polls),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [call, eventId, stage?.version]);

  // One chart point per tally of the open poll; a new poll starts a new series.
  const pollId = poll?.state === 'open' ? poll.id : undefined;
  useEffect(() => setPoints([]), [pollId]);
  useEffect(() => {
    if (!pollId || !tally || tally.pollId !== pollId) return;
    setPoints((p) => [...p, { t: Date.now() / 1000, counts: tally.counts }].slice(-POINTS_KEPT));
  }, [pollId, tally]);

  const open = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const list = options
      .split('\n')
      .map((o) => o.trim())
      .filter(Boolean);
    try {
      await call('POST', `/v1/events/${eventId}/polls`, {
        question: question.trim(),
        options: list,
        durationS,
      });
      setQuestion('');
      setOptions('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const mayManage = useMay('managePolls');
  const close = async (id: string) => {
    setError(undefined);
    try {
      await call('POST', `/v1/events/${eventId}/polls/${id}/close`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="panel" aria-label="Polls">
      <h2>Polls</h2>
      {poll?.state === 'open' ? (
        <div>
          <h3>{poll.question}</h3>
          <ul className="tally" aria-label="Live tally">
            {shares.map((s, i) => (
              <li key={i}>
                {s.label}: <b className="tally-count">{s.votes}</b> ({s.percent}%)
              </li>
            ))}
          </ul>
          <p className="notice">{total} votes so far</p>
          <TallyChart options={poll.options} points={points} />
          {mayManage && (
            <button type="button" onClick={() => void close(poll.id)}>
              Close poll
            </button>
          )}
        </div>
      ) : !mayManage ? (
        <p className="notice">No poll is open.</p>
      ) : (
        <form className="form-grid" onSubmit={(e) => void open(e)} aria-label="New poll">
          <label>
            Question
            <input
              value={question}
              required
              maxLength={200}
              onChange={(e) => setQuestion(e.target.value)}
            />
          </label>
          <label>
            Options (one per line, {POLL_OPTIONS_MIN}-{POLL_OPTIONS_MAX})
            <textarea rows={3} value={options} onChange={(e) => setOptions(e.target.value)} />
          </label>
          <label>
            Duration (seconds)
            <input
              type="number"
              min={POLL_DURATION_MIN_S}
              max={POLL_DURATION_MAX_S}
              value={durationS}
              onChange={(e) => setDurationS(Number(e.target.value))}
            />
          </label>
          <button type="submit">Open poll</button>
        </form>
      )}
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
      <h3>Results</h3>
      <ul className="results" aria-label="Poll results">
        {polls
          .filter((p) => p.state !== 'open')
          .reverse()
          .map((p) => (
            <li key={p.id}>
              {p.question} <span className="badge">{p.state}</span>
              {p.result &&
                ` ${p.options.map((o, i) => `${o}: ${p.result?.counts[i] ?? 0}`).join(', ')}`}
            </li>
          ))}
      </ul>
    </section>
  );
}
