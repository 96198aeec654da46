// Property-based tests of the -f reader (parseManifest, readManifests) with fast-check: whatever
// the bytes, the reader returns plain objects or throws ONE UserError with a one-line message,
// quickly. Plus the classic hostile documents: billion laughs, deep nesting, huge files,
// non-UTF-8 bytes.
//
// Runs: FUZZ_SEED fixes the seed (default 8, so CI is repeatable; a failure prints its seed and
// shrunk counterexample); FUZZ_SCALE multiplies the run counts (FUZZ_SCALE=10 for a long soak).

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { UserError } from '../../src/errors.ts';
import { parseManifest, readManifests } from '../../src/manifests/read.ts';

const seed = Number(process.env['FUZZ_SEED'] ?? 8);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * scale));

/** Cases run per property, for the README's reliability table. */
export const MANIFEST_RUNS = { text: runs(3000), documents: runs(2000), bytes: runs(1000) };

// Node's process warnings print `(node:PID) Warning: ...` with text from the file (the yaml
// library warns about collection keys this way): the reader must not emit any.
const warnings: string[] = [];

/** The reader's contract: an array of plain objects, or one UserError with a single line. */
function checkReader(read: () => unknown[]): void {
  let values: unknown[];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error) => {
    warnings.push(String(warning instanceof Error ? warning.message : warning));
  }) as typeof process.emitWarning;
  syncBuiltinESMExports(); // libraries that `import * as process from 'process'` see the stub too
  try {
    values = read();
  } catch (error) {
    assert.ok(error instanceof UserError, `not a UserError: ${String((error as Error)?.stack ?? error)}`);
    assert.doesNotMatch(error.message, /\n/, 'a one-line message');
    assert.ok(error.message.length < 2000, 'a short message');
    return;
  } finally {
    process.emitWarning = emitWarning;
    syncBuiltinESMExports();
    assert.deepEqual(warnings.splice(0), [], 'no process warning');
  }
  assert.ok(Array.isArray(values));
  for (const value of values) assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value));
}

