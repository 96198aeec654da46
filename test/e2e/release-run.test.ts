// The linux/arm64 executable run for real, under qemu-aarch64 (user mode, with Debian's arm64
// C and C++ libraries; scripts/test-needs.ts installs them): the stripped Node binary with the
// injected blob starts, reads manifests, and completes under the completer's name. The
// linux/amd64 one runs natively in krew.test.ts; macOS and Windows cannot run here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveName, ensureRelease, releaseDir, root, version } from '../../scripts/package.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sticky-arm64-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('linux/arm64: runs under qemu-aarch64 without Node: --version, status -f, completion by link name', { timeout: 10 * 60_000 }, async () => {
  await ensureRelease(['linux/arm64']);
  execFileSync('tar', ['-xzf', join(releaseDir, archiveName({ os: 'linux', arch: 'arm64' })), '-C', tmp]);
  symlinkSync('kubectl-sticky', join(tmp, 'kubectl_complete-sticky'));
  const env = { PATH: '/nonexistent', HOME: tmp, KUBECONFIG: join(tmp, 'none'), QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu' };
  const qemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(qemu, 'qemu-aarch64 on PATH (scripts/test-needs.ts installs qemu-user)');
  const run = (exe: string, args: readonly string[]) => {
    const r = spawnSync(qemu, [join(tmp, exe), ...args], { env, cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (r.error) throw r.error;
    return r;
  };
  const v = run('kubectl-sticky', ['--version']);
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), version());
  assert.equal(v.stderr, '', 'no warnings');
  const status = run('kubectl-sticky', ['status', '-f', 'examples/seed/']);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^INGRESS\s+BACKEND\s+SERVICE\s+STICKY\s+SOURCE/);
  assert.match(status.stdout, /^test-ingress\s+foo\.bar\.com\s+s1:80\s/m);
  // qemu passes the link's name as argv[0], as the kernel does for kubectl.
  const complete = run('kubectl_complete-sticky', ['status', '-o', '']);
  assert.equal(complete.status, 0, complete.stderr);
  assert.equal(complete.stdout, 'wide\njson\nyaml\nname\njsonpath=\njsonpath-as-json=\njsonpath-file=\ncustom-columns=\ncustom-columns-file=\n:4\n');
});
