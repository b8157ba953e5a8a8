// The Kustomize base and overlays render with kubectl, every object passes the Kubernetes schemas
// (offline, k8s-schema.ts), and the properties event day depends on hold in both overlays.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateObjects, type K8sObject } from './k8s-schema.js';
import { envValue, find, podSpec, render, workloads, type Container } from './k8s-render.js';
import { KUBECTL, toolAvailable } from './tools.js';

const K8S = fileURLToPath(new URL('../k8s/', import.meta.url));
const CONFIG_DOC = fileURLToPath(new URL('../../docs/config.md', import.meta.url));
const ENTRYPOINT = fileURLToPath(new URL('../docker-entrypoint.sh', import.meta.url));
const OVERLAYS = ['local', 'production'] as const;

/** Variables the manifests set that are Kubernetes plumbing, not Fanfare settings. */
const PLUMBING = new Set(['POD_NAME']);
/** The media package's variables (media/src/config.ts), set by media.yaml before docs/config.md lists them. */
const PENDING_MEDIA_VARIABLES = ['MEDIA_HOST', 'MEDIA_PORT', 'MEDIA_TOKEN_SECRET'];

const kubectl = toolAvailable(KUBECTL);

function fanfareContainers(objects: K8sObject[]): Container[] {
  return workloads(objects)
    .flatMap((w) => podSpec(w).containers)
    .filter((c) => c.image?.includes('fanfare'));
}

describe.skipIf(!kubectl).each(OVERLAYS)('the %s overlay', (overlay) => {
  const rendered = render(`${K8S}overlays/${overlay}`);

  it('renders objects that all pass the Kubernetes schemas', async () => {
    const objects = await rendered;
    expect(objects.length).toBeGreaterThan(10);
    expect(await validateObjects(objects)).toEqual([]);
    // kubectl and the first load of the schema package take most of it; seconds on an idle box,
    // over 20 s when the machine is busy.
  }, 90_000);

  it('gives a shard more time to stop than its preStop, readiness grace and drain add up to', async () => {
    const gateway = podSpec(find(await rendered, 'StatefulSet', 'gateway'));
    const container = gateway.containers[0]!;
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const needS =
      Number(preStop[1]) +
      Number(envValue(container, 'READINESS_GRACE_MS')) / 1000 +
      Number(envValue(container, 'DRAIN_TIMEOUT_MS')) / 1000;
    expect(needS).toBeGreaterThan(10);
    expect(gateway.terminationGracePeriodSeconds).toBeGreaterThan(needS);
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  });

  it('names each shard after its pod, in its id and its public URL', async () => {
    const container = podSpec(find(await rendered, 'StatefulSet', 'gateway')).containers[0]!;
    expect(envValue(container, 'SHARD_ID')).toBe('$(POD_NAME)');
    expect(envValue(container, 'SHARD_PUBLIC_URL')).toMatch(/^wss?:\/\/\$\(POD_NAME\)\..+\/ws$/);
    const headless = find(await rendered, 'Service', 'gateway').spec as { clusterIP?: string };
    expect(headless.clusterIP).toBe('None');
  });

  it('protects the shards with a disruption budget and scales them on connections', async () => {
    const objects = await rendered;
    const pdb = find(objects, 'PodDisruptionBudget', 'gateway').spec as Record<string, unknown>;
    expect(pdb.maxUnavailable).toBe(1);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'gateway').spec as {
      scaleTargetRef: { kind: string; name: string };
      metrics: { type: string; pods?: { metric: { name: string } } }[];
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'StatefulSet', name: 'gateway' });
    expect(hpa.metrics.map((m) => m.pods?.metric.name)).toContain('fanfare_gateway_connections');
  });

  it('defines every $(VAR) an env value uses before that value', async () => {
    for (const container of workloads(await rendered).flatMap((w) => podSpec(w).containers)) {
      const defined: string[] = [];
      for (const e of container.env ?? []) {
        for (const [, ref] of (e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
          expect(defined, `${container.name}: ${e.name} uses $(${ref})`).toContain(ref);
        }
        defined.push(e.name);
      }
    }
  });

  it('sets only variables that docs/config.md lists (or the pending media ones)', async () => {
    const documented = readFileSync(CONFIG_DOC, 'utf8');
    for (const container of fanfareContainers(await rendered)) {
      for (const { name } of container.env ?? []) {
        if (PLUMBING.has(name) || PENDING_MEDIA_VARIABLES.includes(name)) continue;
        expect(documented, `${container.name} sets ${name}`).toContain(`\`${name}\``);
      }
    }
  });

  it('gives encoders the two fixed ingest ports the media container listens on', async () => {
    const objects = await rendered;
    const spec = find(objects, 'Service', 'media-ingest').spec as {
      ports: { port: number; protocol: string }[];
    };
    expect(spec.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual(['1935/TCP', '8890/UDP']);
    const media = fanfareContainers(objects).find((c) => c.name === 'media')!;
    expect([envValue(media, 'MEDIA_RTMP_PORT'), envValue(media, 'MEDIA_SRT_PORT')]).toEqual([
      '1935',
      '8890',
    ]);
  });

  it('starts Fanfare containers only with services the image entrypoint knows', async () => {
    const entrypoint = readFileSync(ENTRYPOINT, 'utf8');
    const containers = fanfareContainers(await rendered);
    expect(containers.map((c) => c.args?.[0]).sort()).toEqual(['api', 'gateway', 'media']);
    for (const c of containers) expect(entrypoint).toContain(`  ${c.args?.[0]})`);
  });
});

