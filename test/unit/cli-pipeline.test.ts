// The command pipeline in process, on manifest files: a dry run with --in-place writes nothing
// (checked by checksum) and shows the files' diffs; status names a Service no Ingress uses.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { cliTable3Layout, renderTable } from '../../src/output/table.ts';
import { repoRoot } from '../e2e/cluster.ts';
import { runSticky } from '../support/inprocess.ts';

process.chdir(repoRoot);

function checksum(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

function copyOf(example: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-pipeline-'));
  cpSync(join(repoRoot, example), dir, { recursive: true });
  return dir;
}

for (const [name, words, example] of [
  ['enable', ['enable', 'svc/s1', '--voyager-version', 'v12.0.0'], 'examples/seed'],
  ['disable', ['disable', 'svc/s1', '--voyager-version', '3.2.0'], 'examples/seed'],
  ['migrate', ['migrate', '--to', 'v12.0.0'], 'examples/upgrade'],
] as const) {
  for (const dryRun of ['--dry-run', '--dry-run=client']) {
    test(`${name} --in-place ${dryRun} writes no file and prints the diff it would make`, async () => {
      const dir = copyOf(example);
      try {
        const before = checksum(dir);
        const ran = await runSticky([...words, '-f', dir, '--in-place', dryRun]);
        assert.equal(ran.code, 0, ran.stderr);
        assert.equal(checksum(dir), before, 'a dry run never writes anything anywhere');
        assert.match(ran.stdout, /annotated \(.*\) \(dry run\)$/m);
        assert.match(ran.stdout, /^--- a\/.*\.yaml$/m);
        assert.match(ran.stdout, /^[+-] {4}ingress\.appscode\.com\//m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test('enable --in-place without --dry-run still rewrites the file, naming the object as enable does live', async () => {
  const dir = copyOf('examples/seed');
  try {
    const before = checksum(dir);
    const ran = await runSticky(['enable', 'svc/s1', '-f', dir, '--in-place', '--voyager-version', 'v12.0.0']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.notEqual(checksum(dir), before);
    assert.match(ran.stdout, /^service\/s1 annotated \(.*service-s1-sticky\.yaml\)$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("migrate svc/NAME on files touches only that TARGET's objects, and -o name names them as enable does", async () => {
  const all = await runSticky(['migrate', '--to', 'v12.0.0', '-f', 'examples/upgrade/', '--local', '-o', 'name']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'ingress.voyager.appscode.com/shop\nservice/api\n');
  const one = await runSticky(['migrate', '--to', 'v12.0.0', '-f', 'examples/upgrade/', '--local', '-o', 'name', 'svc/api']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, 'service/api\n');
});

test('status svc/NAME for a Service no Ingress uses says so, not "No resources found"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-lonely-'));
  try {
    cpSync(join(repoRoot, 'examples/seed'), dir, { recursive: true });
    writeFileSync(join(dir, 'lonely.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: lonely, namespace: default}\nspec: {ports: [{port: 80}]}\n');
    const ran = await runSticky(['status', '-f', dir, 'svc/lonely', '--voyager-version', 'v12.0.0']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, '');
    assert.match(ran.stderr, /^no Voyager Ingress uses service\/lonely$/m);
    assert.doesNotMatch(ran.stderr, /No resources found/);
    const missing = await runSticky(['status', '-f', dir, 'svc/nope', '--voyager-version', 'v12.0.0']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /services "nope" not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the table padded directly is cli-table3's layout, byte for byte (any printable-ASCII rows)", () => {
  // The direct padding exists for speed (bench/printing.ts measures it at full scale); it must
  // never change a table.
  const cell = fc.stringMatching(/^[\x20-\x7e]{0,12}$/);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { maxLength: 30 }),
      fc.boolean(),
      (columns, rows, noHeaders) => {
        const headers = ['a', 'bb', 'ccc', 'name', 'x', 'y'].slice(0, columns);
        const cut = rows.map((row) => row.slice(0, columns));
        assert.equal(renderTable(headers, cut, { noHeaders }), cliTable3Layout(headers, cut, { noHeaders }));
      },
    ),
    { numRuns: 300 },
  );
});

test('enable --local -o yaml of several objects prints one YAML document each, separated by --- as kubectl annotate -o yaml', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-pipeline-'));
  try {
    const service = (name: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {selector: {app: ${name}}, ports: [{port: 80}]}\n`;
    const ingress = [
      'apiVersion: voyager.appscode.com/v1beta1',
      'kind: Ingress',
      'metadata: {name: shop, namespace: default}',
      'spec:',
      '  rules:',
      '  - host: shop.example.com',
      '    http:',
      '      paths:',
      '      - {path: /a, backend: {serviceName: a, servicePort: 80}}',
      '      - {path: /b, backend: {serviceName: b, servicePort: 80}}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'shop.yaml'), [ingress, service('a'), service('b')].join('---\n'));
    const ran = await runSticky(['enable', 'svc/a', 'svc/b', '-f', dir, '--local', '-o', 'yaml', '--voyager-version', 'v12.0.0']);
    assert.equal(ran.code, 0, ran.stderr);
    const documents = parseAllDocuments(ran.stdout).map((d) => d.toJS());
    assert.deepEqual(
      documents.map((d) => [d.metadata.name, d.metadata.annotations]),
      [
        ['a', { 'ingress.appscode.com/affinity': 'cookie' }],
        ['b', { 'ingress.appscode.com/affinity': 'cookie' }],
      ],
    );
    assert.equal(ran.stdout.split('\n').filter((line) => line === '---').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
