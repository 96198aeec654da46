// Distribution through krew, end to end: krew v0.4.3 (built from the Go module proxy, cached in
// ~/.cache/kubectl-sticky/krew/) installs the linux/amd64 archive of dist/release offline, and the
// self-contained plugin then runs through kubectl with no Node.js on PATH. Also runs the darwin
// archive's launcher (bundle + sh, Node from PATH) on Linux through a chain of symbolic links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { archiveName, ensureRelease, releaseDir, root, version } from '../../scripts/package.ts';

const KREW_VERSION = 'v0.4.3';

function krewBinary(): string {
  const dir = join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kubectl-sticky', 'krew', KREW_VERSION);
  const bin = join(dir, 'krew');
  if (!existsSync(bin)) {
    execFileSync('go', ['install', `sigs.k8s.io/krew/cmd/krew@${KREW_VERSION}`], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      cwd: tmpdir(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return bin;
}

/** A folder of links to the few programs the runs need, so PATH can leave out /usr/bin/node. */
function toolsDir(base: string, tools: readonly string[]): string {
  const dir = join(base, 'tools');
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    assert.ok(found, `${tool} on PATH`);
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

function run(cmd: string, args: readonly string[], env: Record<string, string>, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'sticky-krew-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('krew installs the linux/amd64 archive; the plugin runs through kubectl without Node.js; krew uninstalls it', { timeout: 15 * 60_000 }, async () => {
  const krew = krewBinary();
  const manifest = await ensureRelease(['linux/amd64', 'darwin/amd64']);
  const archive = join(releaseDir, archiveName({ os: 'linux', arch: 'amd64' }));

  const krewRoot = join(tmp, 'krew-root');
  mkdirSync(join(krewRoot, 'index', 'default'), { recursive: true });
  execFileSync('git', ['init', '-q', join(krewRoot, 'index', 'default')]);
  const krewBin = join(tmp, 'krew-bin');
  mkdirSync(krewBin);
  symlinkSync(krew, join(krewBin, 'kubectl-krew'));
  const tools = toolsDir(tmp, ['kubectl', 'sh', 'cp', 'ls']);
  const base = { HOME: tmp, KREW_ROOT: krewRoot, KREW_NO_UPGRADE_CHECK: '1', KUBECONFIG: join(tmp, 'no-kubeconfig') };
  const env = { ...base, PATH: `${join(krewRoot, 'bin')}:${tools}` };
  assert.notEqual(run('sh', ['-c', 'command -v node'], env).code, 0, 'no node on PATH');

  const install = run('kubectl', ['krew', 'install', `--manifest=${manifest}`, `--archive=${archive}`], { ...env, PATH: `${krewBin}:${env.PATH}` });
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stderr, /Installed plugin: sticky/);
  assert.match(install.stderr, /Node\.js 22\.19/, 'caveats shown');

  const v = run('kubectl', ['sticky', '--version'], env);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), version());
  assert.equal(v.stderr, '', 'no warnings from the single executable application');

  const status = run('kubectl', ['sticky', 'status', '-f', 'examples/seed/'], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^INGRESS\s+BACKEND\s+SERVICE\s+STICKY\s+SOURCE/);
  // Under Voyager 3.2 nothing in the seed is sticky: its missing s2 aborts the whole Ingress.
  assert.match(status.stdout, /^test-ingress\s+foo\.bar\.com\s+s1:80\s+no\s+<none>/m);
  assert.match(status.stderr, /writes no haproxy\.cfg for this Ingress/);

  // The caveats' completion setup, then completion through kubectl.
  const store = join(krewRoot, 'store', 'sticky', `v${version()}`);
  assert.deepEqual(readdirSync(store).sort(), ['LICENSE', 'kubectl-sticky', 'kubectl_complete-sticky']);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, run by sh
  const setup = run('sh', ['-c', 'k="${KREW_ROOT:-$HOME/.krew}"; cp "$k/store/sticky/v' + version() + '/kubectl_complete-sticky" "$k/bin/"'], env);
  assert.equal(setup.code, 0, setup.stderr);
  const completion = run('kubectl', ['__complete', 'sticky', 'st'], env);
  assert.equal(completion.code, 0, completion.stderr);
  assert.match(completion.stdout, /^status\t/m);
  assert.match(completion.stdout, /^:4$/m);

  const list = run('kubectl', ['krew', 'list'], { ...env, PATH: `${krewBin}:${env.PATH}` });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^(detached\/)?sticky\b/m);
  const uninstall = run('kubectl', ['krew', 'uninstall', 'sticky'], { ...env, PATH: `${krewBin}:${env.PATH}` });
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.ok(!existsSync(join(krewRoot, 'bin', 'kubectl-sticky')), 'link removed');
  assert.ok(!existsSync(join(krewRoot, 'store', 'sticky')), 'store removed');
  assert.notEqual(run('kubectl', ['sticky', '--version'], env).code, 0);
});

test('the darwin archive runs through its launcher, found through symbolic links, with Node from PATH', { timeout: 15 * 60_000 }, async () => {
  await ensureRelease(['darwin/amd64']);
  const dir = join(tmp, 'darwin');
  const links = join(tmp, 'links');
  mkdirSync(join(dir, 'store'), { recursive: true });
  mkdirSync(join(links, 'bin'), { recursive: true });
  execFileSync('tar', ['-xzf', join(releaseDir, archiveName({ os: 'darwin', arch: 'amd64' })), '-C', join(dir, 'store')]);
  // bin/kubectl-sticky -> ../mid/kubectl-sticky (relative) -> the real launcher (absolute), like krew's link.
  mkdirSync(join(links, 'mid'));
  symlinkSync(join(dir, 'store', 'kubectl-sticky'), join(links, 'mid', 'kubectl-sticky'));
  symlinkSync('../mid/kubectl-sticky', join(links, 'bin', 'kubectl-sticky'));
  symlinkSync(join(dir, 'store', 'kubectl_complete-sticky'), join(links, 'bin', 'kubectl_complete-sticky'));

  const node24 = dirname(process.execPath);
  const tools = toolsDir(join(tmp, 'darwin-tools'), ['sh', 'readlink', 'dirname']);
  const env = { HOME: tmp, PATH: `${node24}:${tools}`, KUBECONFIG: join(tmp, 'no-kubeconfig') };
  const v = run(join(links, 'bin', 'kubectl-sticky'), ['--version'], env, tmp);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), version());
  // Found on PATH by name, as kubectl runs it.
  const byName = run('sh', ['-c', 'cd / && kubectl-sticky status -f "$1"', 'sh', join(root, 'examples/seed')], {
    ...env,
    PATH: `${join(links, 'bin')}:${env.PATH}`,
  });
  assert.equal(byName.code, 0, byName.stderr);
  assert.match(byName.stdout, /^INGRESS\s+BACKEND/);
  const completion = run(join(links, 'bin', 'kubectl_complete-sticky'), ['status', '-o', ''], env, tmp);
  assert.equal(completion.code, 0, completion.stderr);
  assert.equal(completion.stdout, 'wide\njson\nyaml\n:4\n');

  // No Node.js at all: a clear error.
  const none = run(join(links, 'bin', 'kubectl-sticky'), ['--version'], { ...env, PATH: tools }, tmp);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /needs Node\.js 22\.19 or later on PATH/);
});
