// The wire half of the LiveKit contract server: Twirp JSON framing, Twirp errors and LiveKit's
// API-key authentication, as the real server does them (livekit/livekit pkg/service/auth.go,
// server.go; twitchtv/twirp's generated server). Kept apart from the room state so each half
// reads on its own.

import { jwtVerify, errors as joseErrors } from 'jose';

/** Twirp's error codes and their HTTP statuses (twirp/errors.go). */
export const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500,
  unimplemented: 501,
} as const;

export type TwirpCode = keyof typeof TWIRP_STATUS;

/** A Twirp error reply: `{"code","msg"}` as application/json with the code's status. */
export class TwirpFailure extends Error {
  override readonly name = 'TwirpFailure';
  readonly code: TwirpCode;

  constructor(code: TwirpCode, msg: string) {
    super(msg);
    this.code = code;
  }
}

/** A reply written by LiveKit's auth middleware before Twirp runs: plain text, like HandleError. */
export class MiddlewareRefusal extends Error {
  override readonly name = 'MiddlewareRefusal';
  readonly status: number;

  constructor(status: number, msg: string) {
    super(msg);
    this.status = status;
  }
}

/** LiveKit's `video` grant, the fields the admin RPCs read. */
export interface VideoGrant {
  roomCreate?: boolean;
  roomList?: boolean;
  roomRecord?: boolean;
  roomAdmin?: boolean;
  roomJoin?: boolean;
  room?: string;
  canPublish?: boolean;
  canSubscribe?: boolean;
  canPublishData?: boolean;
  ingressAdmin?: boolean;
}

export interface Grants {
  identity: string;
  name?: string;
  video?: VideoGrant;
  sha256?: string;
}

/** golang-jwt's leeway in LiveKit's verifier (auth/verifier.go `tokenLeeway`), seconds. */
export const TOKEN_LEEWAY_S = 60;

/**
 * Verifies an API token as auth.ParseAPIToken + Verify do: HS256 only, `iss` names the API key
 * whose secret signs it, `exp` required, a minute of leeway. Resolves the grants.
 */
export async function verifyApiToken(
  token: string,
  keys: ReadonlyMap<string, string>,
): Promise<Grants> {
  const parts = token.split('.');
  let iss: unknown;
  try {
    iss = (
      JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown }
    ).iss;
  } catch {
    throw new MiddlewareRefusal(401, 'invalid authorization token');
  }
  const secret = typeof iss === 'string' ? keys.get(iss) : undefined;
  if (secret === undefined) throw new MiddlewareRefusal(401, 'invalid API key');
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      issuer: iss as string,
      requiredClaims: ['exp'],
      clockTolerance: TOKEN_LEEWAY_S,
    });
    const grants: Grants = { identity: typeof payload.sub === 'string' ? payload.sub : '' };
    if (typeof payload['name'] === 'string') grants.name = payload['name'];
    if (typeof payload['video'] === 'object' && payload['video'] !== null)
      grants.video = payload['video'] as VideoGrant;
    if (typeof payload['sha256'] === 'string') grants.sha256 = payload['sha256'];
    return grants;
  } catch (err) {
    const why = err instanceof joseErrors.JOSEError ? err.code : 'invalid';
    throw new MiddlewareRefusal(401, `invalid authorization token: ${why}`);
  }
}

/** The grant checks of pkg/service/auth.go; each throws Twirp `unauthenticated` like twirpAuthError. */
export const ensure = {
  create(g: Grants | undefined): void {
    if (!g?.video?.roomCreate) denied();
  },
  list(g: Grants | undefined): void {
    if (!g?.video?.roomList) denied();
  },
  admin(g: Grants | undefined, room: string): void {
    if (!g?.video?.roomAdmin || g.video.room !== room) denied();
  },
  record(g: Grants | undefined): void {
    if (!g?.video?.roomRecord) denied();
  },
  ingressAdmin(g: Grants | undefined): void {
    if (!g?.video?.ingressAdmin) denied();
  },
};

function denied(): never {
  throw new TwirpFailure('unauthenticated', 'permissions denied');
}

/**
 * A request field as protojson reads it: the JSON name (lowerCamel, what the SDK's `toJson`
 * sends) or the proto name (snake_case). Absent means the proto default.
 */
export function field(body: Record<string, unknown>, proto: string): unknown {
  const camel = proto.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return body[camel] ?? body[proto];
}

export function stringField(body: Record<string, unknown>, proto: string): string {
  const value = field(body, proto);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw malformed(proto);
  return value;
}

export function numberField(body: Record<string, unknown>, proto: string): number {
  const value = field(body, proto);
  if (value === undefined || value === null) return 0;
  // protojson accepts 32-bit integers as numbers or decimal strings.
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw malformed(proto);
  return n;
}

/** An enum field: its name or number, mapped to the name; absent is the zero value. */
export function enumField<T extends string>(
  body: Record<string, unknown>,
  proto: string,
  names: readonly T[],
): T {
  const value = field(body, proto);
  if (value === undefined || value === null) return names[0]!;
  if (typeof value === 'number' && names[value] !== undefined) return names[value];
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  throw malformed(proto);
}

function malformed(proto: string): TwirpFailure {
  return new TwirpFailure(
    'malformed',
    `the json request could not be decoded: invalid value for ${proto}`,
  );
}
