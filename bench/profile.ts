// Where the time of one `status -A` goes (issue 24): the bundle built as scripts/build.ts builds
// it but readable (not minified, names kept, the client library inside it), run once under
// `node --cpu-prof` with the launcher's V8 options, and its samples summed by what they do:
// fetch (sockets, TLS, HTTP), gzip, JSON.parse, projection, core, output, garbage collection,
// idle (waiting for the server), start-up and the rest.
//
//   node bench/profile.ts [--kubeconfig FILE] [-- ARGS...]      (default ARGS: status -A -o json)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions, cjsDefine, NODE_OPTIONS } from '../scripts/build.ts';
import { repoRoot } from '../test/e2e/cluster.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export type Category = 'idle' | 'gc' | 'fetch' | 'gzip' | 'JSON.parse' | 'projection' | 'core' | 'output' | 'start-up' | 'other';

/** What a frame is doing, by its source file in the readable bundle (esbuild's `// src/...` markers) or its name. */
function categorize(fn: string, file: string): Category | null {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (/zlib/.test(file) || /^(zlibOnError|processCallback|Zlib|Gunzip)/.test(fn)) return 'gzip';
  // JSON.parse runs inside the function that calls it (V8 shows no frame of its own).
  if ((fn === 'parse' && file === '') || (fn === 'parseJson' && file === 'src/kube/client.ts')) return 'JSON.parse';
  if (/^src\/core\/objects\.ts$/.test(file) && /^(pick|coreFields)$/.test(fn)) return 'projection';
  if (/^node:(_http|http|https|net|tls|_tls|stream|internal\/streams|internal\/http|internal\/tls|internal\/net)/.test(file) || /^src\/(kube|http)/.test(file))
    return 'fetch';
  if (/^src\/core\//.test(file) || /^src\/cli\/(status-plan|gather)/.test(file)) return 'core';
  if (/^src\/output\//.test(file) || /^src\/cli\/io/.test(file)) return 'output';
  if (/^node:internal\/(modules|vm|main|bootstrap)/.test(file) || fn === '(program)') return null;
  return null;
}

/** The source file of each line of the readable bundle, from esbuild's `// path` comments. */
function sourceMapOf(bundle: string): string[] {
  const files: string[] = [];
  let current = '';
  for (const line of bundle.split('\n')) {
    const m = /^\/\/ ((?:src|cmd|node_modules)\/\S+)$/.exec(line);
    if (m) current = m[1] as string;
    files.push(current);
  }
  return files;
}

export function breakdown(profile: Profile, lines: string[], bundleUrl: string): { total: number; by: Record<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fileOf = (n: Node) => (n.callFrame.url.endsWith(bundleUrl) ? (lines[n.callFrame.lineNumber] ?? '') : n.callFrame.url.replace(/^file:\/\//, ''));
  const memo = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = memo.get(id);
    if (known) return known;
    const n = byId.get(id) as Node;
    let c = categorize(n.callFrame.functionName, fileOf(n));
    // A frame of no category (a library, Node's internals) counts for the nearest caller that has one.
    if (c === null) {
      const up = parent.get(id);
      c = up === undefined ? 'other' : categoryOf(up);
      if (n.callFrame.functionName === '(program)') c = 'other';
      else if (up !== undefined && c === 'other' && /^node:internal\/(modules|vm|main)/.test(fileOf(n))) c = 'start-up';
    }
    memo.set(id, c);
    return c;
  };
  const by: Record<string, number> = {};
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const c = categoryOf(id);
    by[c] = (by[c] ?? 0) + dt;
  });
  return { total, by };
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const kubeconfigAt = argv.indexOf('--kubeconfig');
  const kubeconfig = kubeconfigAt >= 0 ? (argv[kubeconfigAt + 1] as string) : join(repoRoot, '.cluster/kubeconfig');
  const args = dash >= 0 ? argv.slice(dash + 1) : ['status', '-A', '-o', 'json'];
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-sticky-profile-'));
  const bundle = join(dir, 'sticky-readable.cjs');
  await build({
    ...bundleOptions,
    outfile: bundle,
    format: 'cjs',
    minify: false,
    keepNames: true,
    define: { ...bundleOptions.define, ...cjsDefine },
    banner: { js: `const __stickyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  });
  writeFileSync(join(dir, 'package.json'), '{"type": "commonjs"}\n');
  const node = join(repoRoot, 'node_modules/.bin/node');
  const t0 = performance.now();
  const r = spawnSync(node, [...NODE_OPTIONS, '--cpu-prof', `--cpu-prof-dir=${dir}`, bundle, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr.toString().slice(-1000)}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const { total, by } = breakdown(profile, sourceMapOf(readFileSync(bundle, 'utf8')), 'sticky-readable.cjs');
  console.log(`${args.join(' ')}: ${Math.round(wall)} ms wall under the profiler, ${Math.round(total)} ms sampled (${join(dir, file)})`);
  for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(12)} ${String(Math.round(v)).padStart(6)} ms  ${((100 * v) / total).toFixed(1)}%`);
}
