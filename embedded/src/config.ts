// The embedded engine's configuration: the API's and the gateway's schemas over one environment,
// with the embedded defaults (no readiness grace: no load balancer watches this shard; the shard
// trusts the API's JWKS and allows its origin), every problem of both listed in one ConfigError.

import { loadApiConfig, type ApiConfig } from '@fanfare/api';
import { ConfigError, type Env } from '@fanfare/fanout';
import { loadGatewayConfig, type LoadedGatewayConfig } from '@fanfare/gateway';

/** Stands in for the API's JWKS URL until the API listens and its port is known. */
const JWKS_PLACEHOLDER = 'http://127.0.0.1/.well-known/jwks.json';

export interface EngineConfig {
  api: ApiConfig;
  /** The shard's config; `keySource` and `allowedOrigins` are completed once the API listens. */
  gateway: LoadedGatewayConfig;
  /** GATEWAY_ALLOWED_ORIGINS, when set; otherwise the API's own origin is allowed. */
  allowedOrigins: LoadedGatewayConfig['allowedOrigins'] | undefined;
  /** GATEWAY_PUBLIC_URL, when set; otherwise the shard's own URL is handed to fans. */
  gatewayPublicUrl: string | undefined;
}

export function loadEngineConfig(env: Env): EngineConfig {
  const problems = new Set<string>(); // both schemas read the shared variables: say each once
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const problem of err.problems) problems.add(problem);
      return undefined;
    }
  };
  const api = attempt(() => loadApiConfig(env));
  const gateway = attempt(() =>
    loadGatewayConfig({
      READINESS_GRACE_MS: '0',
      ...env,
      JWT_ISSUER: api?.jwtIssuer,
      JWKS_URL: JWKS_PLACEHOLDER,
      JWT_PUBLIC_KEY: undefined,
    }),
  );
  if (!api || !gateway) throw new ConfigError([...problems], 'configuration');
  const given = (name: string) => (env[name]?.trim() ? true : false);
  return {
    api,
    gateway,
    allowedOrigins: given('GATEWAY_ALLOWED_ORIGINS') ? gateway.allowedOrigins : undefined,
    gatewayPublicUrl: given('GATEWAY_PUBLIC_URL') ? api.gatewayPublicUrl : undefined,
  };
}
