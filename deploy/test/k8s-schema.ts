// Offline validation of rendered Kubernetes objects against the Kubernetes API schemas, as shipped
// by the `kubernetes-models` package (generated from the Kubernetes OpenAPI document).
//
// Two passes, because the upstream OpenAPI does not forbid unknown fields (the API server does
// that itself, with strict field validation): (1) the package's ajv validators check types,
// required fields and formats; (2) every object is compiled, in memory, as an object literal
// typed with the package's TypeScript interface for its kind, so a misspelt field is an
// excess-property error. Custom resources (no model here) are reported, never passed silently.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [field: string]: unknown;
}

export interface SchemaProblem {
  object: string;
  message: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** `kubernetes-models/<group>/<version>/<Kind>`; the core group's path is `v1/<Kind>`. */
function modelPath(o: K8sObject): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

export function describe(o: K8sObject): string {
  return `${o.kind}/${o.metadata?.name ?? '?'}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Pass 1: kubernetes-models' validators (types, required fields, enums, formats). */
async function validateWithModels(objects: K8sObject[]): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  for (const o of objects) {
    let Model: ModelClass | undefined;
    try {
      const mod = (await import(modelPath(o))) as Record<string, ModelClass | undefined>;
      Model = mod[o.kind];
    } catch {
      // Not a built-in kind: reported below rather than thrown, so every object is looked at.
    }
    if (!Model) {
      problems.push({ object: describe(o), message: `no schema for ${o.apiVersion} ${o.kind}` });
      continue;
    }
    try {
      new Model(o).validate();
    } catch (err) {
      problems.push({ object: describe(o), message: (err as Error).message });
    }
  }
  return problems;
}

/** Pass 2: unknown fields, through the TypeScript interfaces of the same models. */
function findUnknownFields(objects: K8sObject[]): SchemaProblem[] {
  const fileName = join(HERE, '__rendered-manifests__.ts');
  const lines: string[] = [];
  objects.forEach((o, i) => {
    lines.push(`import type { I${o.kind} as T${i} } from '${modelPath(o)}';`);
  });
  // The line each object's literal starts on, to name the object a diagnostic falls in.
  const starts: number[] = [];
  let line = lines.length;
  objects.forEach((o, i) => {
    starts.push(line);
    const literal = `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`;
    lines.push(literal);
    line += literal.split('\n').length;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, version)
      : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName);
  const diagnostics = [
    ...program.getSyntacticDiagnostics(file),
    ...program.getSemanticDiagnostics(file),
  ];
  return diagnostics.map((d) => {
    const at = d.start === undefined ? 0 : file!.getLineAndCharacterOfPosition(d.start).line;
    // The object whose literal holds the line: the last one starting at or before it.
    let index = -1;
    for (let i = 0; i < starts.length && starts[i]! <= at; i++) index = i;
    const o = objects[index];
    return {
      object: o ? describe(o) : '(imports)',
      // JSON keys are quoted in the literal: '"replica"' reads better as 'replica'.
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n').replace(/'"([^"]+)"'/g, "'$1'"),
    };
  });
}

/** Every problem found in `objects`; empty when all are valid. */
export async function validateObjects(objects: K8sObject[]): Promise<SchemaProblem[]> {
  const problems = await validateWithModels(objects);
  const known = objects.filter(
    (o) => !problems.some((p) => p.object === describe(o) && p.message.startsWith('no schema')),
  );
  return [...problems, ...findUnknownFields(known)];
}
