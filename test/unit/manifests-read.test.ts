// The -f reader's refusals read as kubectl's (its wording checked against kubectl 1.32's
// `kubectl apply --dry-run=client -f FILE`) and name the file, whatever the command.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/cluster.ts';
import { runSticky } from '../support/inprocess.ts';

process.chdir(repoRoot);

const dir = mkdtempSync(join(tmpdir(), 'sticky-read-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const service = (metadata: string) => `apiVersion: v1\nkind: Service\nmetadata:\n${metadata}\nspec:\n  ports: [{port: 80}]\n`;

test('documents kubectl would refuse are one error line naming the file, exit 1, nothing on stdout', async () => {
  const values = file('values.yaml', 'replicaCount: 2\nimage:\n  tag: "1.0"\n');
  const readme = file('README.md', '# Title\n\nSome *text* here: yes\n\n- a\n');
  const noKind = file('nokind.yaml', 'apiVersion: v1\nmetadata:\n  name: a\n');
  const noApiVersion = file('noapi.yaml', 'kind: Service\nmetadata:\n  name: a\n');
  const scalar = file('text.yaml', 'plain text, no yaml here\n');
  const unnamed = file('unnamed.yaml', `${service('  name: ok')}---\n${service('  namespace: team-a')}`);
  const listItem = file('list.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata: {name: a}\n');
  const cases: [string, string][] = [
    [values, `error: error validating "${values}": error validating data: [apiVersion not set, kind not set]`],
    [readme, `error: error parsing ${readme}: error converting YAML to JSON: yaml: line 4: A block sequence may not be used as an implicit map key`],
    [noKind, `error: error validating "${noKind}": error validating data: kind not set`],
    [noApiVersion, `error: error validating "${noApiVersion}": error validating data: apiVersion not set`],
    [scalar, `error: error validating "${scalar}": error validating data: invalid object to validate`],
    [unnamed, `error: error validating "${unnamed}": error validating data: metadata.name not set (Service)`],
    [listItem, `error: error validating "${listItem}": error validating data: apiVersion not set`],
  ];
  for (const command of [['status'], ['render', 'ingress/x'], ['enable', 'svc/a', '--local']]) {
    for (const [path, line] of cases) {
      const ran = await runSticky([...command, '-f', path, '--voyager-version', 'v12.0.0']);
      assert.deepEqual(ran, { code: 1, stdout: '', stderr: `${line}\n` }, `${command.join(' ')} -f ${path}`);
    }
  }
});

test('STDIN is named as kubectl names it', async () => {
  const ran = await runSticky(['status', '-f', '-', '--voyager-version', 'v12.0.0'], { stdin: 'replicaCount: 2\n' });
  assert.deepEqual(ran, { code: 1, stdout: '', stderr: 'error: error validating "STDIN": error validating data: [apiVersion not set, kind not set]\n' });
});

test('a folder is read as before: only .yaml, .yml and .json files, each document valid', async () => {
  const ran = await runSticky(['status', '-f', 'examples/seed/', '--voyager-version', 'v12.0.0', '-o', 'name']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^service\/s1$/m);
});
