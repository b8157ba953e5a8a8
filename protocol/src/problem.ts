// The envelope of every HTTP refusal, RFC 9457 problem details, shared by the services that answer
// them (the API, the media origin) and the clients that read them. Each service keeps its own code
// table, documented beside it (docs/api.md, docs/media.md): the codes are that service's contract.
// What is one here is the media type, the body's shape and how `type` is named.

/** The media type of every refusal body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One row of a service's problem-code table: the HTTP status and a human title. */
export interface ProblemInfo {
  readonly status: number;
  readonly title: string;
}

/** A service's problem codes. Codes are stable: add codes; never rename or repurpose one. */
export type ProblemTable = Readonly<Record<string, ProblemInfo>>;

/** The fields every problem body carries, in the order they are sent. */
export interface ProblemBody<Code extends string = string, Status extends number = number> {
  /** `urn:fanfare:<namespace>:<code>`: names the kind of problem (a URN, not a link to follow). */
  type: string;
  title: string;
  status: Status;
  /** What clients switch on. */
  code: Code;
  /** What went wrong with this request, for people; never a stack or internal message. */
  detail: string;
}

/**
 * The body for `code` of `table`, its `type` in `namespace`. `detail` defaults to the code's title;
 * it is sent as is, so it must hold nothing secret.
 */
export function problemBody<T extends ProblemTable, C extends keyof T & string>(
  namespace: string,
  table: T,
  code: C,
  detail?: string,
): ProblemBody<C, T[C]['status']> {
  const { status, title } = table[code]!;
  return { type: `urn:fanfare:${namespace}:${code}`, title, status, code, detail: detail ?? title };
}
