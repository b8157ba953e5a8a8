// Text fields of request bodies under the one text policy of @fanfare/protocol (the gateway's
// chat decoder applies the same): a refused character is an issue marked TEXT_ISSUE, which
// `bodyError` (problem.ts) turns into `invalid_text`; empty text and lengths stay `invalid_body`.

import { z } from '@hono/zod-openapi';
import { charLength, checkText, type TextKind } from '@fanfare/protocol';

/** The zod issue param that marks a refusal by the text policy. */
export const TEXT_ISSUE = 'textPolicy';

/**
 * A string field: policy-checked, normalised (NFC, tabs, line breaks), trimmed, then 1 to
 * maxChars characters (code points). `line` for names, titles, questions and options;
 * `multiline` for pins and reasons.
 */
export function textField(kind: TextKind, maxChars: number) {
  return z
    .string({ error: 'must be a string' })
    .transform((raw, ctx) => {
      const checked = checkText(raw, kind);
      if (!checked.ok) {
        ctx.addIssue(
          checked.refusal === 'empty'
            ? { code: 'custom', message: `must hold a visible character (${checked.message})` }
            : { code: 'custom', message: checked.message, params: { [TEXT_ISSUE]: true } },
        );
        return z.NEVER;
      }
      if (charLength(checked.text) > maxChars) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${maxChars} characters` });
        return z.NEVER;
      }
      return checked.text;
    })
    .openapi({
      type: 'string',
      minLength: 1,
      maxLength: maxChars,
      description: 'Text under the text policy (docs/protocol.md, "What text may hold")',
    });
}
