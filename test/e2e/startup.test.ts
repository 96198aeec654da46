// --help and --version must stay fast: they must not evaluate the Kubernetes client. Node records
// every built-in module it loads; client-node pulls in node:tls and node:https, so their absence
// proves the client was not loaded.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { distDir } from './run.ts';

const REPORT = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nLOADED '+JSON.stringify(process.moduleLoadList)))";

function loaded(args: string[]): { code: number; modules: string[] } {
  const result = spawnSync(process.execPath, ['--import', REPORT, `${distDir}/kubectl-sticky`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/nonexistent' },
  });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, result.stderr);
  return { code: result.status ?? -1, modules: JSON.parse(line.slice('LOADED '.length)) as string[] };
}

test('--version and --help do not load the Kubernetes client; a live command does', () => {
  for (const args of [['--version'], ['--help'], ['status', '--help']]) {
    const { code, modules } = loaded(args);
    assert.equal(code, 0, args.join(' '));
    assert.ok(!modules.includes('NativeModule tls'), `${args.join(' ')} loaded node:tls`);
    assert.ok(!modules.includes('NativeModule https'), `${args.join(' ')} loaded node:https`);
  }
  const live = loaded(['status']);
  assert.equal(live.code, 1);
  assert.ok(live.modules.includes('NativeModule tls'), 'the control case must load the client');
});

test('the launcher answers --version, --help and -h alone itself, byte for byte as the bundle does', () => {
  for (const args of [['--version'], ['--help'], ['-h'], ['--version', '-v=6']]) {
    const launcher = spawnSync(`${distDir}/kubectl-sticky`, args, { encoding: 'utf8' });
    const bundle = spawnSync(process.execPath, [`${distDir}/lib/sticky-main.cjs`, ...args], { encoding: 'utf8' });
    assert.equal(launcher.status, 0, args.join(' '));
    assert.equal(launcher.stdout, bundle.stdout, args.join(' '));
    assert.equal(launcher.stderr, bundle.stderr, args.join(' '));
  }
  // Without dist/lib/ beside it, the launcher still answers them: it did not load the bundle.
  const alone = mkdtempSync(join(tmpdir(), 'sticky-launcher-'));
  try {
    copyFileSync(`${distDir}/kubectl-sticky`, join(alone, 'kubectl-sticky'));
    chmodSync(join(alone, 'kubectl-sticky'), 0o755);
    const version = spawnSync(join(alone, 'kubectl-sticky'), ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    const other = spawnSync(join(alone, 'kubectl-sticky'), ['status', '--help'], { encoding: 'utf8' });
    assert.equal(other.status, 1, 'the control case needs the bundle');
    assert.match(other.stderr, /^error: cannot read .*sticky-main\.cjs \(ENOENT\)/);
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});
