// Renders a Kustomize directory with `kubectl kustomize` and parses the objects, and small
// readers over them (containers, env) shared by the manifest tests.

import { parseAllDocuments } from 'yaml';
import { KUBECTL, runTool } from './tools.js';
import type { K8sObject } from './k8s-schema.js';

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
}

/** The overlays use `labels` and inline `patches`: kustomize 4 or newer (kubectl 1.21+). */
const MIN_KUSTOMIZE_MAJOR = 4;
let kustomizeChecked: Promise<void> | undefined;

async function checkKustomize(): Promise<void> {
  const result = await runTool(KUBECTL, ['version', '--client', '-o', 'json']);
  const version = /"kustomizeVersion":\s*"v?(\d+)/.exec(result.stdout);
  if (!version || Number(version[1]) < MIN_KUSTOMIZE_MAJOR) {
    throw new Error(
      `${KUBECTL} embeds kustomize ${version?.[1] ?? '(unknown)'}; the overlays need ` +
        `${MIN_KUSTOMIZE_MAJOR}+ (kubectl 1.21 or newer; set KUBECTL_PATH to one)`,
    );
  }
}

/** The objects `kubectl kustomize dir` prints; throws with kubectl's message when it fails. */
export async function render(dir: string): Promise<K8sObject[]> {
  await (kustomizeChecked ??= checkKustomize());
  const result = await runTool(KUBECTL, ['kustomize', dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered objects`);
  return found;
}

/** The pod template's spec of a Deployment or StatefulSet. */
export function podSpec(workload: K8sObject): PodSpec {
  const spec = workload.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
}

/** The literal value of env variable `name` in `container`; undefined when unset or indirect. */
export function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}
