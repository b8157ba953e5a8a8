// The whole engine in one process on embedded defaults: the API and one gateway shard, joined by
// the in-process bus and the in-memory event log. The same classes run in the distributed mode;
// only the adapters wired here differ. The gateway trusts the API's JWKS over HTTP, exactly as a
// remote shard would.

import {
  DEMO_EVENT,
  MemoryEventDirectory,
  Moderation,
  SigningKeys,
  TokenIssuer,
  createApp,
  loadApiConfig,
  startApi,
} from '@fanfare/api';
import {
  MemoryBus,
  MemoryEventLog,
  MemorySanctionStore,
  createSubjects,
  type Logger,
} from '@fanfare/fanout';
import { Gateway, JoseTokenVerifier, WS_PATH, loadGatewayConfig } from '@fanfare/gateway';

export interface Engine {
  apiUrl: string;
  gatewayUrl: string;
  /** A producer credential for the control API, printed at start-up. */
  producerToken: string;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface EngineOptions {
  apiLogger?: Logger;
  gatewayLogger?: Logger;
}

export async function startEngine(env: Env, options: EngineOptions = {}): Promise<Engine> {
  const apiConfig = loadApiConfig(env);
  // No load balancer watches an embedded shard's readiness, so it need not wait before closing.
  const gatewayEnv = { READINESS_GRACE_MS: '0', ...env, GATEWAY_PORT: env.GATEWAY_PORT ?? '9001' };
  const keys = apiConfig.jwtPrivateKey
    ? await SigningKeys.fromPem(apiConfig.jwtPrivateKey, apiConfig.jwtKid)
    : await SigningKeys.generate(apiConfig.jwtKid);
  const issuer = new TokenIssuer({
    keys,
    issuer: apiConfig.jwtIssuer,
    fanTtlS: apiConfig.fanTokenTtlS,
  });

  // One bus and one sanction store, shared by the API and the shard as NATS and Redis would be.
  const bus = new MemoryBus();
  const sanctions = new MemorySanctionStore();
  const moderation = new Moderation({
    store: sanctions,
    bus,
    subjects: createSubjects(apiConfig.prefix),
  });

  let gateway: Gateway | undefined;
  let gatewayUrl = env.GATEWAY_PUBLIC_URL ?? '';
  const app = createApp({
    keys,
    issuer,
    events: new MemoryEventDirectory([DEMO_EVENT]),
    moderation,
    // No URL (503) until the shard listens, and none once it drains.
    gatewayUrl: () => (gateway?.stats().state === 'ready' ? gatewayUrl : undefined),
    ready: () => gateway?.stats().state === 'ready',
    ...(options.apiLogger ? { logger: options.apiLogger } : {}),
  });
  const api = await startApi({ app, host: apiConfig.host, port: apiConfig.port });
  const apiUrl = `http://${apiConfig.host}:${api.port}`;

  try {
    // Fans come from the demo page the API serves, so its origin is allowed by default.
    const origins =
      env.GATEWAY_ALLOWED_ORIGINS ?? [apiUrl, `http://localhost:${api.port}`].join(',');
    const gatewayConfig = loadGatewayConfig({
      ...gatewayEnv,
      GATEWAY_ALLOWED_ORIGINS: origins,
      JWT_ISSUER: apiConfig.jwtIssuer,
      JWKS_URL: `${apiUrl}/.well-known/jwks.json`,
    });
    if (!gatewayConfig.keySource) throw new Error('unreachable: JWKS_URL is set above');
    gateway = new Gateway(gatewayConfig, {
      bus,
      log: new MemoryEventLog(),
      sanctions,
      verifier: new JoseTokenVerifier(gatewayConfig.keySource, gatewayConfig.tokenIssuer),
      ...(options.gatewayLogger ? { logger: options.gatewayLogger } : {}),
    });
    await gateway.start();
    gatewayUrl ||= `ws://${gatewayConfig.host}:${gateway.port}${WS_PATH}`;
  } catch (err) {
    await api.close();
    throw err;
  }

  const producer = await issuer.issueStaffToken({
    sub: 'producer',
    role: 'producer',
    name: 'Producer',
  });
  let closing: Promise<void> | undefined;
  return {
    apiUrl,
    gatewayUrl,
    producerToken: producer.token,
    close() {
      closing ??= (async () => {
        await gateway?.close();
        await api.close();
      })();
      return closing;
    },
  };
}
