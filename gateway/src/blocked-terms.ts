// Blocked chat terms, compiled once per stage change into one case-insensitive regular
// expression, so a check costs one scan of the message whatever the number of terms. Terms match
// whole words: `word` exactly, `word*` as a prefix, `*word` as a suffix, `*word*` anywhere inside
// a word. A word is a run of letters, digits and underscores in any script.

/** Characters that make up a word; anything else separates words. */
const WORD = '[\\p{L}\\p{N}\\p{M}_]';

/** A compiled set of blocked terms. */
export interface BlockedTerms {
  /** How many usable terms were compiled (empty and bare `*` terms are skipped). */
  readonly size: number;
  /** The first blocked term found in `text`, as written in the list, or undefined. */
  find(text: string): string | undefined;
}

const NONE: BlockedTerms = { size: 0, find: () => undefined };

function escape(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

export function compileBlockedTerms(terms: readonly string[]): BlockedTerms {
  const usable: { term: string; source: string }[] = [];
  for (const raw of terms) {
    const term = raw.trim();
    const prefix = term.endsWith('*');
    const suffix = term.startsWith('*');
    const core = term.replace(/^\*/, '').replace(/\*$/, '').trim();
    if (core.length === 0) continue;
    const before = suffix ? `${WORD}*` : '';
    const after = prefix ? `${WORD}*` : '';
    usable.push({ term: raw, source: `${before}${escape(core)}${after}` });
  }
  if (usable.length === 0) return NONE;
  // One capturing group per term, so the match says which term it was.
  const pattern = new RegExp(
    `(?<!${WORD})(?:${usable.map((u) => `(${u.source})`).join('|')})(?!${WORD})`,
    'iu',
  );
  return {
    size: usable.length,
    find(text) {
      const match = pattern.exec(text);
      if (!match) return undefined;
      const index = match.slice(1).findIndex((group) => group !== undefined);
      return usable[index]?.term;
    },
  };
}
