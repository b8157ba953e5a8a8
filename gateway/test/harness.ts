// Starts a real uWS gateway on a free port with the memory seams (`openAdapters`, as every
// process wires them) and a fresh ES256 key, and signs tokens for it: good ones, and the bad ones
// auth tests need.

import {
  encodeStage,
  openAdapters,
  systemClock,
  type Clock,
  type Bus,
  type EventLog,
  type MemoryEventLogOptions,
  type PartyStore,
  type ShardRegistry,
  type Stage,
} from '@fanfare/fanout';
import { GATEWAY_AUDIENCE, TOKEN_ISSUER, resumeQuery, type Role } from '@fanfare/protocol';
import { connectFan, type ConnectOptions, type FanClient } from '@fanfare/testkit';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import {
  Gateway,
  Es256TokenVerifier,
  defaultGatewayConfig,
  defaultStage,
  silentLogger,
  type GatewayConfig,
} from '../src/index.js';

export interface TokenOptions {
  sub?: string;
  evt?: string;
  role?: Role;
  name?: string;
  iss?: string;
  aud?: string;
  kid?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  notBefore?: number;
  extra?: JWTPayload;
}

let counter = 0;

/** Seams several gateways share in one test, as shards share NATS and Redis. */
export interface SharedSeams {
  bus?: Bus;
  parties?: PartyStore;
  registry?: ShardRegistry;
  /** The event log (default: the memory log of `openAdapters`, with `logOptions`). */
  log?: EventLog;
}

export async function startGateway(
  overrides: Partial<GatewayConfig> = {},
  clock: Clock = systemClock,
  logOptions: MemoryEventLogOptions = {},
  shared: SharedSeams = {},
) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const verifier = new Es256TokenVerifier({ kind: 'jwks', jwks: { keys: [jwk] } }, TOKEN_ISSUER);
  const config = defaultGatewayConfig({ port: 0, readinessGraceMs: 0, ...overrides });
  const adapters = await openAdapters({
    natsServers: [],
    redisUrl: undefined,
    prefix: config.prefix,
    name: config.shardId,
    logger: silentLogger,
    clock,
    memoryLog: logOptions,
  });
  // Seams shared with other gateways in the test replace this one's own, as NATS and Redis would.
  const { subjects, sanctions, stages, votes } = adapters;
  const bus = shared.bus ?? adapters.bus;
  const log = shared.log ?? adapters.log;
  const parties = shared.parties ?? adapters.parties;
  const gateway = new Gateway(config, {
    ...adapters,
    bus,
    log,
    parties,
    registry: shared.registry ?? adapters.registry,
    verifier,
    clock,
    logger: silentLogger,
  });
  await gateway.start();
  const url = `ws://127.0.0.1:${gateway.port}/ws`;
  const fans: FanClient[] = [];

  const sign = async (o: TokenOptions = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      evt: o.evt ?? 'demo',
      role: o.role ?? 'fan',
      name: o.name ?? 'Fan',
      ...o.extra,
    })
      .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'k1' })
      .setSubject(o.sub ?? `u${++counter}`)
      .setIssuer(o.iss ?? TOKEN_ISSUER)
      .setAudience(o.aud ?? GATEWAY_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (o.expiresIn ?? 3600));
    if (o.notBefore !== undefined) jwt.setNotBefore(now + o.notBefore);
    return jwt.sign(privateKey);
  };

  /** Connects a fan and waits for its welcome. */
  const join = async (o: TokenOptions = {}, connect: ConnectOptions = {}, query = '') => {
    const fan = await connectFan(`${url}?token=${await sign(o)}${query}`, connect);
    fans.push(fan);
    const welcome = await fan.next('welcome');
    return { fan, welcome };
  };

  /** The query resuming after `seq` in the log's current epoch (`&since=&epoch=`). */
  const since = async (seq: number, evt = 'demo'): Promise<string> =>
    resumeQuery({ epoch: (await log.readLast(evt, 0)).epoch, seq });

  const close = async () => {
    for (const fan of fans) fan.socket.terminate();
    await gateway.close();
    await adapters.close();
  };

  /**
   * What the API does after a change: store the event's next stage (the current one, or the
   * default, with `change` applied and the version bumped), then announce it on the bus unless
   * `announce` is false (a lost notice).
   */
  const setStage = async (
    change: { view?: Partial<Stage['view']>; rules?: Partial<Stage['rules']> },
    { evt = 'demo', announce = true }: { evt?: string; announce?: boolean } = {},
  ): Promise<Stage> => {
    const current = (await stages.get(evt)) ?? defaultStage(evt);
    const version = current.version + 1;
    const stage: Stage = {
      version,
      view: { ...current.view, ...change.view, version },
      rules: { ...current.rules, ...change.rules },
    };
    await stages.put(evt, stage);
    if (announce) bus.publish(subjects.stage(evt), encodeStage(stage));
    return stage;
  };

  return {
    gateway,
    url,
    sign,
    join,
    since,
    log,
    bus,
    sanctions,
    stages,
    votes,
    parties,
    setStage,
    publicKey,
    jwk,
    close,
  };
}

export type TestGateway = Awaited<ReturnType<typeof startGateway>>;
