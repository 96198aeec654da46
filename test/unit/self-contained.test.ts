// The tests need only the repository: no test, test support file, or script or module a test
// imports or runs refers to a path outside the checkout (such as the shared folder beside it, the ground-truth
// folder that only some machines have; test/data holds what the tests read of it). Found with
// TypeScript's own parser: every path a file builds from its own location (import.meta, new URL,
// join/resolve over '..' segments, template literals, constants, also those imported from another
// module) is worked out and must stay inside the root; relative imports and paths to .ts files
// are followed; a '..' followed by 'shared' is refused however it is written. Paths built from
// what only runs know (tmpdir(), homedir(), the environment) are not the repository's and are not
// judged.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A path worked out from the source: `anchored` when it starts at the file's own location. */
interface Value {
  text: string;
  anchored: boolean;
  /** False when the rest of the expression was not known: `text` is then a prefix. */
  whole: boolean;
}

interface Module {
  file: string;
  source: ts.SourceFile;
  consts: Map<string, ts.Expression>;
  imports: Map<string, { from: string; name: string }>;
}

type Read = (file: string) => string | undefined;

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep);

function load(file: string, read: Read, cache: Map<string, Module | null>): Module | null {
  if (cache.has(file)) return cache.get(file) ?? null;
  const text = read(file);
  if (text === undefined) {
    cache.set(file, null);
    return null;
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const consts = new Map<string, ts.Expression>();
  const seen = new Map<string, number>();
  const imports = new Map<string, { from: string; name: string }>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const) {
      // A name declared twice (in two functions) is not judged from either.
      seen.set(node.name.text, (seen.get(node.name.text) ?? 0) + 1);
      consts.set(node.name.text, node.initializer);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.importClause?.namedBindings) {
      const bindings = node.importClause.namedBindings;
      if (ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) imports.set(el.name.text, { from: node.moduleSpecifier.text, name: (el.propertyName ?? el.name).text });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const [name, n] of seen) if (n > 1) consts.delete(name);
  const module = { file, source, consts, imports };
  cache.set(file, module);
  return module;
}

/** Joins like path.join / path.resolve over what is known; stops at the first unknown part. */
function joined(parts: (Value | undefined)[], how: 'join' | 'resolve'): Value | undefined {
  let out: Value | undefined;
  for (const part of parts) {
    if (!part) return out ? { ...out, whole: false } : undefined;
    if (!out || (how === 'resolve' && isAbsolute(part.text))) out = { ...part };
    else out = { text: join(out.text, part.text), anchored: out.anchored || part.anchored, whole: out.whole && part.whole };
    if (!part.whole) return { ...out, whole: false };
  }
  return out;
}

function concat(parts: (Value | undefined)[]): Value | undefined {
  let out: Value | undefined;
  for (const part of parts) {
    if (!part) return out ? { ...out, whole: false } : undefined;
    out = out ? { text: out.text + part.text, anchored: out.anchored || part.anchored, whole: out.whole && part.whole } : { ...part };
    if (!part.whole) return out;
  }
  return out;
}

const literal = (text: string): Value => ({ text, anchored: false, whole: true });
const calleeName = (e: ts.Expression): string => (ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : '');
const isImportMeta = (e: ts.Expression): boolean => ts.isMetaProperty(e) && e.keywordToken === ts.SyntaxKind.ImportKeyword;

/** What the expression is as a path or text, as far as the source says. */
// Each expression is worked out once: constants are used many times, calls nest.
const evaluated = new WeakMap<ts.Node, Value | null>();

function evaluate(e: ts.Expression, m: Module, read: Read, cache: Map<string, Module | null>, depth = 0): Value | undefined {
  const known = evaluated.get(e);
  if (known !== undefined) return known ?? undefined;
  const value = evaluateOnce(e, m, read, cache, depth);
  evaluated.set(e, value ?? null);
  return value;
}

