// One optimisation step against the one before (issue 24), in the same interleaved rounds:
// `status -A ARGS` of two or more builds (dist folders), and the floor of its requests
// (bench/floor.ts), at full scale on the test plane. Prints medians, peak RSS and the ratios to
// the floor; BENCHMARKS.md's steps table is made of these.
//
//   node bench/ab.ts [--reps N] [--output json|wide] DIST[::EXTRA ARGS]... (the first is the baseline)
//
// e.g. `dist::--disable-compression` runs dist's plugin with that flag added.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCluster, repoRoot } from '../test/e2e/cluster.ts';
import { fetchFloor, requestsOf } from './floor.ts';
import { compare, runOnce, type Command } from './measure.ts';

const { values, positionals } = parseArgs({
  options: { reps: { type: 'string', default: '7' }, output: { type: 'string', default: 'json' } },
  allowPositionals: true,
});
const cluster = await ensureCluster();
const env = { KUBECONFIG: cluster.kubeconfig, KUBECTL_STICKY_NODE: join(repoRoot, 'node_modules/.bin/node') };
const argv = ['status', '-A', '-o', values.output];
const dists = positionals.length ? positionals : [join(repoRoot, 'dist')];
const split = (d: string) => {
  const [dir = '', extra = ''] = d.split('::');
  return { dir, extra: extra ? extra.split(' ') : [] };
};
const probe = await runOnce({ label: 'requests', argv: [join(split(dists[0] as string).dir, 'kubectl-sticky'), ...argv, '-v=6'], env });
const requests = requestsOf(probe.stderr);
const commands: Command[] = [
  { label: 'floor', argv: [], run: () => fetchFloor(cluster.kubeconfig, requests) },
  ...dists.map((d) => ({ label: d, argv: [join(split(d).dir, 'kubectl-sticky'), ...argv, ...split(d).extra], env })),
];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const before = load();
const series = await compare(commands, Number(values.reps), 1, (line) => process.stderr.write(`ab: ${line}\n`));
const [floor] = series;
console.log(`status -A -o ${values.output}, ${values.reps} rounds; load average ${before} -> ${load()}`);
for (const s of series) {
  const ratio = floor && s !== floor ? ` = ${(s.ms / floor.ms).toFixed(2)}x the floor` : '';
  console.log(
    `  ${s.label}: ${Math.round(s.ms)} ms, CPU ${Math.round(s.cpuMs)} ms${s.rssKb ? `, peak RSS ${Math.round(s.rssKb / 1024)} MiB` : ''}${ratio}  [${s.samples.map((x) => Math.round(x.ms)).join(', ')}]`,
  );
}
