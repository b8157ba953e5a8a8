import { configProblems } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.js';

const problemsOf = (env: Record<string, string>) => configProblems(loadApiConfig, env);

describe('loadApiConfig', () => {
  it('fills every default from an empty environment and freezes the result', () => {
    const config = loadApiConfig({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 8080,
      gatewayPublicUrl: 'ws://127.0.0.1:9001/ws',
      jwtIssuer: 'fanfare',
      jwtPrivateKey: undefined,
      jwtKid: undefined,
      fanTokenTtlS: 3600,
      resumeTicketKeys: [],
      redisUrl: undefined,
      natsServers: [],
      prefix: 'fanfare',
      jwtPublishedKeys: [],
      databaseUrl: undefined,
      pgliteDataDir: '.fanfare/pglite',
      countryHeader: undefined,
      clientAddressHeader: undefined,
      joinLimits: {
        perAddress: { ratePerSecond: 5, burst: 50 },
        perEvent: { ratePerSecond: 2000, burst: 20000 },
        budget: { ratePerSecond: 2000, burst: 2000 },
      },
      mediaTokenSecret: undefined,
      mediaPublicUrl: 'http://127.0.0.1:8090',
      mediaControlUrl: 'http://127.0.0.1:8090',
      livekit: undefined,
      otlpMetricIntervalMs: 60_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadApiConfig({
      API_HOST: '0.0.0.0',
      API_PORT: '0',
      GATEWAY_PUBLIC_URL: 'wss://live.example.com/ws?region=eu',
      JWT_ISSUER: 'fanfare-prod',
      REDIS_URL: 'redis://cache.internal:6379',
      NATS_URL: 'nats://n1:4222, nats://n2:4222',
      FANFARE_PREFIX: 'prod',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIG\\n-----END PRIVATE KEY-----',
      JWT_KID: '2025-06',
      FAN_TOKEN_TTL_S: '900',
      RESUME_TICKET_KEYS: `c1:${'A'.repeat(43)}`,
      DATABASE_URL: 'postgres://db.internal/fanfare',
      PGLITE_DATA_DIR: 'memory',
      COUNTRY_HEADER: 'CF-IPCountry',
      CLIENT_ADDRESS_HEADER: 'X-Forwarded-For',
      JOIN_LIMIT_PER_ADDRESS: '0.5/10',
      JOIN_LIMIT_PER_EVENT: 'off',
      MEDIA_TOKEN_SECRET: 's'.repeat(32),
      MEDIA_PUBLIC_URL: 'https://media.example.com/hls',
      MEDIA_CONTROL_URL: 'http://media.internal:8090',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      gatewayPublicUrl: 'wss://live.example.com/ws?region=eu',
      jwtIssuer: 'fanfare-prod',
      // One-line PEMs with literal \n escapes are unfolded.
      jwtPrivateKey: '-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----',
      jwtKid: '2025-06',
      fanTokenTtlS: 900,
      resumeTicketKeys: [{ id: 'c1', secret: Buffer.alloc(32) }],
      redisUrl: 'redis://cache.internal:6379',
      natsServers: ['nats://n1:4222', 'nats://n2:4222'],
      prefix: 'prod',
      jwtPublishedKeys: [],
      databaseUrl: 'postgres://db.internal/fanfare',
      pgliteDataDir: 'memory',
      countryHeader: 'cf-ipcountry',
      clientAddressHeader: 'x-forwarded-for',
      joinLimits: {
        perAddress: { ratePerSecond: 0.5, burst: 10 },
        perEvent: undefined,
        budget: { ratePerSecond: 2000, burst: 2000 },
      },
      mediaTokenSecret: 's'.repeat(32),
      mediaPublicUrl: 'https://media.example.com/hls',
      mediaControlUrl: 'http://media.internal:8090',
      livekit: undefined,
      otlpEndpoint: 'http://otel-collector:4318',
      otlpMetricsEndpoint: 'http://otel-collector:4318',
      otlpMetricIntervalMs: 15_000,
    });
  });

  it('turns each OTLP signal off with its OpenTelemetry exporter variable set to none', () => {
    const endpoint = 'http://otel-collector:4318';
    const both = loadApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect([both.otlpEndpoint, both.otlpMetricsEndpoint]).toEqual([endpoint, endpoint]);
    const noMetrics = loadApiConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect([noMetrics.otlpEndpoint, noMetrics.otlpMetricsEndpoint]).toEqual([endpoint, undefined]);
    const noTraces = loadApiConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'otlp',
    });
    expect([noTraces.otlpEndpoint, noTraces.otlpMetricsEndpoint]).toEqual([undefined, endpoint]);
    expect(problemsOf({ OTEL_METRICS_EXPORTER: 'zipkin' })[0]).toMatch(/OTEL_METRICS_EXPORTER/);
  });

  it('treats empty variables as unset', () => {
    expect(loadApiConfig({ API_PORT: '', JWT_PRIVATE_KEY: ' ' }).port).toBe(8080);
  });

  it('lists every problem at once, naming each variable', () => {
    const problems = problemsOf({
      API_PORT: '80a',
      GATEWAY_PUBLIC_URL: 'http://127.0.0.1:9001/ws',
      JWT_PRIVATE_KEY: 'secret-but-not-a-pem',
      FAN_TOKEN_TTL_S: '5',
      NATS_URL: 'http://n1:4222',
      MEDIA_TOKEN_SECRET: 'too-short',
      MEDIA_PUBLIC_URL: 'rtmp://media',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain('too-short');
    expect(problems.join('\n')).toMatch(/MEDIA_TOKEN_SECRET[\s\S]*MEDIA_PUBLIC_URL/);
    expect(problems.join('\n')).toContain('NATS_URL');
    expect(problems.join('\n')).toMatch(/API_PORT[\s\S]*GATEWAY_PUBLIC_URL[\s\S]*JWT_PRIVATE_KEY/);
    expect(problems.join('\n')).toContain('FAN_TOKEN_TTL_S');
  });

  it('reads the event-wide target delay, within its bounds', () => {
    expect(loadApiConfig({}).mediaTargetLatencyMs).toBeUndefined();
    expect(loadApiConfig({ MEDIA_TARGET_LATENCY_MS: '1500' }).mediaTargetLatencyMs).toBe(1500);
    for (const bad of ['100', '20000', '1.5s']) {
      expect(problemsOf({ MEDIA_TARGET_LATENCY_MS: bad }).join('\n')).toContain(
        'MEDIA_TARGET_LATENCY_MS',
      );
    }
  });

  it('never echoes a malformed private key', () => {
    expect(problemsOf({ JWT_PRIVATE_KEY: 'secret-but-not-a-pem' }).join('\n')).not.toContain(
      'secret-but-not-a-pem',
    );
  });

  it('refuses ports out of range and gateway URLs that are not URLs', () => {
    expect(problemsOf({ API_PORT: '65536' })).toHaveLength(1);
    expect(problemsOf({ API_PORT: '-1' })).toHaveLength(1);
    expect(problemsOf({ GATEWAY_PUBLIC_URL: '/ws' })).toHaveLength(1);
  });
});

describe('loadApiConfig shared state', () => {
  it('refuses NATS_URL without REDIS_URL, naming REDIS_URL', () => {
    const problems = problemsOf({ NATS_URL: 'nats://n1:4222' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDIS_URL must be set when NATS_URL is/);
  });

  it('refuses a REDIS_URL that is not a redis URL', () => {
    expect(problemsOf({ REDIS_URL: 'http://cache:6379' })).toEqual([
      'REDIS_URL must be a redis:// or rediss:// URL',
    ]);
  });
});

describe('loadApiConfig LiveKit', () => {
  const secret = 'k'.repeat(32);
  it('turns the WebRTC tier on with the URL, key and secret, with defaults for the rest', () => {
    const env = { LIVEKIT_URL: 'wss://lk.example.com', LIVEKIT_API_KEY: 'APIx' };
    expect(loadApiConfig({ ...env, LIVEKIT_API_SECRET: secret }).livekit).toEqual({
      url: 'wss://lk.example.com',
      apiKey: 'APIx',
      apiSecret: secret,
      ingest: 'ingress',
      roomPrefix: 'fanfare-',
    });
  });

  it('refuses a partial set, a short secret (without echoing it) and an unknown ingest', () => {
    expect(problemsOf({ LIVEKIT_URL: 'https://lk.example.com' })).toEqual([
      'LIVEKIT_URL set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET together, or none',
    ]);
    const problems = problemsOf({
      LIVEKIT_URL: 'https://lk.example.com',
      LIVEKIT_API_KEY: 'APIx',
      LIVEKIT_API_SECRET: 'short-secret',
      LIVEKIT_INGEST: 'rtmp',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('short-secret');
  });
});
