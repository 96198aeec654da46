// `npm run demo`: the plugin on the manifests shipped in examples/, no cluster needed.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const plugin = join(root, 'dist', 'kubectl-sticky');
const runs: [string, string[]][] = [
  ["The seed document's two examples, with Voyager 3.2 semantics", ['status', '-f', 'examples/seed/']],
  ['A shop after an upgrade to a current Voyager (v12.0.0)', ['status', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0', '-o', 'wide']],
  [
    "Does the shop's HAProxy run what its annotations say? (exit 1: it does not)",
    ['render', 'ingress/shop', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0', '--deployed'],
  ],
];
let failed = false;
for (const [title, args] of runs) {
  process.stdout.write(`\n### ${title}\n$ kubectl sticky ${args.join(' ')}\n`);
  const result = spawnSync(plugin, args, { cwd: root, stdio: 'inherit' });
  // render --deployed exits 1 for a difference, as kubectl diff does: that is the demo's point.
  const expected = args.includes('--deployed') ? 1 : 0;
  if (result.status !== expected) failed = true;
}
process.exitCode = failed ? 1 : 0;
