// Distribution through krew, end to end: krew v0.4.3 (built from the Go module proxy, cached in
// ~/.cache/kubectl-sticky/krew/) installs the linux/amd64 archive of dist/release offline, and the
// self-contained plugin then runs through kubectl with no Node.js on PATH; `kubectl sticky
// completion install` makes `kubectl sticky <TAB>` complete, and after `completion uninstall` and
// `krew uninstall` nothing of the plugin is left under KREW_ROOT. Also from an index served on
// loopback: `krew upgrade` to a new version keeps completion working; and krew's own validator
// accepts the manifest and installs all five archives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { archiveName, ensureRelease, releaseDir, root, version } from '../../scripts/package.ts';

const KREW_VERSION = 'v0.4.3';

/** krew's krew or validate-krew-manifest, built once. */
function krewBinary(name: 'krew' | 'validate-krew-manifest' = 'krew'): string {
  const dir = join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kubectl-sticky', 'krew', KREW_VERSION);
  const bin = join(dir, name);
  if (!existsSync(bin)) {
    execFileSync('go', ['install', `sigs.k8s.io/krew/cmd/${name}@${KREW_VERSION}`], {
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

test('krew installs the linux/amd64 archive; it runs through kubectl without Node.js; completion install, completion; uninstalls leave nothing', {
  timeout: 15 * 60_000,
}, async () => {
  const krew = krewBinary();
  const manifest = await ensureRelease(['linux/amd64']);
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

  // Completion: the one command the caveats give, then kubectl's plugin completion.
  const store = join(krewRoot, 'store', 'sticky', `v${version()}`);
  assert.deepEqual(readdirSync(store).sort(), ['LICENSE', 'kubectl-sticky']);
  assert.match(install.stderr, /kubectl sticky completion install/, 'caveats give the command');
  assert.doesNotMatch(run('kubectl', ['__complete', 'sticky', 'en'], env).stdout, /^enable\t/m, 'no completion before install');
  const setup = run('kubectl', ['sticky', 'completion', 'install'], env);
  assert.equal(setup.code, 0, setup.stderr);
  assert.equal(setup.stdout.split('\n')[0], `completion installed: ${join(krewRoot, 'bin', 'kubectl_complete-sticky')}`);
  assert.equal(readlinkSync(join(krewRoot, 'bin', 'kubectl_complete-sticky')), 'kubectl-sticky');
  const en = run('kubectl', ['__complete', 'sticky', 'en'], env);
  assert.equal(en.code, 0, en.stderr);
  assert.match(en.stdout, /^enable\t/m);
  assert.doesNotMatch(en.stdout, /^(disable|status)\b/m);
  const output = run('kubectl', ['__complete', 'sticky', 'status', '-o', ''], env);
  assert.deepEqual(
    output.stdout.split('\n').filter((l) => l && !l.startsWith(':') && !l.startsWith('Completion')),
    ['wide', 'json', 'yaml', 'name', 'jsonpath=', 'jsonpath-as-json=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='],
  );
  assert.match(output.stdout, /^:4$/m);
  const again = run('kubectl', ['sticky', 'completion', 'install'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^completion already installed: /);

  const removeCompletion = run('kubectl', ['sticky', 'completion', 'uninstall'], env);
  assert.equal(removeCompletion.code, 0, removeCompletion.stderr);
  assert.ok(!existsSync(join(krewRoot, 'bin', 'kubectl_complete-sticky')), 'completion link removed');

  const list = run('kubectl', ['krew', 'list'], { ...env, PATH: `${krewBin}:${env.PATH}` });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^(detached\/)?sticky\b/m);
  const uninstall = run('kubectl', ['krew', 'uninstall', 'sticky'], { ...env, PATH: `${krewBin}:${env.PATH}` });
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.notEqual(run('kubectl', ['sticky', '--version'], env).code, 0);
  // Nothing of the plugin under KREW_ROOT: every path left is krew's own (index/, empty bin/ and store/).
  const left = walk(krewRoot).filter((path) => !path.startsWith('index'));
  assert.deepEqual(
    left.filter((path) => /sticky/.test(path)),
    [],
    'nothing named sticky left',
  );
  assert.deepEqual(readdirSync(join(krewRoot, 'bin')), [], 'bin/ is empty');
  assert.deepEqual(readdirSync(join(krewRoot, 'store')), [], 'store/ is empty');
});

/** Every path under dir, relative, links not followed. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const rel = relative(base, path);
    return e.isDirectory() && !e.isSymbolicLink() ? [rel, ...walk(path, base)] : [rel];
  });
}

test("krew's validator (validate-krew-manifest v0.4.3) accepts the manifest and installs every platform's archive", { timeout: 15 * 60_000 }, async () => {
  const validator = krewBinary('validate-krew-manifest');
  const krew = krewBinary();
  const manifest = await ensureRelease();
  // It downloads each platform's uri: a loopback server hands it dist/release's archives.
  const { server, port } = await serveRelease();
  try {
    const dir = join(tmp, 'validate');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    symlinkSync(krew, join(dir, 'bin', 'kubectl-krew'));
    const local = join(dir, 'sticky.yaml');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(local, loopbackUris(text, port));
    assert.notEqual(readFileSync(local, 'utf8'), text, 'uris point at the loopback server');
    const env = { HOME: dir, PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`, KREW_NO_UPGRADE_CHECK: '1' };
    // Asynchronous: the server answers in this process while the validator runs.
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(validator, ['-manifest', local], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /structural validation OK/);
    assert.match(r.out, /all 5 spec\.platforms installed fine/);
  } finally {
    server.close();
  }
});

/** A loopback HTTP server for dist/release's archives, standing in for the GitHub release. */
async function serveRelease(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const file = join(releaseDir, basename(req.url ?? ''));
    if (!existsSync(file) || !/\.(tar\.gz|zip)$/.test(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, port: address.port };
}

const loopbackUris = (manifest: string, port: number): string => {
  const out = manifest.replace(/https:\/\/github\.com\/[^"\s]*\//g, `http://127.0.0.1:${port}/`);
  assert.notEqual(out, manifest, 'uris point at the loopback server');
  return out;
};

/** A child process run without blocking this one, whose loopback server must answer meanwhile. */
function runAsync(cmd: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('from an index: install, completion install, `krew upgrade` to a new version keeps completion working, uninstalls leave nothing', {
  timeout: 15 * 60_000,
}, async () => {
  const krew = krewBinary();
  const manifest = await ensureRelease(['linux/amd64']);
  const { server, port } = await serveRelease();
  try {
    const krewRoot = join(tmp, 'index-root');
    const index = join(krewRoot, 'index', 'default');
    mkdirSync(join(index, 'plugins'), { recursive: true });
    execFileSync('git', ['init', '-q', index]);
    const text = loopbackUris(readFileSync(manifest, 'utf8'), port);
    writeFileSync(join(index, 'plugins', 'sticky.yaml'), text);
    const krewBin = join(tmp, 'index-krew-bin');
    mkdirSync(krewBin);
    symlinkSync(krew, join(krewBin, 'kubectl-krew'));
    const tools = toolsDir(join(tmp, 'index-tools'), ['kubectl', 'sh']);
    const env = {
      HOME: tmp,
      KREW_ROOT: krewRoot,
      KREW_NO_UPGRADE_CHECK: '1',
      KUBECONFIG: join(tmp, 'no-kubeconfig'),
      PATH: `${join(krewRoot, 'bin')}:${krewBin}:${tools}`,
    };

    const install = await runAsync('kubectl', ['krew', 'install', '--no-update-index', 'sticky'], env);
    assert.equal(install.code, 0, install.stderr);
    assert.equal(run('kubectl', ['sticky', 'completion', 'install'], env).code, 0);
    assert.match(run('kubectl', ['__complete', 'sticky', 'en'], env).stdout, /^enable\t/m);

    // A new version in the index: krew re-points bin/kubectl-sticky into the new store folder.
    writeFileSync(join(index, 'plugins', 'sticky.yaml'), text.replace(/^ {2}version: v.*$/m, '  version: v99.0.0'));
    const upgrade = await runAsync('kubectl', ['krew', 'upgrade', '--no-update-index', 'sticky'], env);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    assert.deepEqual(readdirSync(join(krewRoot, 'store', 'sticky')), ['v99.0.0'], 'the old version is gone');
    assert.match(readlinkSync(join(krewRoot, 'bin', 'kubectl-sticky')), /v99\.0\.0/);
    assert.match(run('kubectl', ['__complete', 'sticky', 'en'], env).stdout, /^enable\t/m, 'completion survives the upgrade');

    assert.equal(run('kubectl', ['sticky', 'completion', 'uninstall'], env).code, 0);
    const uninstall = await runAsync('kubectl', ['krew', 'uninstall', 'sticky'], env);
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.deepEqual(
      walk(krewRoot).filter((path) => !path.startsWith('index') && /sticky/.test(path)),
      [],
      'nothing named sticky left',
    );
    assert.deepEqual(readdirSync(join(krewRoot, 'bin')), []);
  } finally {
    server.close();
  }
});
