// Which characters text may hold, decided once for every place text enters Fanfare: chat and
// party chat frames (the gateway's decoder), and display names, titles, poll questions and
// options, pins, reasons and credential names (the API's schemas). The rule is data
// (TEXT_CLASSES), mirrored by the "Text" table of docs/protocol.md and held there by a test.
// Trade-off: refusing is clearer than silently dropping characters, so only characters with one
// obvious meaning (tab, line-break variants) are rewritten; everything else is kept as sent,
// in Unicode NFC, or the text is refused whole.

/** `line`: names, titles, questions, options. `multiline`: chat, pins, reasons. */
export type TextKind = 'line' | 'multiline';

/** What the policy does with a class: `replace` rewrites it, `refuse` refuses the whole text. */
export type TextAction = 'replace' | 'refuse' | 'refuse-in-line';

interface TextClass {
  /** Inclusive code point ranges. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly action: TextAction;
  readonly description: string;
}

// U+nFFFE and U+nFFFF in every plane, and the block U+FDD0-U+FDEF.
const NONCHARACTERS: (readonly [number, number])[] = [[0xfdd0, 0xfdef]];
for (let plane = 0; plane <= 0x10; plane++) {
  NONCHARACTERS.push([plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff]);
}

/**
 * The classes of characters the policy acts on. Every character not listed is accepted as sent,
 * after normalisation to NFC. Trimming (leading and trailing white space) follows.
 */
export const TEXT_CLASSES = {
  tab: { ranges: [[0x09, 0x09]], action: 'replace', description: 'Becomes a space.' },
  line_break: {
    ranges: [
      [0x0a, 0x0a],
      [0x0d, 0x0d],
      [0x2028, 0x2029],
    ],
    action: 'refuse-in-line',
    description:
      'In chat, pins and reasons: CR LF, CR, U+2028 and U+2029 become LF, and more than two line feeds in a row become two. Elsewhere: refused.',
  },
  control: {
    ranges: [
      [0x00, 0x08],
      [0x0b, 0x0c],
      [0x0e, 0x1f],
      [0x7f, 0x9f],
    ],
    action: 'refuse',
    description: 'C0 and C1 control characters (NUL among them) and DEL.',
  },
  bidi_control: {
    ranges: [
      [0x202a, 0x202e],
      [0x2066, 0x2069],
    ],
    action: 'refuse',
    description:
      'Bidi embeddings, overrides and isolates, which can reverse the text shown after them. (The marks U+200E, U+200F and U+061C are accepted.)',
  },
  lone_surrogate: {
    ranges: [[0xd800, 0xdfff]],
    action: 'refuse',
    description: 'A UTF-16 surrogate not part of a pair (a `\\ud800` escape in JSON).',
  },
  noncharacter: {
    ranges: NONCHARACTERS,
    action: 'refuse',
    description:
      'Unicode noncharacters: U+FDD0 to U+FDEF and the last two code points of every plane.',
  },
} as const satisfies Record<string, TextClass>;

export type TextClassName = keyof typeof TEXT_CLASSES;

/**
 * Characters that show nothing on their own. Text made only of these and white space is refused as
 * empty; inside visible text they are kept (emoji sequences need U+200D, Persian needs U+200C).
 */
export const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5], // Khmer inherent vowels
  [0x180b, 0x180f], // Mongolian variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x2060, 0x2064], // word joiner, invisible operators
  [0x206a, 0x206f], // deprecated format characters
  [0x2800, 0x2800], // braille blank
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xffa0, 0xffa0], // halfwidth Hangul filler
  [0x1d173, 0x1d17a], // musical formatting
  [0xe0000, 0xe007f], // tags
  [0xe0100, 0xe01ef], // variation selectors supplement
];

export type TextRefusal = TextClassName | 'empty';

export type TextResult =
  { ok: true; text: string } | { ok: false; refusal: TextRefusal; message: string };

function hex(cp: number): string {
  return 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
}

function charClass(ranges: readonly (readonly [number, number])[]): string {
  return ranges
    .map(([lo, hi]) =>
      lo === hi ? `\\u{${hex(lo).slice(2)}}` : `\\u{${hex(lo).slice(2)}}-\\u{${hex(hi).slice(2)}}`,
    )
    .join('');
}

const REFUSED_CLASSES = (Object.keys(TEXT_CLASSES) as TextClassName[]).filter(
  (name) => TEXT_CLASSES[name].action === 'refuse',
);
/** Any character refused in every kind of text; one scan on the common path. */
const REFUSED = new RegExp(
  `[${REFUSED_CLASSES.map((name) => charClass(TEXT_CLASSES[name].ranges)).join('')}]`,
  'u',
);
const CLASS_TESTS = REFUSED_CLASSES.map(
  (name) => [name, new RegExp(`^[${charClass(TEXT_CLASSES[name].ranges)}]$`, 'u')] as const,
);
const LINE_BREAK = new RegExp(`[${charClass(TEXT_CLASSES.line_break.ranges)}]`, 'u');
const LINE_BREAKS = /\r\n?|[\u2028\u2029]/g;
const BLANK_RUN = /\n{3,}/g;
const TABS = /\t/g;
const VISIBLE = new RegExp(`[^\\s${charClass(INVISIBLE_RANGES)}]`, 'u');
/** Printable ASCII only: nothing to refuse, replace or normalise (the common chat line). */
const PLAIN = /^[\x20-\x7e]*$/;

function refusal(name: TextClassName, cp: number): TextResult {
  return { ok: false, refusal: name, message: `holds ${hex(cp)} (${name.replace('_', ' ')})` };
}

/**
 * Applies the policy: refuses text holding a `refuse` class (and a line break in `line` text),
 * rewrites tabs and line breaks, normalises to NFC, trims, and refuses text with nothing visible
 * (`empty`). Length limits are the caller's, counted on the returned text. Never throws.
 */
export function checkText(raw: string, kind: TextKind): TextResult {
  if (PLAIN.test(raw)) {
    const text = raw.trim();
    return text.length > 0
      ? { ok: true, text }
      : { ok: false, refusal: 'empty', message: 'is empty' };
  }
  const bad = REFUSED.exec(raw);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    const name = CLASS_TESTS.find(([, test]) => test.test(bad[0]))?.[0] ?? 'control';
    return refusal(name, cp);
  }
  let text = raw.replace(TABS, ' ');
  if (kind === 'line') {
    const lineBreak = LINE_BREAK.exec(text);
    if (lineBreak) return refusal('line_break', lineBreak[0].codePointAt(0) ?? 0);
  } else {
    text = text.replace(LINE_BREAKS, '\n').replace(BLANK_RUN, '\n\n');
  }
  text = text.normalize('NFC').trim();
  if (!VISIBLE.test(text)) {
    return { ok: false, refusal: 'empty', message: 'holds no visible character' };
  }
  return { ok: true, text };
}
