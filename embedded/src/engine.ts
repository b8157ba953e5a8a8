// The whole engine in one process on embedded defaults: the API and one gateway shard, joined by
// the in-process bus, the in-memory event log and memory stores, with PGlite as the system of
// record. The same classes run in the distributed mode; only the adapters wired here differ. The
// gateway trusts the API's JWKS over HTTP, exactly as a remote shard would.

import {
  SigningKeys,
  TokenIssuer,
  assembleControlPlane,
  createApp,
  ensureDemoEvent,
  loadSigningKeys,
  loadApiConfig,
  openConfiguredDatabase,
  startApi,
} from '@fanfare/api';
import {
  MemoryBus,
  MemoryEventLog,
  MemorySanctionStore,
  MemoryStageStore,
  MemoryVoteStore,
  consoleLogger,
  createSubjects,
  systemClock,
  type Logger,
} from '@fanfare/fanout';
import { Gateway, JoseTokenVerifier, WS_PATH, loadGatewayConfig } from '@fanfare/gateway';

export interface Engine {
  apiUrl: string;
  gatewayUrl: string;
  /** A producer credential for the control API, printed at start-up. */
  producerToken: string;
  /** An SRE credential (API keys, capacity), printed at start-up. */
  sreToken: string;
  /** Where PGlite keeps the data (`memory`: nowhere). */
  dataDir: string;
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
  // Embedded: an ephemeral key is expected, so no warning about it.
  const keys = apiConfig.jwtPrivateKey
    ? await loadSigningKeys(apiConfig, options.apiLogger ?? consoleLogger)
    : await SigningKeys.generate(apiConfig.jwtKid);
  const issuer = new TokenIssuer({
    keys,
    issuer: apiConfig.jwtIssuer,
    fanTtlS: apiConfig.fanTokenTtlS,
  });

  // One bus, log and set of stores, shared by the API and the shard as NATS and Redis would be.
  const bus = new MemoryBus();
  const log = new MemoryEventLog();
  const sanctions = new MemorySanctionStore();
  const votes = new MemoryVoteStore();
  const stages = new MemoryStageStore();
  const subjects = createSubjects(apiConfig.prefix);

  const db = await openConfiguredDatabase({ ...apiConfig, databaseUrl: undefined });
  await ensureDemoEvent(db);
  // Info lines stay quiet in the embedded mode; warnings and errors reach the console.
  const logger = options.apiLogger ?? {
    info: () => undefined,
    warn: console.warn,
    error: console.error,
  };
  let gateway: Gateway | undefined;
  let gatewayUrl = env.GATEWAY_PUBLIC_URL ?? '';
  const plane = assembleControlPlane({
    keys,
    issuer,
    db,
    bus,
    log,
    sanctions,
    votes,
    stages,
    subjects,
    clock: systemClock,
    logger,
    // No URL (503) until the shard listens, and none once it drains.
    gatewayUrl: () => (gateway?.stats().state === 'ready' ? gatewayUrl : undefined),
    ready: () => gateway?.stats().state === 'ready',
    countryHeader: apiConfig.countryHeader,
  });
  const app = createApp(plane.deps);
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
      log,
      sanctions,
      stages,
      votes,
      verifier: new JoseTokenVerifier(gatewayConfig.keySource, gatewayConfig.tokenIssuer),
      ...(options.gatewayLogger ? { logger: options.gatewayLogger } : {}),
    });
    await gateway.start();
    gatewayUrl ||= `ws://${gatewayConfig.host}:${gateway.port}${WS_PATH}`;
    await plane.start();
  } catch (err) {
    await api.close();
    await db.close();
    throw err;
  }

  const producer = await issuer.issueStaffToken({
    sub: 'producer',
    role: 'producer',
    name: 'Producer',
  });
  const sre = await issuer.issueStaffToken({ sub: 'sre', role: 'sre', name: 'SRE' });
  let closing: Promise<void> | undefined;
  return {
    apiUrl,
    gatewayUrl,
    producerToken: producer.token,
    sreToken: sre.token,
    dataDir: apiConfig.pgliteDataDir,
    close() {
      closing ??= (async () => {
        await gateway?.close();
        await api.close();
        await plane.close();
        await db.close();
      })();
      return closing;
    },
  };
}
