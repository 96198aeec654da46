// Start-up time of the self-contained linux/amd64 executable (`--version`) against
// `kubectl version --client`, in one run: the median of N runs of each (default 20), after two
// warm-up runs. Needs dist/release (npm run package). Usage: node scripts/startup.ts [N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveName, ensureRelease, releaseDir, root } from './package.ts';

const runs = Number(process.argv[2] ?? 20);
await ensureRelease(['linux/amd64']);
const dir = mkdtempSync(join(tmpdir(), 'sticky-startup-'));
execFileSync('tar', ['-xzf', join(releaseDir, archiveName({ os: 'linux', arch: 'amd64' })), '-C', dir]);
// What `kubectl sticky completion install` makes: the executable under the completer's name.
symlinkSync('kubectl-sticky', join(dir, 'kubectl_complete-sticky'));

function median(cmd: string, args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}

const rows: [string, number][] = [
  ['kubectl-sticky --version (self-contained, linux/amd64)', median(join(dir, 'kubectl-sticky'), ['--version'])],
  ['kubectl version --client', median('kubectl', ['version', '--client'])],
  ['kubectl_complete-sticky status "" (self-contained)', median(join(dir, 'kubectl_complete-sticky'), ['status', ''])],
  ['dist/kubectl-sticky --version (ESM bundle, Node 24)', median(join(root, 'dist', 'kubectl-sticky'), ['--version'])],
];
rmSync(dir, { recursive: true, force: true });
console.log(`median of ${runs} runs each:`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(56)} ${ms.toFixed(0)} ms`);
