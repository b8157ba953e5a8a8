// Reactions: one button per emoji of the fixed set, and the bursts floating up from every fan's
// taps (the server's sum per window, the fan's own included).

import { useReactions } from '@fanfare/react';

export function ReactionBar() {
  const { emoji, react, bursts } = useReactions();
  return (
    <section className="reactions" aria-label="Reactions">
      <div className="bursts" aria-hidden="true">
        {bursts.map((b) => (
          <span
            key={b.id}
            className="burst"
            ref={(el) => {
              // Positioned through the CSSOM (not a style attribute), which the CSP allows.
              if (el) el.style.left = `${b.left}%`;
            }}
          >
            {b.emoji}
            {b.count > 1 && <small>×{b.count}</small>}
          </span>
        ))}
      </div>
      <div className="reaction-buttons">
        {emoji.map((e) => (
          <button key={e} type="button" aria-label={`React ${e}`} onClick={() => react(e)}>
            {e}
          </button>
        ))}
      </div>
    </section>
  );
}
