// A strict stand-in for a LiveKit server's admin API, for tests: Twirp JSON at
// `/twirp/livekit.<Service>/<Method>` with LiveKit's authentication and per-RPC grant checks,
// LiveKit-shaped replies and Twirp errors, the state of rooms, participants, ingresses and
// egresses, and webhooks signed as LiveKit signs them. It carries no media: there is no SFU, no
// WHIP session, no encoding. What a viewer's connection or an encoder's publish would cause
// (participant joined, ingress started) is simulated by `connect` and `setPublishing`, which
// check the token as the SFU's /rtc would. docs/livekit.md lists what only a real server shows.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { ContractRooms, type ParticipantRecord, type WebhookDraft } from './contract-rooms.js';
import {
  MiddlewareRefusal,
  TWIRP_STATUS,
  TwirpFailure,
  verifyApiToken,
  type Grants,
} from './contract-twirp.js';

/** LiveKit's default bound on an API request body (config.LimitConfig), bytes. */
export const MAX_API_REQUEST_BODY_BYTES = 1 << 20;
/** How long a webhook's token is valid (webhook/url_notifier.go), seconds. */
export const WEBHOOK_VALID_S = 5 * 60;

export interface ContractServerOptions {
  apiKey: string;
  apiSecret: string;
  /** Where webhooks are POSTed as they happen; without it they are only recorded. */
  webhookUrl?: string;
}

/** A webhook as sent: the exact body bytes and the `Authorization` value. */
export interface SignedWebhook {
  body: string;
  authorization: string;
}

export class LiveKitContractServer {
  readonly #server: Server;
  readonly #keys: Map<string, string>;
  readonly #options: ContractServerOptions;
  readonly state: ContractRooms;
  /** Every webhook emitted, in order. */
  readonly webhooks: SignedWebhook[] = [];
  #deliveries: Promise<void> = Promise.resolve();
  #url = '';

  private constructor(options: ContractServerOptions) {
    this.#options = options;
    this.#keys = new Map([[options.apiKey, options.apiSecret]]);
    this.state = new ContractRooms(
      (draft) => this.#emit(draft),
      () => `${this.#url}/w`,
    );
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  /** Starts on 127.0.0.1, on a free port. */
  static async start(options: ContractServerOptions): Promise<LiveKitContractServer> {
    const server = new LiveKitContractServer(options);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#url = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** `http://127.0.0.1:<port>`: what LIVEKIT_URL would name. */
  get url(): string {
    return this.#url;
  }

  /**
   * A client connects with an access token, as the SFU's /rtc admits it: a valid token
   * (signature, key, expiry) with `roomJoin`, for a room that exists (this server does not
   * auto-create rooms; set `room.auto_create: false` on a real server to match). Rejects
   * otherwise. Emits `participant_joined`.
   */
  async connect(token: string): Promise<ParticipantRecord> {
    const grants = await verifyApiToken(token, this.#keys);
    const video = grants.video;
    if (!video?.roomJoin || !video.room || !grants.identity) throw new Error('permissions denied');
    return this.state.join(video.room, {
      identity: grants.identity,
      name: grants.name ?? '',
      // LiveKit's defaults when a grant leaves them unset: subscribe and publish allowed.
      canSubscribe: video.canSubscribe ?? true,
      canPublish: video.canPublish ?? true,
      canPublishData: video.canPublishData ?? true,
    });
  }

  /** Signs a webhook body exactly as LiveKit does (for tests that forge or replay one). */
  async sign(body: string, secret = this.#options.apiSecret): Promise<SignedWebhook> {
    const sha256 = createHash('sha256').update(body).digest('base64');
    const authorization = await new SignJWT({ sha256 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(this.#options.apiKey)
      .setNotBefore(new Date())
      .setExpirationTime(`${WEBHOOK_VALID_S}s`)
      .sign(new TextEncoder().encode(secret));
    return { body, authorization };
  }

  /** Resolves when every webhook emitted so far has been delivered (or failed to be). */
  async delivered(): Promise<void> {
    await this.#deliveries;
  }

  async close(): Promise<void> {
    await this.delivered();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #emit(draft: WebhookDraft): void {
    // protojson.Marshal as the notifier calls it: JSON names, unset fields omitted.
    const event = {
      ...draft,
      id: `EV_${randomBytes(9).toString('base64url')}`,
      createdAt: String(Math.floor(Date.now() / 1000)),
    };
    const signing = this.sign(JSON.stringify(event));
    this.#deliveries = this.#deliveries.then(async () => {
      const signed = await signing;
      this.webhooks.push(signed);
      if (!this.#options.webhookUrl) return;
      try {
        await fetch(this.#options.webhookUrl, {
          method: 'POST',
          headers: {
            authorization: signed.authorization,
            'content-type': 'application/webhook+json',
            'user-agent': 'LiveKit',
          },
          body: signed.body,
        });
      } catch {
        // LiveKit's notifier drops a webhook it cannot deliver after its retries; so do we.
      }
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const grants = await this.#authenticate(req);
      const route = /^\/twirp\/livekit\.([A-Za-z]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST')
        throw new TwirpFailure(
          'bad_route',
          `unsupported method "${req.method}" (only POST is allowed)`,
        );
      if (!route) throw new TwirpFailure('bad_route', `no handler for path "${req.url}"`);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (contentType !== 'application/json')
        throw new TwirpFailure('bad_route', `unexpected Content-Type: "${contentType}"`);
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new TwirpFailure('malformed', 'the json request could not be decoded');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new TwirpFailure('malformed', 'the json request could not be decoded');
      const reply = this.state.rpc(route[1]!, route[2]!, grants, body as Record<string, unknown>);
      if (reply === undefined)
        throw new TwirpFailure('bad_route', `no handler for path "${req.url}"`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    } catch (err) {
      if (err instanceof MiddlewareRefusal) {
        res.writeHead(err.status, { 'content-type': 'text/plain' }).end(err.message);
      } else if (err instanceof TwirpFailure) {
        res
          .writeHead(TWIRP_STATUS[err.code], { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: err.code, msg: err.message }));
      } else {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'internal', msg: String(err) }));
      }
    }
  }

  /** LiveKit's APIKeyAuthMiddleware: no header means no grants (the RPC then refuses). */
  async #authenticate(req: IncomingMessage): Promise<Grants | undefined> {
    const header = req.headers.authorization;
    if (header === undefined || header === '') return undefined;
    if (!header.startsWith('Bearer '))
      throw new MiddlewareRefusal(401, 'invalid authorization header. Must start with Bearer ');
    return verifyApiToken(header.slice('Bearer '.length), this.#keys);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_API_REQUEST_BODY_BYTES)
      throw new TwirpFailure('invalid_argument', 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