function evaluateOnce(e: ts.Expression, m: Module, read: Read, cache: Map<string, Module | null>, depth: number): Value | undefined {
  if (depth > 20) return undefined;
  const again = (x: ts.Expression, in_ = m) => evaluate(x, in_, read, cache, depth + 1);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return literal(e.text);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return again(e.expression);
  if (ts.isPropertyAccessExpression(e) && isImportMeta(e.expression)) {
    if (e.name.text === 'dirname') return { text: dirname(m.file), anchored: true, whole: true };
    if (e.name.text === 'filename') return { text: m.file, anchored: true, whole: true };
    if (e.name.text === 'url') return { text: `file://${m.file}`, anchored: true, whole: true };
  }
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'pathname') return again(e.expression);
  if (ts.isTemplateExpression(e)) {
    const parts: (Value | undefined)[] = [literal(e.head.text)];
    for (const span of e.templateSpans) parts.push(again(span.expression), literal(span.literal.text));
    return concat(parts);
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return concat([again(e.left), again(e.right)]);
  if (ts.isIdentifier(e)) {
    const init = m.consts.get(e.text);
    if (init) return again(init);
    const imported = m.imports.get(e.text);
    if (imported?.from.startsWith('.')) {
      const other = load(resolve(dirname(m.file), imported.from), read, cache);
      const otherInit = other?.consts.get(imported.name);
      if (other && otherInit) return again(otherInit, other);
    }
    return undefined;
  }
  if (ts.isNewExpression(e) && calleeName(e.expression) === 'URL' && e.arguments?.[0]) {
    const [path, base] = [again(e.arguments[0]), e.arguments[1] ? again(e.arguments[1]) : undefined];
    if (!path || !base?.text.startsWith('file://')) return undefined;
    return { text: resolve(dirname(`${base.text.slice('file://'.length)}x`), path.text), anchored: base.anchored, whole: path.whole };
  }
  if (ts.isCallExpression(e)) {
    const name = calleeName(e.expression);
    if (name === 'join' || name === 'resolve')
      return joined(
        [...e.arguments].map((a) => again(a)),
        name,
      );
    if (name === 'fileURLToPath' && e.arguments[0]) {
      const url = again(e.arguments[0]);
      return url ? { ...url, text: url.text.replace(/^file:\/\//, '') } : undefined;
    }
    if (name === 'dirname' && e.arguments[0]) {
      const path = again(e.arguments[0]);
      return path?.whole ? { ...path, text: dirname(path.text) } : undefined;
    }
  }
  return undefined;
}

const SHARED_TEXT = /(^|[/\\])\.\.[/\\]+(\.\.[/\\]+)*shared([/\\]|$)/;

/** The references of one file that leave `root`, and the repository files it imports or names. */
function check(file: string, root: string, read: Read, cache = new Map<string, Module | null>()): { problems: string[]; next: string[] } {
  const m = load(file, read, cache);
  if (!m) return { problems: [`${relative(root, file)}: cannot be read`], next: [] };
  const problems: string[] = [];
  const next = new Set<string>();
  const where = (node: ts.Node) => `${relative(root, file)}:${m.source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : undefined;
    if (specifier?.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (!inside(root, target)) problems.push(`${where(node)}: imports ${specifier}, outside the repository`);
      else next.add(target);
    }
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) && SHARED_TEXT.test(node.text)) {
      problems.push(`${where(node)}: names ${JSON.stringify(node.text)}`);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const args = [...(node.arguments ?? [])];
      args.forEach((arg, i) => {
        const after = args[i + 1];
        const text = (x: ts.Expression | undefined) => (x && (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) ? x.text : undefined);
        if (text(arg) === '..' && text(after) === 'shared') problems.push(`${where(node)}: a .. then shared path`);
      });
    }
    if (
      ts.isCallExpression(node) ||
      ts.isNewExpression(node) ||
      ts.isTemplateExpression(node) ||
      (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    ) {
      const value = evaluate(node, m, read, cache);
      if (value?.anchored) {
        const path = value.text.replace(/^file:\/\//, '');
        if (!inside(root, resolve(path))) problems.push(`${where(node)}: ${node.getText(m.source).slice(0, 120)} is ${path}, outside the repository`);
        else if (value.whole && /\.[cm]?ts$/.test(path) && !path.includes(`${sep}node_modules${sep}`)) next.add(resolve(path));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(m.source);
  return { problems: [...new Set(problems)], next: [...next] };
}

/** Every file reached from `start` through imports and named .ts paths, outside src/ and cmd/ (the product, not the tests). */
function scan(start: readonly string[], root: string, read: Read, exempt: readonly string[] = []): { problems: string[]; files: string[]; toExempt: string[] } {
  const cache = new Map<string, Module | null>();
  const todo = [...start];
  const done = new Set<string>();
  const problems: string[] = [];
  const toExempt = new Set<string>();
  while (todo.length) {
    const file = todo.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const result = check(file, root, read, cache);
    problems.push(...result.problems);
    for (const target of result.next) {
      const rel = relative(root, target);
      if (exempt.includes(rel)) toExempt.add(relative(root, file));
      if (exempt.includes(rel) || /^(src|cmd|node_modules)[/\\]/.test(rel)) continue;
      if (/\.[cm]?ts$/.test(target) && read(target) !== undefined) todo.push(target);
    }
  }
  return { problems: problems.sort(), files: [...done].map((f) => relative(root, f)).sort(), toExempt: [...toExempt].sort() };
}

function testFiles(dir: string, ext = /\.[cm]?ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || path === join(ROOT, 'test', 'data') ? [] : testFiles(path, ext);
    return ext.test(e.name) ? [path] : [];
  });
}

// The one file that reads the shared folder: it writes test/data from it, and no test runs it (a test
// below names it only to show that the check sees what it does).
const REFRESH = 'scripts/refresh-test-data.ts';

const readDisk: Read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

test('no test, test support file, or file they import or run refers to a path outside the repository', () => {
  const start = testFiles(join(ROOT, 'test'));
  assert.ok(start.length > 40, `${start.length} test files`);
  const { problems, files, toExempt } = scan(start, ROOT, readDisk, [REFRESH]);
  assert.deepEqual(problems, []);
  assert.deepEqual(toExempt, ['test/unit/self-contained.test.ts'], `only this test names ${REFRESH}`);
  // The walk reaches what the tests import (scripts/package.ts) and what they run by path (test-needs.ts).
  for (const reached of ['scripts/package.ts', 'scripts/build.ts', 'scripts/test-needs.ts', 'bench/generate.ts', 'test/e2e/cluster.ts']) {
    assert.ok(files.includes(reached), `${reached} was not scanned`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/')), 'src/ is the product, not judged here');
});

test('the control plane scripts and programs under test/ name no shared-folder path', () => {
  const files = testFiles(join(ROOT, 'test'), /\.(sh|go)$/);
  assert.ok(files.length >= 5, `${files.length} files`);
  assert.deepEqual(
    files.filter((f) => SHARED_TEXT.test(readFileSync(f, 'utf8'))),
    [],
  );
});

test('the refresh script, which no test runs, is the one file that reads the shared folder, and the check sees it', () => {
  const { problems } = scan([join(ROOT, REFRESH)], ROOT, readDisk);
  assert.ok(
    problems.some((p) => p.startsWith(`${REFRESH}:`) && p.includes('outside the repository')),
    problems.join('\n'),
  );
});

// The check against small made-up trees, so that it is seen to fail.
const FAKE = '/repo';
function fake(files: Record<string, string>, start = 'test/unit/x.test.ts'): string[] {
  const read: Read = (file) => files[relative(FAKE, file)];
  return scan([join(FAKE, start)], FAKE, read).problems;
}

test('the check refuses every way of climbing out of the repository', () => {
  const out = (text: string, more: Record<string, string> = {}) => fake({ 'test/unit/x.test.ts': text, ...more });
  const refused: [string, string, Record<string, string>?][] = [
    ["join(import.meta.dirname, '..', '..', '..', 'SHARED', 'operator')", 'join over ..'],
    ["const ROOT = resolve(import.meta.dirname, '..', '..');\nconst C = resolve(ROOT, '..', 'SHARED', 'corpus');", 'a constant'],
    ["const r = resolve(import.meta.dirname, '..', '..');\nreadFileSync(join(r, '..', 'other', 'x.yaml'))", 'any sibling, not only shared'],
    ["readFileSync(new URL('../../../elsewhere/x.yaml', import.meta.url))", 'new URL'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
    ['readFileSync(`${import.meta.dirname}/../../../x`)', 'a template literal'],
    ["readFileSync(import.meta.dirname + '/../../../x')", 'concatenation'],
    ["readdirSync(fileURLToPath(new URL('../../..', import.meta.url)))", 'fileURLToPath'],
    // Spelt SHARED (made lower case below) so that this file does not hold the texts it refuses.
    ["const p = '../../../SHARED/corpus';", 'a text naming the shared folder'],
    ["const p = join(someDir(), '..', 'SHARED');", '.., shared segments'],
    ["import { x } from '../../../outside.ts';", 'an import'],
    [
      "import { repoRoot } from '../support/root.ts';\nconst C = resolve(repoRoot, '..', 'SHARED');",
      'a constant imported from another module',
      { 'test/support/root.ts': "export const repoRoot = resolve(import.meta.dirname, '..', '..');" },
    ],
    [
      "import { data } from '../../scripts/s.ts';",
      'a script the test imports',
      { 'scripts/s.ts': "export const data = join(import.meta.dirname, '..', '..', 'SHARED');" },
    ],
    [
      "spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'r.ts')]);",
      'a script the test runs by path',
      { 'scripts/r.ts': "readFileSync(join(import.meta.dirname, '..', '..', 'data'));" },
    ],
  ];
  const real = (t: string) => t.replaceAll('SHARED', 'shared');
  for (const [text, what, more] of refused)
    assert.notDeepEqual(out(real(text), Object.fromEntries(Object.entries(more ?? {}).map(([k, v]) => [k, real(v)]))), [], `${what}: ${text}`);
});

test('the check accepts paths inside the repository and paths that only runs know', () => {
  const ok = [
    "join(import.meta.dirname, '..', 'data', 'operator')",
    "const ROOT = resolve(import.meta.dirname, '..', '..');\nreaddirSync(join(ROOT, 'test', 'data', 'corpus'));",
    "new URL('.', import.meta.url).pathname",
    "join(tmpdir(), '..', 'x'); join(homedir(), '.cache'); resolve(process.env['HOME'] ?? '', '..');",
    "const FIXTURE = '/usr/aarch64-linux-gnu/lib'; // shared/operator c059, a comment",
  ];
  for (const text of ok) assert.deepEqual(fake({ 'test/unit/x.test.ts': text }), [], text);
});
