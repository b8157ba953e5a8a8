// The workspace's module rules, held by a test rather than by a reader's care: no value import
// cycle inside a package's src/ (a type-only import is erased and cannot cycle at run time), no
// file reaching into another package's internals (only its `.` face or a `./testing` export), and
// no source or test file (.ts or .tsx) over 400 lines. Reads the files with the TypeScript parser (syntax only,
// no type check), so it costs well under a second.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LINES = 400;

interface Package {
  name: string;
  dir: string;
  /** The subpaths its package.json exports, e.g. `.` and `./testing`. */
  exports: readonly string[];
}

interface Import {
  specifier: string;
  /** False when the import is erased at compile time (`import type`, every name `type`). */
  value: boolean;
  /** `import()`: evaluated when called, so it cannot close a cycle at load time. */
  dynamic: boolean;
}

function workspacePackages(): Package[] {
  const list = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  return [...list.matchAll(/^\s*-\s*(\S+)\s*$/gm)].map((m) => {
    const dir = join(ROOT, m[1]!);
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, string>;
    };
    return { name: json.name, dir, exports: Object.keys(json.exports ?? {}) };
  });
}

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // a package without this folder (no test/ yet)
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function allNamesAreTypes(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

const parsed = new Map<string, Import[]>();

function importsOf(file: string): Import[] {
  let found = parsed.get(file);
  if (found === undefined) parsed.set(file, (found = importsIn(readFileSync(file, 'utf8'), file)));
  return found;
}

function importsIn(text: string, file = 'module.ts'): Import[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            allNamesAreTypes(bindings.elements)));
      found.push({ specifier: node.moduleSpecifier.text, value: !typeOnly, dynamic: false });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (clause !== undefined && ts.isNamedExports(clause) && allNamesAreTypes(clause.elements));
      found.push({ specifier: node.moduleSpecifier.text, value: !typeOnly, dynamic: false });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, value: true, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The .ts (or .tsx) file a relative specifier names (`./x.js` is `./x.ts` under NodeNext). */
function resolveRelative(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier);
  if (!target.endsWith('.js')) return target;
  const base = target.slice(0, -3);
  return existsSync(`${base}.tsx`) && !existsSync(`${base}.ts`) ? `${base}.tsx` : `${base}.ts`;
}

/** Every strongly connected component of more than one file, or a file importing itself. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) connect(v);
  return found;
}

const packages = workspacePackages();
/** A package's source and test files (a package may have only one of the two folders). */
const filesOf = (p: Package) => [...tsFiles(join(p.dir, 'src')), ...tsFiles(join(p.dir, 'test'))];
const rel = (path: string) => relative(ROOT, path).split(sep).join('/');

describe('the workspace module rules', () => {
  it('finds the workspace packages and their files', () => {
    expect(packages.map((p) => p.name)).toContain('@fanfare/protocol');
    for (const p of packages) expect(filesOf(p).length, p.name).toBeGreaterThan(0);
  });

  it('has no value import cycle inside any package', () => {
    const found: string[] = [];
    for (const p of packages) {
      const files = tsFiles(join(p.dir, 'src'));
      const edges = new Map<string, string[]>();
      for (const file of files) {
        const targets = importsOf(file)
          .filter((i) => i.value && !i.dynamic && i.specifier.startsWith('.'))
          .map((i) => resolveRelative(file, i.specifier));
        edges.set(file, targets);
      }
      for (const c of cycles(edges)) found.push(c.map(rel).join(' ⇄ '));
    }
    expect(found).toEqual([]);
  });

  it('imports another package only through its index face or a ./testing export', () => {
    const byName = new Map(packages.map((p) => [p.name, p]));
    const found: string[] = [];
    for (const p of packages) {
      for (const file of filesOf(p)) {
        for (const { specifier } of importsOf(file)) {
          if (specifier.startsWith('.')) {
            const target = resolveRelative(file, specifier);
            if (!target.startsWith(p.dir + sep)) found.push(`${rel(file)} → ${specifier}`);
            continue;
          }
          const m = /^(@fanfare\/[^/]+)(\/.*)?$/.exec(specifier);
          const owner = m === null ? undefined : byName.get(m[1]!);
          if (owner === undefined) continue; // a third-party package or a Node built-in
          const subpath = `.${m![2] ?? ''}`;
          if (!owner.exports.includes(subpath)) found.push(`${rel(file)} → ${specifier}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it(`keeps every source and test file at ${MAX_LINES} lines or fewer`, () => {
    const found: string[] = [];
    for (const p of packages) {
      for (const file of filesOf(p)) {
        const lines = readFileSync(file, 'utf8').split('\n').length - 1;
        if (lines > MAX_LINES) found.push(`${rel(file)}: ${lines} lines`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('the import reader', () => {
  it('tells erased imports from value ones', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, type C } from './b.js';",
      "import { D, type E } from './d.js';",
      "import './side-effect.js';",
      "export type { F } from './f.js';",
      "export type * from './g.js';",
      "export { H } from './h.js';",
      "const lazy = () => import('./lazy.js');",
    ].join('\n');
    expect(importsIn(text).map((i) => [i.specifier, i.value, i.dynamic])).toEqual([
      ['./a.js', false, false],
      ['./b.js', false, false],
      ['./d.js', true, false],
      ['./side-effect.js', true, false],
      ['./f.js', false, false],
      ['./g.js', false, false],
      ['./h.js', true, false],
      ['./lazy.js', true, true],
    ]);
  });
});

describe('the cycle finder', () => {
  it('reports a two-file cycle and a self-import, and nothing for a chain', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', []],
      ['d', ['d']],
    ]);
    expect(cycles(edges)).toEqual([['a', 'b'], ['d']]);
    expect(
      cycles(
        new Map([
          ['x', ['y']],
          ['y', []],
        ]),
      ),
    ).toEqual([]);
  });
});
