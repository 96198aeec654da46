// scripts/test-needs.ts, the first step of `npm test`, on a PATH made here: everything but
// haproxy, and no apt-get (as for a user who is not root or not on Debian), so it must name the
// one command and stop. The install path runs for real on a fresh CI machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'test-needs.ts');
const tmp = mkdtempSync(join(tmpdir(), 'sticky-needs-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const where = (command: string): string => {
  // pyenv's python3 is a shim script: link the interpreter itself.
  const r =
    command === 'python3'
      ? spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' })
      : spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  assert.ok(path, `${command} on this machine's PATH`);
  return path;
};

test('a missing haproxy without apt-get: one line naming the install command, exit 1', () => {
  for (const tool of ['openssl', 'curl', 'git', 'zip', 'unzip', 'python3', 'qemu-aarch64', 'go', 'kubectl']) symlinkSync(where(tool), join(tmp, tool));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: tmp, HOME: tmp } });
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'npm test needs haproxy -v: install it with `apt-get install haproxy` (test/e2e/haproxy.test.ts checks the rendered config with it)',
  ]);
});

test('everything there: silent, exit 0', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
