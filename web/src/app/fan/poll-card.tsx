// The poll: its question, one button per option with a live tally bar (updated at most twice a
// second), the fan's own vote, the time left, and the result once the poll closes.

import { formatWait, usePoll } from '@fanfare/react';
import { useNow } from '../use-now.js';

export function PollCard() {
  const { poll, shares, total, myVote, voteError, vote } = usePoll();
  const open = poll?.state === 'open';
  const now = useNow(open, 1000);
  if (!poll || poll.state === 'cancelled') return null;
  const voted = myVote !== undefined;
  const winner = poll.result ? Math.max(...poll.result.counts) : undefined;
  return (
    <section className="poll" aria-label="Poll">
      <h2>{poll.question}</h2>
      <ul className="poll-options">
        {shares.map((s, i) => (
          <li
            key={i}
            className={winner !== undefined && s.votes === winner && winner > 0 ? 'winner' : ''}
          >
            <button
              type="button"
              disabled={!open || voted}
              aria-pressed={myVote === i}
              onClick={() => void vote(i)}
            >
              <span
                className="bar"
                aria-hidden="true"
                ref={(el) => {
                  if (el) el.style.width = `${s.percent}%`;
                }}
              />
              <span className="label">{s.label}</span>
              <span className="share">
                {s.percent}% · {s.votes}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="poll-status" role="status">
        {open
          ? `${total} ${total === 1 ? 'vote' : 'votes'} · closes in ${formatWait(poll.closesAt - now)}`
          : `Result: ${total} ${total === 1 ? 'vote' : 'votes'}`}
        {voted && ` · you voted ${poll.options[myVote]}`}
      </p>
      {voteError && <p className="refusal">{voteError}</p>}
    </section>
  );
}
