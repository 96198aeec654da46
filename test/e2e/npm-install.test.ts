// `npm ci` is quiet although the npm that runs it may run on an older Node than the project: npm
// checks every package's `engines` against ITS Node, while the code runs on the Node 24 that the
// `node` devDependency brings. package.json's devEngines states what npm itself needs (and makes
// npm skip the root's engines check); .npmrc's loglevel=error drops the dependencies' warnings
// (undici's `>=22.19`), which compare with a Node that never loads them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './cluster.ts';

/** The first `name` on PATH outside this checkout's node_modules (the system's, not the project's). */
function systemBinary(name: string): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '' && !d.startsWith(join(repoRoot, 'node_modules')));
  const found = dirs.map((d) => join(d, name)).find((p) => existsSync(p));
  assert.ok(found, `no ${name} on PATH`);
  return realpathSync(found);
}

const node = systemBinary('node');
const npmCli = systemBinary('npm');
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

function npmCi(extra: string[]): string {
  const ran = spawnSync(node, [npmCli, 'ci', '--dry-run', '--no-audit', '--no-fund', ...extra], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  return ran.stdout + ran.stderr;
}

const below = (v: string, major: number, minor: number) => {
  const [a = 0, b = 0] = v.replace(/^v/, '').split('.').map(Number);
  return a < major || (a === major && b < minor);
};

test(`npm ci run by the system Node (${version}) prints no engine warning`, () => {
  assert.doesNotMatch(npmCi([]), /EBADENGINE|npm warn/);
});

test("the warnings dropped are only the dependencies' engines, and only where npm's Node is older", () => {
  const loud = npmCi(['--loglevel=warn']);
  assert.equal(/package: 'undici@/.test(loud), below(version, 22, 19), loud);
  assert.doesNotMatch(loud, /package: 'kubectl-sticky@/, 'devEngines makes npm skip the root engines check');
});

test('engines says what runs the code: the Node the `node` devDependency installs satisfies it', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const bundled: string = lock.packages['node_modules/node'].version;
  const [, major = '0', minor = '0'] = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node) ?? [];
  assert.ok(!below(bundled, Number(major), Number(minor)), `${bundled} vs ${pkg.engines.node}`);
  assert.equal(pkg.devEngines.runtime.onFail, 'error');
});
