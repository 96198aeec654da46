// The commands in process on manifest files: stdout, stderr and exit code against golden files
// (test/cli-golden/), the shown output of README.md and docs/*.md, and the flag grammar end to end.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/cluster.ts';
import { assertGolden } from '../support/golden.ts';
import { runSticky, type Ran } from '../support/inprocess.ts';
import { assertShown, readmeExamples } from '../support/readme.ts';

process.chdir(repoRoot);

function transcript(args: string[], ran: Ran): string {
  return `$ kubectl sticky ${args.join(' ')}\n[stderr]\n${ran.stderr}[stdout]\n${ran.stdout}[exit ${ran.code}]\n`;
}

const GOLDEN: [string, string[]][] = [
  ['status-table', ['status', '-f', 'examples/seed/']],
  ['status-wide', ['status', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0', '-owide']],
  ['status-no-headers', ['status', '-f', 'examples/seed/', '--no-headers=true', 'svc/s1']],
  ['render', ['render', 'ingress/shop', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0']],
  ['render-deployed-diff', ['render', 'ingress/shop', '-f', 'examples/demo/', '--voyager-version=v12.0.0', '--deployed']],
];

for (const [name, args] of GOLDEN) {
  test(`golden: ${name}`, async () => {
    assertGolden(join(repoRoot, 'test/cli-golden', `${name}.txt`), transcript(args, await runSticky(args)));
  });
}

test('the -f examples of README.md and docs/*.md print what the pages show', async () => {
  const examples = readmeExamples().filter((e) => e.args.includes('-f'));
  assert.ok(examples.length >= 3, 'the README shows the seed, the demo and the drift');
  for (const example of examples) assertShown(example, await runSticky(example.args));
});

test('the grammar the issue names: -owide, -ndefault -ojson, --no-headers=true work; -on is an error', async () => {
  const wide = await runSticky(['status', '-f', 'examples/seed/', '-owide']);
  assert.equal(wide.code, 0, wide.stderr);
  assert.match(wide.stdout, /^INGRESS +BACKEND +SERVICE +STICKY +SOURCE +MODE +COOKIE +DEPLOYED$/m);
  const json = await runSticky(['status', '-f', 'examples/seed/', '-ndefault', '-ojson']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).items.length, 6);
  const bare = await runSticky(['status', '-f', 'examples/seed/', '--no-headers=true']);
  assert.equal(bare.code, 0);
  assert.doesNotMatch(bare.stdout, /INGRESS/);
  assert.equal(bare.stdout.trim().split('\n').length, 6);
  const on = await runSticky(['status', '-f', 'examples/seed/', '-on']);
  assert.deepEqual(on, {
    code: 1,
    stdout: '',
    stderr:
      'error: unable to match a printer suitable for the output format "n", allowed formats are: custom-columns-file=,custom-columns=,json,jsonpath-as-json=,jsonpath-file=,jsonpath=,name,wide,yaml\n',
  });
});

test('usage errors: one error line, the pointer to --help, exit 1 (2 for render --deployed), nothing on stdout', async () => {
  const cases: [string[], string, number][] = [
    [['status', '--no-such-flag'], 'error: unknown flag: --no-such-flag', 1],
    [['status', '-x'], "error: unknown shorthand flag: 'x' in -x", 1],
    [['frobnicate'], 'error: unknown command "frobnicate" for "kubectl sticky"', 1],
    [['render', 'ingress/x', '--deployed', '--bogus'], 'error: unknown flag: --bogus', 2],
    [['render', 'ingress/x', '--bogus', '--deployed'], 'error: unknown flag: --bogus', 2],
  ];
  for (const [args, line, code] of cases) {
    const ran = await runSticky(args);
    assert.equal(ran.code, code, args.join(' '));
    assert.equal(ran.stdout, '');
    const lines = ran.stderr.trimEnd().split('\n');
    assert.equal(lines[0], line);
    assert.match(lines[1] ?? '', /^See 'kubectl sticky( \w+)? --help' for usage\.$/);
    assert.equal(lines.length, 2);
  }
  // kubectl with no command prints its help and exits 0 (cobra's root command has no Run).
  const bare = await runSticky([]);
  assert.equal(bare.code, 0);
  assert.equal(bare.stderr, '');
  assert.equal(bare.stdout, (await runSticky(['--help'])).stdout);
  assert.match(bare.stdout, /^Commands:$/m);
  const typo = await runSticky(['stauts']);
  assert.deepEqual(typo, {
    code: 1,
    stdout: '',
    stderr: 'error: unknown command "stauts" for "kubectl sticky"\n\nDid you mean this?\n\tstatus\nSee \'kubectl sticky --help\' for usage.\n',
  });
  const missing = await runSticky(['render', 'ingress/nope', '-f', 'examples/seed/', '--deployed']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Error from server \(NotFound\): ingresses "nope" not found$/m);
});

test('TYPE NAME targets run as TYPE/NAME ones do', async () => {
  const spaced = await runSticky(['status', 'svc', 's1', '-f', 'examples/seed/', '-ojson']);
  assert.equal(spaced.code, 0, spaced.stderr);
  assert.deepEqual(spaced, await runSticky(['status', 'svc/s1', '-f', 'examples/seed/', '-ojson']));
  assert.ok(JSON.parse(spaced.stdout).items.length > 0);
  const deploy = await runSticky(['status', 'deploy/web', '-f', 'examples/seed/']);
  assert.deepEqual(deploy, { code: 1, stdout: '', stderr: 'error: kubectl sticky works on services and ingresses, not "deploy"\n' });
});

test("-f - reads the Io's stdin; --help and --version print and exit 0", async () => {
  const stdin =
    'apiVersion: v1\nkind: Service\nmetadata: {name: s1, namespace: default, annotations: {ingress.appscode.com/sticky-session: "true"}}\nspec: {ports: [{port: 80}]}\n';
  const piped = await runSticky(['status', '-f', '-', '-ojson'], { stdin });
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual(JSON.parse(piped.stdout).items, []);
  const help = await runSticky(['status', '--help']);
  assert.equal(help.code, 0);
  // The command's own flags; the shared connection flags are `kubectl sticky options`' (test/unit/cli-help.test.ts).
  for (const flag of ['--no-headers', '--output', '--selector', '--filename', '--all-namespaces']) assert.match(help.stdout, new RegExp(`${flag}\\b`), flag);
  assert.doesNotMatch(help.stdout, /--version/, 'status takes no --version');
  assert.match(help.stdout, /Output format: wide, json, yaml, name, or jsonpath=\.\.\., jsonpath-as-json=\.\.\.,\s+jsonpath-file=\.\.\./);
  const version = await runSticky(['--version']);
  assert.deepEqual(version, { code: 0, stdout: '0.0.0-test\n', stderr: '' });
});
