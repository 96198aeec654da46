// status with kubectl's template printers, in process on the demo manifests.

import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/cluster.ts';
import { runSticky } from '../support/inprocess.ts';

process.chdir(repoRoot);
const DEMO = ['status', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0'];

test('-o jsonpath, jsonpath-as-json, custom-columns and --sort-by over the StickyStatus document', async () => {
  const names = await runSticky([...DEMO, '-o', 'jsonpath={.items[*].service.name}']);
  assert.equal(names.code, 0, names.stderr);
  assert.equal(names.stdout, 'blog admin web cart static redis', 'no newline of its own, as kubectl');
  const ranged = await runSticky([...DEMO, '-o', 'jsonpath={range .items[?(@.sticky==true)]}{.service.name}{"\\n"}{end}']);
  assert.equal(ranged.stdout, 'web\ncart\nstatic\nredis\n');
  const asJson = await runSticky([...DEMO, '-o=jsonpath-as-json={.items[0:2].sticky}']);
  assert.deepEqual(JSON.parse(asJson.stdout), [false, false]);
  const columns = await runSticky([...DEMO, '-o', 'custom-columns=SVC:.service.name,STICKY:.sticky,COOKIE:.cookie.name', '--sort-by', '{.service.name}']);
  assert.equal(columns.code, 0, columns.stderr);
  assert.deepEqual(
    columns.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)),
    [
      ['SVC', 'STICKY', 'COOKIE'],
      ['admin', 'false', '<none>'],
      ['blog', 'false', '<none>'],
      ['cart', 'true', 'SHOPID'],
      ['redis', 'true', '<none>'],
      ['static', 'true', 'SHOPID'],
      ['web', 'true', 'SHOPID'],
    ],
  );
});

test('template files, and a bad template is one kubectl-style error line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-printers-'));
  try {
    writeFileSync(join(dir, 't.txt'), '{.items[0].service.name}');
    writeFileSync(join(dir, 'c.txt'), 'SVC         STICKY\n.service.name .sticky\n');
    assert.equal((await runSticky([...DEMO, '-o', `jsonpath-file=${join(dir, 't.txt')}`])).stdout, 'blog');
    assert.match((await runSticky([...DEMO, '-o', `custom-columns-file=${join(dir, 'c.txt')}`])).stdout, /^SVC\s+STICKY\nblog\s+false\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bad = await runSticky([...DEMO, '-o', 'jsonpath={hello}']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: error parsing jsonpath \{hello\}, unrecognized identifier hello$/m);
  assert.equal(bad.stdout, '');
  const columns = await runSticky([...DEMO, '-o', 'custom-columns=SVC']);
  assert.equal(columns.code, 1);
  assert.match(columns.stderr, /expected <header>:<json-path-expr>/);
});

test('-o name lists the Services of the rows once each, as TARGETs for enable and disable', async () => {
  const ran = await runSticky([...DEMO, '-o', 'name']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'service/blog\nservice/admin\nservice/web\nservice/cart\nservice/static\nservice/redis\n');
  const sticky = await runSticky([...DEMO, '-o', 'name', 'svc/web']);
  assert.equal(sticky.stdout, 'service/web\n');
});
