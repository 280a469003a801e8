/**
 * No module of the extension, the bridge or shared/ imports itself through other modules,
 * not even for types: a cycle makes load order matter and keeps modules from being read,
 * tested or moved on their own. Static imports and re-exports count (read with TypeScript's
 * own parser); a dynamic import() does not, since it runs after every module has loaded.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIRS = ['bridge', 'shared', 'extension'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base.replace(/\.(m?js)$/, '.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      const target = resolveRelative(file, specifier.text);
      if (target) found.push(target);
    }
  }
  return found;
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph', () => {
  const files = DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));
  const graph = new Map(files.map((f) => [f, staticImports(f)]));

  it('reads the modules and their imports', () => {
    expect(files.length).toBeGreaterThan(300);
    const edges = [...graph.values()].reduce((n, deps) => n + deps.length, 0);
    expect(edges).toBeGreaterThan(files.length);
  });

  it('has no cycle, type-only imports included', () => {
    const named = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).sort().join(' <-> '));
    expect(named).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const a = join(ROOT, 'a.ts');
    const b = join(ROOT, 'b.ts');
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toHaveLength(1);
    expect(cycles(new Map([[a, [b]], [b, []]]))).toHaveLength(0);
  });
});
