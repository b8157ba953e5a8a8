import { configProblems } from '@fanfare/fanout/testing';
import { METRIC_EXPORT_INTERVAL_MS } from '@fanfare/fanout';
import { describe, expect, it } from 'vitest';
import { SHARD_CAPACITY, defaultGatewayConfig, loadGatewayConfig } from './config.js';

const KEY = { JWKS_URL: 'http://api.internal/.well-known/jwks.json' };

const problemsOf = (env: Record<string, string>) => configProblems(loadGatewayConfig, env);

describe('loadGatewayConfig', () => {
  it('fills the defaults, takes the key source from the schema and freezes the result', () => {
    const config = loadGatewayConfig(KEY);
    const defaults = defaultGatewayConfig();
    expect(config).toEqual({
      ...defaults,
      keySource: { kind: 'jwks-url', url: KEY.JWKS_URL },
      otlpMetricIntervalMs: METRIC_EXPORT_INTERVAL_MS,
      // a shard alone holds a random key of its own (compared below, not by value)
      resumeTickets: { ...defaults.resumeTickets, keys: config.resumeTickets.keys },
    });
    expect(config.resumeTickets.keys.map((k) => [k.id, k.secret.length])).toEqual([['local', 32]]);
    expect(config.capacity).toBe(SHARD_CAPACITY);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns each OTLP signal off with its OpenTelemetry exporter variable set to none', () => {
    const endpoint = 'http://otel-collector:4318';
    const on = { ...KEY, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    const both = loadGatewayConfig(on);
    expect([both.otlpEndpoint, both.otlpMetricsEndpoint]).toEqual([endpoint, endpoint]);
    const noMetrics = loadGatewayConfig({ ...on, OTEL_METRICS_EXPORTER: 'none' });
    expect([noMetrics.otlpEndpoint, noMetrics.otlpMetricsEndpoint]).toEqual([endpoint, undefined]);
    const noTraces = loadGatewayConfig({ ...on, OTEL_TRACES_EXPORTER: 'none' });
    expect([noTraces.otlpEndpoint, noTraces.otlpMetricsEndpoint]).toEqual([undefined, endpoint]);
  });

  it('reads the shared variables with the shared parsers', () => {
    const config = loadGatewayConfig({
      ...KEY,
      NATS_URL: 'nats://n1:4222, nats://n2:4222',
      REDIS_URL: 'redis://cache:6379',
      FANFARE_PREFIX: 'prod',
      GATEWAY_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      SHARD_CAPACITY: '21',
    });
    expect(config.natsServers).toEqual(['nats://n1:4222', 'nats://n2:4222']);
    expect([config.redisUrl, config.prefix, config.capacity]).toEqual([
      'redis://cache:6379',
      'prod',
      21,
    ]);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads resume ticket keys, and has none among other shards unless given', () => {
    const secret = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
    const config = loadGatewayConfig({
      ...KEY,
      RESUME_TICKET_KEYS: `new:${secret(1)}, old:${secret(2)}`,
      RESUME_TICKET_TTL_S: '60',
    });
    expect(config.resumeTickets).toEqual({
      keys: [
        { id: 'new', secret: Buffer.alloc(32, 1) },
        { id: 'old', secret: Buffer.alloc(32, 2) },
      ],
      ttlS: 60,
    });
    const shared = { ...KEY, NATS_URL: 'nats://n1:4222', REDIS_URL: 'redis://cache:6379' };
    expect(loadGatewayConfig(shared).resumeTickets.keys).toEqual([]);
    expect(
      problemsOf({ ...KEY, RESUME_TICKET_KEYS: `a.b:${secret(1)},k:${'x'.repeat(20)}` }),
    ).toEqual([
      'RESUME_TICKET_KEYS key id "a.b" must be 1-16 of [A-Za-z0-9_-]',
      'RESUME_TICKET_KEYS key k: the secret must be at least 32 bytes',
    ]);
  });

  it('requires exactly one key source', () => {
    expect(problemsOf({})).toEqual(["set JWKS_URL (the API's JWKS) or JWT_PUBLIC_KEY"]);
    expect(problemsOf({ ...KEY, JWT_PUBLIC_KEY: 'pem' })).toEqual([
      'set JWKS_URL or JWT_PUBLIC_KEY, not both',
    ]);
    expect(loadGatewayConfig({ JWT_PUBLIC_KEY: 'pem' }).keySource).toEqual({
      kind: 'public-key',
      pem: 'pem',
    });
  });

  it('refuses a shard among others (NATS) without the shared stores (Redis), naming REDIS_URL', () => {
    const problems = problemsOf({ ...KEY, NATS_URL: 'nats://n1:4222' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDIS_URL must be set when NATS_URL is/);
  });

  it('lists every problem at once, the key rule among them', () => {
    const problems = problemsOf({
      GATEWAY_PORT: '70000',
      REDIS_URL: 'http://cache',
      FANFARE_PREFIX: 'a b',
      NATS_URL: 'http://n1',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'GATEWAY_PORT',
      'NATS_URL',
      'REDIS_URL',
      'FANFARE_PREFIX',
      'set',
    ]);
  });
});