// Fragments that make YAML interesting: indicators, anchors, aliases, tags, directives,
// document markers, flow collections, block scalars, escapes and terminal controls.
const yamlPiece = fc.oneof(
  fc.constantFrom(
    ':',
    ': ',
    '- ',
    '? ',
    '[',
    ']',
    '{',
    '}',
    ',',
    '#',
    '&a ',
    '*a',
    '&b ',
    '*b',
    '!!str ',
    '!!binary ',
    '!!map ',
    '!!set ',
    '!<tag:x> ',
    '!local ',
    '%YAML 1.2\n',
    '%TAG ! tag:x:\n',
    '---\n',
    '...\n',
    '|\n',
    '>-\n',
    '"',
    "'",
    '\\',
    '\t',
    '\n',
    '\n  ',
    '\r\n',
    '<<: *a\n',
    '\ufeff',
    'apiVersion: v1\n',
    'kind: Service\n',
    'kind: List\nitems:\n',
    'metadata:\n  name: s1\n',
    'annotations: {a: b}\n',
    '__proto__: {x: 1}\n',
    '\x1b[31m',
    '\x1b]0;owned\x07',
    '\x9b2J',
    '\u202e',
    '\u0000',
    '\x7f',
    '"\\e[2J"',
    '"\\x9b"',
    '0x1F',
    '1e999',
    '-.inf',
    '.nan',
    '~',
    'null',
    'true',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const yamlText = fc.array(yamlPiece, { maxLength: 40 }).map((pieces) => pieces.join(''));

test(`parseManifest: ${MANIFEST_RUNS.text} generated YAML-ish texts give objects or one UserError line`, () => {
  fc.assert(
    fc.property(yamlText, (text) => checkReader(() => parseManifest(text, 'fuzz.yaml'))),
    { seed, numRuns: MANIFEST_RUNS.text },
  );
});

// Well-formed YAML of arbitrary values (wrong types everywhere), sometimes with Kubernetes-ish
// top-level keys, several documents per file.
const manifestish = fc.oneof(
  fc.anything({ maxDepth: 4, withNullPrototype: true, withBoxedValues: true, withSparseArray: true }),
  fc.record({
    apiVersion: fc.anything({ maxDepth: 1 }),
    kind: fc.constantFrom('Service', 'Ingress', 'List', 'ConfigMap', 'Endpoints', 42),
    metadata: fc.anything({ maxDepth: 3 }),
    spec: fc.anything({ maxDepth: 3 }),
  }),
);

test(`parseManifest: ${MANIFEST_RUNS.documents} multi-document files of arbitrary values`, () => {
  fc.assert(
    fc.property(fc.array(manifestish, { minLength: 1, maxLength: 4 }), fc.boolean(), (docs, asJson) => {
      const text = asJson && docs.length === 1 ? safeJson(docs[0]) : docs.map((d) => safeYaml(d)).join('\n---\n');
      checkReader(() => parseManifest(text, 'fuzz.yaml'));
    }),
    { seed, numRuns: MANIFEST_RUNS.documents },
  );
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '{}';
  }
}

function safeYaml(value: unknown): string {
  try {
    return stringify(value, { aliasDuplicateObjects: true });
  } catch {
    return '{}';
  }
}

test(`readManifests: ${MANIFEST_RUNS.bytes} files of arbitrary bytes (non-UTF-8 included)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-fuzz-'));
  const file = join(dir, 'bytes.yaml');
  const validStart = fc.constantFrom('', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ', 'kind: Ingress\nmetadata: {name: "');
  fc.assert(
    fc.property(validStart, fc.uint8Array({ maxLength: 64 }), (start, bytes) => {
      writeFileSync(file, Buffer.concat([Buffer.from(start), Buffer.from(bytes)]));
      checkReader(() => readManifests([file], () => ''));
    }),
    { seed, numRuns: MANIFEST_RUNS.bytes },
  );
});

/** Milliseconds `fn` takes. */
function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function refused(text: string, pattern: RegExp): number {
  return timed(() =>
    assert.throws(
      () => parseManifest(text, 'bomb.yaml'),
      (error: unknown) => error instanceof UserError && pattern.test(error.message) && !error.message.includes('\n'),
    ),
  );
}

test('billion laughs: refused in well under a second, not expanded', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
  const ms = refused(bomb, /^error parsing bomb\.yaml: /);
  assert.ok(ms < 1000, `took ${ms}ms`);
  // The same shape as a merge-key bomb.
  const merge = `x0: &x0 {a: 1}\n${Array.from({ length: 30 }, (_, i) => `x${i + 1}: &x${i + 1} {<<: [*x${i}, *x${i}, *x${i}, *x${i}]}`).join('\n')}\n`;
  const mergeMs = refused(merge, /^error parsing bomb\.yaml: /);
  assert.ok(mergeMs < 1000, `took ${mergeMs}ms`);
});

test('a few aliases, as real manifests use them, still work', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s1\n  labels: &l {app: web}\n  annotations: *l\n';
  const [doc] = parseManifest(text, 'ok.yaml') as { metadata: { annotations: unknown } }[];
  assert.deepEqual(doc?.metadata.annotations, { app: 'web' });
});

test('deeply nested YAML and JSON: one error line or a result, quickly, no stack overflow escapes', () => {
  for (const depth of [1000, 10_000, 100_000]) {
    for (const text of [
      '['.repeat(depth) + ']'.repeat(depth),
      '{a: '.repeat(depth) + '1' + '}'.repeat(depth),
      Array.from({ length: Math.min(depth, 5000) }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1',
    ]) {
      const ms = timed(() => checkReader(() => parseManifest(`x: ${text}`, 'deep.yaml')));
      assert.ok(ms < 5000, `depth ${depth} took ${ms}ms`);
    }
  }
});

test('a huge document (about 8 MB, 20,000 Services) is read in bounded time', () => {
  const one = (i: number) =>
    `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n  annotations: {ingress.appscode.com/sticky-session: "true", note: "${'x'.repeat(300)}"}\nspec:\n  ports: [{port: 80}]\n`;
  const text = Array.from({ length: 20_000 }, (_, i) => one(i)).join('');
  assert.ok(text.length > 8_000_000);
  let docs: unknown[] = [];
  const ms = timed(() => {
    docs = parseManifest(text, 'huge.yaml');
  });
  assert.equal(docs.length, 20_000);
  assert.ok(ms < 30_000, `took ${ms}ms`);
});

test('non-UTF-8 bytes in names and values are read (as U+FFFD), never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-bytes-'));
  const file = join(dir, 'latin1.yaml');
  writeFileSync(
    file,
    Buffer.concat([Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf'), Buffer.from([0xe9, 0xff, 0xc3, 0x28]), Buffer.from('\n')]),
  );
  const [doc] = readManifests([file], () => '') as { metadata: { name: string } }[];
  assert.match(doc?.metadata.name ?? '', /^caf\ufffd/);
});