describe('the Helm values and the Postgres example', () => {
  const load = (path: string): unknown => parse(readFileSync(`${K8S}${path}`, 'utf8'));

  it('run NATS as three JetStream servers on file storage', () => {
    expect(load('values/nats.yaml')).toMatchObject({
      config: {
        cluster: { enabled: true, replicas: 3 },
        jetstream: { enabled: true, fileStore: { enabled: true } },
      },
    });
  });

  it('serve the gateway HPA metric, and parse', () => {
    expect(load('values/prometheus-adapter.yaml')).toMatchObject({
      rules: { custom: [{ name: { as: 'fanfare_gateway_connections' } }] },
    });
    expect(load('values/livekit.yaml')).toMatchObject({ livekit: { rtc: expect.any(Object) } });
    expect(load('examples/postgres-cloudnativepg.yaml')).toMatchObject({
      kind: 'Cluster',
      metadata: { name: 'fanfare-pg' },
      spec: { instances: 3 },
    });
  });
});

describe.skipIf(!kubectl)('the schema check', () => {
  it('refuses a misspelt field, a wrong type and a missing required field', async () => {
    const objects = await render(`${K8S}overlays/production`);
    const broken = structuredClone(objects);
    const gateway = podSpec(find(broken, 'StatefulSet', 'gateway'));
    (gateway.containers[0] as unknown as Record<string, unknown>).imagePullPolicyy = 'Always';
    const api = podSpec(find(broken, 'Deployment', 'api'));
    (api as unknown as Record<string, unknown>).terminationGracePeriodSeconds = 'thirty';
    const service = find(broken, 'Service', 'api').spec as { ports: Record<string, unknown>[] };
    delete service.ports[0]!.port;

    const problems = await validateObjects(broken);
    const text = problems.map((p) => `${p.object}: ${p.message}`).join('\n');
    expect(text).toMatch(/StatefulSet\/gateway: .*'imagePullPolicyy' does not exist/);
    expect(text).toMatch(/Deployment\/api: .*terminationGracePeriodSeconds must be integer/);
    expect(text).toMatch(/Service\/api: .*must have required property '?port/);
  });

  it('reports an object it has no schema for instead of passing it', async () => {
    const cluster = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'pg' },
    };
    expect(await validateObjects([cluster])).toEqual([
      { object: 'Cluster/pg', message: 'no schema for postgresql.cnpg.io/v1 Cluster' },
    ]);
  });
});
