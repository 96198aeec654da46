// completion install/uninstall on folders made here: a krew-like layout (bin/kubectl-sticky a link
// into store/), what is refused, and that uninstall removes only what install made.
// The real krew install is test/e2e/krew.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { complete } from '../../src/cli/complete.ts';
import { type CompletionEnv, installCompletion, isCompleterName, runCompletionInstall, uninstallCompletion } from '../../src/cli/completion-install.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sticky-completion-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A krew root: store/sticky/v1/kubectl-sticky, bin/kubectl-sticky -> it. */
function krewLayout(windows = false): { bin: string; env: CompletionEnv } {
  const root = join(tmp, `root${n++}`);
  const exe = windows ? 'kubectl-sticky.exe' : 'kubectl-sticky';
  const store = join(root, 'store', 'sticky', 'v1');
  mkdirSync(store, { recursive: true });
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(store, exe), 'binary');
  // krew on Windows copies the exe into bin; elsewhere it links.
  if (windows) writeFileSync(join(root, 'bin', exe), 'binary');
  else symlinkSync(join(store, exe), join(root, 'bin', exe));
  const other = join(root, 'other');
  mkdirSync(other);
  return {
    bin: join(root, 'bin'),
    env: { path: [other, join(root, 'bin')].join(delimiter), self: join(windows ? root : store, windows ? join('bin', exe) : exe), windows },
  };
}

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => void out.push(t), write: (t: string) => void out.push(t), err: (t: string) => void err.push(t), stdin: () => '' },
    out,
    err,
  };
};

test('install links kubectl_complete-sticky to its kubectl-sticky sibling; again is a no-op; uninstall removes it', () => {
  const { bin, env } = krewLayout();
  const first = installCompletion(env);
  assert.deepEqual(first, { file: join(bin, 'kubectl_complete-sticky'), created: true });
  assert.equal(readlinkSync(first.file), 'kubectl-sticky', 'relative: survives krew re-pointing bin/kubectl-sticky');
  assert.deepEqual(installCompletion(env), { file: first.file, created: false });
  assert.deepEqual(uninstallCompletion(env), { file: first.file, removed: true });
  assert.ok(!existsSync(first.file));
  assert.deepEqual(uninstallCompletion(env), { file: first.file, removed: false });
});

test('refuses what it did not make, and leaves it', () => {
  const { bin, env } = krewLayout();
  const file = join(bin, 'kubectl_complete-sticky');
  writeFileSync(file, '#!/bin/sh\n');
  const r = io();
  assert.equal(runCompletionInstall('install', env, r.io), 1);
  assert.match(r.err.join(), /^error: .*kubectl_complete-sticky exists \(a file\) and was not made by this command/);
  assert.equal(runCompletionInstall('uninstall', env, r.io), 1);
  assert.equal(readFileSync(file, 'utf8'), '#!/bin/sh\n', 'left alone');
  rmSync(file);
  symlinkSync('/usr/bin/true', file);
  assert.throws(() => uninstallCompletion(env), /a link to \/usr\/bin\/true\) was not made by completion install/);
  assert.equal(readlinkSync(file), '/usr/bin/true');
});

test('the first kubectl-sticky on PATH must be this executable; none on PATH is an error', () => {
  const { env } = krewLayout();
  const shadow = join(tmp, 'shadow');
  mkdirSync(shadow);
  writeFileSync(join(shadow, 'kubectl-sticky'), 'another');
  assert.throws(
    () => installCompletion({ ...env, path: `${shadow}${delimiter}${env.path}` }),
    /shadow\/kubectl-sticky is first on PATH but is not this kubectl-sticky/,
  );
  assert.throws(() => installCompletion({ ...env, path: shadow.replace('shadow', 'nothing-here') }), /kubectl-sticky is not on PATH/);
});

test('windows: a .cmd file that calls kubectl-sticky.exe __complete, removed by uninstall', () => {
  const { bin, env } = krewLayout(true);
  const { file, created } = installCompletion(env);
  assert.ok(created);
  assert.equal(file, join(bin, 'kubectl_complete-sticky.cmd'));
  assert.match(readFileSync(file, 'utf8'), /"%~dp0kubectl-sticky\.exe" __complete %\*\r\n$/);
  assert.equal(uninstallCompletion(env).removed, true);
  assert.ok(!existsSync(file));
});

test('the executable answers completion under the completer name; `completion` completes its actions', () => {
  assert.ok(isCompleterName('kubectl_complete-sticky'));
  assert.ok(isCompleterName('kubectl_complete-sticky.exe'));
  assert.ok(!isCompleterName('kubectl-sticky'));
  assert.deepEqual(
    complete(['completion', '']).candidates.map((c) => c.value),
    ['install', 'uninstall'],
  );
  assert.deepEqual(
    complete(['completion', 'un']).candidates.map((c) => c.value),
    ['uninstall'],
  );
  assert.deepEqual(complete(['completion', 'install', '']).candidates, []);
});
