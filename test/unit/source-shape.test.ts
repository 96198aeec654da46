// The shape of src/, read with TypeScript's own parser: no function longer than 100 lines, and no
// cycle of value imports between modules. Type-only imports (`import type`, or an import whose
// every name is `type X`) are erased at build time, so they are no edge. Dynamic `import()` IS
// an edge: it runs the other module, and a cycle through it is still a cycle (the issue's
// cli/status.ts <-> cli/watch.ts is one).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 100;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

const where = (file: ts.SourceFile, node: ts.Node) => `${relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.ConstructorDeclaration
  | ts.AccessorDeclaration;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function functionName(node: FunctionNode): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

/** Functions with a body longer than MAX_LINES lines (first line to last, inclusive). */
function longFunctions(file: ts.SourceFile, max = MAX_LINES): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (isFunction(node) && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) out.push(`${where(file, node)} ${functionName(node)} is ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // `import './x.ts'` runs the module
    if (clause.isTypeOnly) return true;
    if (clause.name) return false;
    const bindings = clause.namedBindings;
    if (!bindings) return false;
    if (ts.isNamespaceImport(bindings)) return false;
    return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  }
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The src/ modules a file imports as values (static, re-exports and dynamic), with where. */
function valueImports(file: ts.SourceFile): { target: string; at: string }[] {
  const out: { target: string; at: string }[] = [];
  const add = (specifier: string, node: ts.Node) => {
    if (!specifier.startsWith('.')) return;
    out.push({ target: resolve(dirname(file.fileName), specifier), at: where(file, node) });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnly(node)) add(node.moduleSpecifier.text, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) add(argument.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** Each group of modules that import one another in a ring, as the edges inside the group. */
function importCycles(graph: Map<string, { target: string; at: string }[]>): string[][] {
  // Tarjan's algorithm: a component with more than one module, or a module importing itself, is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const { target } of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfLoop = component.length === 1 && (graph.get(node) ?? []).some((e) => e.target === node);
    if (component.length > 1 || selfLoop) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => {
    const members = new Set(component);
    return [...component]
      .sort()
      .flatMap((module) => (graph.get(module) ?? []).filter((e) => members.has(e.target)).map((e) => `${e.at} -> ${relative(ROOT, e.target)}`));
  });
}

const files = sourceFiles(SRC).map(parse);

test(`no function in src/ is longer than ${MAX_LINES} lines`, () => {
  const offenders = files.flatMap((file) => longFunctions(file));
  assert.deepEqual(offenders, [], `functions over ${MAX_LINES} lines:\n${offenders.join('\n')}`);
});

test('no cycle of value imports among src/ modules (dynamic import() counts)', () => {
  const graph = new Map(files.map((file) => [file.fileName, valueImports(file)]));
  const cycles = importCycles(graph);
  assert.deepEqual(cycles, [], `value-import cycles:\n${cycles.map((edges) => edges.join('\n')).join('\n\n')}`);
});

test('the checks see what they must: a long arrow, a dynamic-import cycle, and not a type-only one', () => {
  const body = Array.from({ length: MAX_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const long = ts.createSourceFile('/x/long.ts', `export const f = () => {\n${body}\n};\nclass C { m() { return 1; } }\n`, ts.ScriptTarget.Latest, true);
  assert.equal(longFunctions(long).length, 1);
  assert.match(longFunctions(long)[0] ?? '', /long\.ts:1 f is 102 lines$/);
  const a = ts.createSourceFile('/x/a.ts', `import { b } from './b.ts';\nexport const a = 1;`, ts.ScriptTarget.Latest, true);
  const b = ts.createSourceFile('/x/b.ts', `export async function b() { return (await import('./a.ts')).a; }`, ts.ScriptTarget.Latest, true);
  const c = ts.createSourceFile(
    '/x/c.ts',
    `import type { a } from './a.ts';\nimport { type b } from './b.ts';\nexport const c = 1;`,
    ts.ScriptTarget.Latest,
    true,
  );
  const d = ts.createSourceFile('/x/d.ts', `import { c } from './c.ts';\nexport type D = typeof c;`, ts.ScriptTarget.Latest, true);
  const graph = new Map([a, b, c, d].map((file) => [file.fileName, valueImports(file)]));
  assert.deepEqual(valueImports(c), []);
  assert.deepEqual(
    importCycles(graph).map((edges) => edges.length),
    [2],
  );
});
