// The commands in process against the real control plane (the real HTTP client, no fake server):
// stdout, stderr and exit code, golden transcripts of the effect table and the dry-run diffs, and
// the live examples of README.md and docs/*.md.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { assertGolden } from '../support/golden.ts';
import { runSticky, type Ran } from '../support/inprocess.ts';
import { assertShown, readmeExamples } from '../support/readme.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { MUTATE_OBJECTS, RENDER_OBJECTS } from './fixtures.ts';
import { mustKubectl } from './run.ts';

let cluster: Cluster;
process.chdir(repoRoot);

const live = (args: string[]) => runSticky([...args, '--kubeconfig', cluster.kubeconfig]);

// The golden run has namespaces of its own, so what other tests leave behind cannot change it.
const OWN = MUTATE_OBJECTS.replaceAll('e2e-mutate-', 'e2e-commands-');

function resetS1(namespace = 'e2e-mutate-a'): void {
  const keys = ['affinity', 'sticky-session', 'session-cookie-name', 'session-cookie-hash'].map((k) => `ingress.appscode.com/${k}`);
  const patch = {
    metadata: { annotations: Object.fromEntries([...keys, 'ingress.kubernetes.io/affinity', 'ingress.appscode.com/stickySession'].map((k) => [k, null])) },
  };
  mustKubectl(['patch', 'svc', 's1', '-n', namespace, '--type', 'merge', '-p', JSON.stringify(patch)], cluster.kubeconfig);
}

function transcript(args: string[], ran: Ran): string {
  return `$ kubectl sticky ${args.join(' ')}\n[stderr]\n${ran.stderr}[stdout]\n${ran.stdout}[exit ${ran.code}]\n`;
}

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, MUTATE_OBJECTS);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, RENDER_OBJECTS);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, OWN);
  resetS1();
  resetS1('e2e-commands-a');
});

test('enable --dry-run: the effect table and both diffs (golden), nothing written', async () => {
  const args = ['enable', 'svc/s1', '-ne2e-commands-a', '--voyager-version=v12.0.0', '--dry-run'];
  const ran = await live(args);
  assert.equal(ran.code, 0, ran.stderr);
  assertGolden(join(repoRoot, 'test/cli-golden/enable-dry-run.txt'), transcript(args, ran));
  const service = JSON.parse(mustKubectl(['get', 'svc', 's1', '-n', 'e2e-commands-a', '-o', 'json'], cluster.kubeconfig));
  assert.equal(service.metadata.annotations['ingress.appscode.com/affinity'], undefined, 'a dry run writes nothing');
});

test('disable -o name: the effect goes to stderr, the name to stdout', async () => {
  const ran = await live(['disable', 'svc/s1', '-n', 'e2e-commands-a', '--voyager-version', 'v12.0.0', '-oname']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'service/s1\n');
  assert.match(ran.stderr, /^Effect:$/m);
  assert.match(ran.stderr, /^e2e-commands-a +web +a\.example\.com +s1\.e2e-commands-a +no +no$/m);
});

test('status and render live, with -v6 request lines on stderr', async () => {
  const status = await live(['status', '-ne2e-render', '-owide', '--voyager-version', 'v12.0.0', '-v6']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^web +foo\.bar\.com +web:80 +yes +ingress +cookie +SERVERID \(md5\)/m);
  assert.match(status.stderr, /^GET https:\/\/127\.0\.0\.1:\d+\/apis\/voyager\.appscode\.com 200 in \d+ms$/m);
  const missing = await live(['render', 'ingress/absent', '-n', 'e2e-render', '--deployed']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Error from server \(NotFound\): ingresses "absent" not found$/m);
  const forbidden = await runSticky(['status', '-A', '--kubeconfig', cluster.limitedKubeconfig]);
  assert.equal(forbidden.code, 1);
  assert.equal(forbidden.stdout, '');
  assert.match(forbidden.stderr, /try -n NAMESPACE$/m);
});

test('the live examples of README.md and docs/*.md print what the pages show', async () => {
  const examples = readmeExamples().filter((e) => !e.args.includes('-f'));
  assert.ok(examples.length >= 2, 'docs/reference.md shows enable --dry-run and render');
  // mutate.test.ts adds Ingresses named dup to e2e-mutate-a; the README's example predates them.
  for (const kind of ['ingresses.voyager.appscode.com', 'ingresses.networking.k8s.io']) {
    mustKubectl(['delete', kind, 'dup', '-n', 'e2e-mutate-a', '--ignore-not-found'], cluster.kubeconfig);
  }
  for (const example of examples) {
    resetS1();
    assertShown(example, await live(example.args));
  }
});
