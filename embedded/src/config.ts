// The embedded engine's configuration: the API's, the gateway's and the media process's schemas
// over one environment, with the embedded defaults (no readiness grace: no load balancer watches
// this shard; the shard trusts the API's JWKS and allows its origin; a playback token secret made
// per run when none is given), every problem of all three listed in one ConfigError.

import { randomBytes } from 'node:crypto';
import { loadApiConfig, type ApiConfig } from '@fanfare/api';
import { ConfigError, documentVariables, parseEnv, variable, type Env } from '@fanfare/fanout';
import { loadGatewayConfig, type LoadedGatewayConfig } from '@fanfare/gateway';
import { MediaConfigError, loadMediaConfig, type MediaConfig } from '@fanfare/media';
import { z } from 'zod';

/** Stands in for the API's JWKS URL until the API listens and its port is known. */
const JWKS_PLACEHOLDER = 'http://127.0.0.1/.well-known/jwks.json';

/** The embedded engine's own variables, in the order docs/config.md lists them. */
export const EMBEDDED_VARIABLES = {
  EMBEDDED_MEDIA: variable(z.enum(['on', 'off']).default('on'), {
    meaning:
      'start the media process (LL-HLS origin, RTMP ingest, the demo stream) as a child; `off`: no video',
  }),
};

export interface EngineConfig {
  api: ApiConfig;
  /** The shard's config; `keySource` and `allowedOrigins` are completed once the API listens. */
  gateway: LoadedGatewayConfig;
  /** GATEWAY_ALLOWED_ORIGINS, when set; otherwise the API's own origin is allowed. */
  allowedOrigins: LoadedGatewayConfig['allowedOrigins'] | undefined;
  /** GATEWAY_PUBLIC_URL, when set; otherwise the shard's own URL is handed to fans. */
  gatewayPublicUrl: string | undefined;
  /**
   * The media child's config and its environment (MEDIA_TOKEN_SECRET filled in), or undefined
   * with EMBEDDED_MEDIA=off.
   */
  media: { config: MediaConfig; env: Env } | undefined;
  /** MEDIA_PUBLIC_URL, when set; otherwise the child's own URL is handed to fans. */
  mediaPublicUrl: string | undefined;
}

export function loadEngineConfig(env: Env): EngineConfig {
  const problems = new Set<string>(); // the schemas share variables: say each problem once
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError) && !(err instanceof MediaConfigError)) throw err;
      for (const problem of err.problems) problems.add(problem);
      return undefined;
    }
  };
  const own = attempt(() => parseEnv(z.object(EMBEDDED_VARIABLES), env, 'embedded configuration'));
  // One secret for the API (which mints playback tokens) and the media child (which checks them).
  const mediaEnv = {
    ...env,
    MEDIA_TOKEN_SECRET: env.MEDIA_TOKEN_SECRET?.trim() || randomBytes(32).toString('base64url'),
  };
  const api = attempt(() => loadApiConfig(mediaEnv));
  const gateway = attempt(() =>
    loadGatewayConfig({
      READINESS_GRACE_MS: '0',
      ...env,
      JWT_ISSUER: api?.jwtIssuer,
      JWKS_URL: JWKS_PLACEHOLDER,
      JWT_PUBLIC_KEY: undefined,
    }),
  );
  const videoOn = own?.EMBEDDED_MEDIA === 'on';
  const media = videoOn ? attempt(() => loadMediaConfig(mediaEnv)) : undefined;
  if (!api || !gateway || !own || (videoOn && !media)) {
    throw new ConfigError([...problems], 'configuration');
  }
  const given = (name: string) => (env[name]?.trim() ? true : false);
  return {
    api,
    gateway,
    allowedOrigins: given('GATEWAY_ALLOWED_ORIGINS') ? gateway.allowedOrigins : undefined,
    gatewayPublicUrl: given('GATEWAY_PUBLIC_URL') ? api.gatewayPublicUrl : undefined,
    media: media ? { config: media, env: mediaEnv } : undefined,
    mediaPublicUrl: given('MEDIA_PUBLIC_URL') ? api.mediaPublicUrl : undefined,
  };
}

/** The embedded engine's own variables with their doc lines (docs/config.md is held to these). */
export const embeddedVariables = () => documentVariables(EMBEDDED_VARIABLES);
