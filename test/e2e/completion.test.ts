// Completion through kubectl's plugin protocol: dist/kubectl_complete-sticky (written by
// scripts/package.ts' writeCompleteScript) runs `dist/kubectl-sticky __complete ...`. Commands,
// flags and flag values are answered without a cluster; TARGET and -n names come live from the
// test control plane. Also the pure complete() and a drift check against each command's --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeCompleteScript } from '../../scripts/package.ts';
import { complete, COMMANDS, Directive, finish } from '../../src/cli/complete.ts';
import { ensureCluster, repoRoot } from './cluster.ts';

const dist = join(repoRoot, 'dist');
const script = writeCompleteScript(dist);

function completeRun(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(script, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent', ...env }, timeout: 30_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const last = lines.pop() ?? '';
  assert.match(last, /^:\d+$/, 'last line is the directive');
  return { values: lines.map((l) => l.split('\t')[0] ?? ''), lines, directive: Number(last.slice(1)), stderr: r.stderr };
}

test('pure: commands, flags, values and target prefixes', () => {
  assert.deepEqual(
    complete(['']).candidates.map((c) => c.value),
    ['status', 'render', 'enable', 'disable', 'completion'],
  );
  assert.deepEqual(complete(['en']).candidates.map((c) => c.value), ['enable']);
  assert.deepEqual(complete(['status', '--all']).candidates.map((c) => c.value), ['--all-namespaces']);
  assert.deepEqual(complete(['status', '-o', '']).candidates.map((c) => c.value), ['wide', 'json', 'yaml']);
  assert.deepEqual(complete(['status', '--output=j']).candidates.map((c) => c.value), ['--output=json']);
  assert.deepEqual(complete(['enable', '--dry-run=s']).candidates.map((c) => c.value), ['--dry-run=server']);
  const prefixes = complete(['status', '']);
  assert.deepEqual(prefixes.candidates.map((c) => c.value), ['svc/', 'ingress/']);
  assert.equal(prefixes.directive, Directive.NoSpace | Directive.NoFileComp);
  assert.equal(complete(['status', '-f', '']).directive, Directive.Default, 'files for -f');

  const svc = complete(['status', '-n', 'team-a', '--context=c1', 'svc/s']);
  assert.equal(svc.lookup?.kind, 'services');
  assert.deepEqual(svc.lookup?.flags, { 'all-namespaces': false, namespace: 'team-a', context: 'c1' });
  assert.deepEqual(finish(svc, ['s2', 's1', 'web', 's1']).map((c) => c.value), ['svc/s1', 'svc/s2']);
  const grouped = complete(['status', '-An', 'x', 'ingress/']);
  assert.equal(grouped.lookup?.kind, 'ingresses');
  assert.deepEqual(grouped.lookup?.flags, { 'all-namespaces': true, namespace: 'x' });
  assert.equal(complete(['status', '-n', '']).lookup?.kind, 'namespaces');
  assert.equal(complete(['status', '--context', '']).lookup?.kind, 'contexts');
});

test('kubectl_complete-sticky answers commands and flags fast, without a cluster', () => {
  const commands = completeRun(['']);
  assert.deepEqual(commands.values, ['status', 'render', 'enable', 'disable', 'completion']);
  assert.match(commands.lines[0] ?? '', /^status\t\S/);
  assert.equal(commands.directive, 4);
  assert.ok(completeRun(['status', '-']).values.includes('--namespace'));
  assert.deepEqual(completeRun(['status', '--no-h']).values, ['--no-headers']);
  assert.deepEqual(completeRun(['status', '']).values, ['svc/', 'ingress/']);
  // No cluster reachable: no names, no error.
  const none = completeRun(['status', 'svc/']);
  assert.deepEqual(none.values, []);
  assert.equal(none.directive, 4);
  assert.equal(none.stderr, '');
});

test('every flag in a command\'s --help can be completed', () => {
  for (const command of COMMANDS) {
    const help = spawnSync(join(dist, 'kubectl-sticky'), [command.name, '--help'], { encoding: 'utf8' });
    if (help.status !== 0) continue; // Not implemented yet.
    const flags = new Set([...help.stdout.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]));
    flags.delete('--version');
    const offered = new Set(complete([command.name, '--']).candidates.map((c) => c.value));
    for (const flag of flags) {
      const name = flag as string;
      assert.ok(offered.has(name) || offered.has(`--no-${name.slice(2)}`) || offered.has(name.replace(/^--no-/, '--')), `${command.name}: ${name} is not completed`);
    }
  }
});

test('live names from the cluster: namespaces, svc/ and ingress/', { timeout: 20 * 60_000 }, async () => {
  const cluster = await ensureCluster();
  const kubectl = (...args: string[]) => {
    const r = spawnSync('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], { encoding: 'utf8', input: '' });
    assert.equal(r.status, 0, r.stderr);
  };
  const ns = 'sticky-completion';
  kubectl('create', 'namespace', ns, '--dry-run=client', '-o', 'yaml');
  const apply = (yaml: string) => {
    const r = spawnSync('kubectl', ['--kubeconfig', cluster.kubeconfig, 'apply', '-f', '-'], { encoding: 'utf8', input: yaml });
    assert.equal(r.status, 0, r.stderr);
  };
  apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  for (const name of ['cart', 'catalog', 'web']) {
    apply(`apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ports:\n  - port: 80\n`);
  }
  apply(`apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: ${ns}\nspec:\n  rules:\n  - host: shop.example\n    http:\n      paths:\n      - backend:\n          serviceName: cart\n          servicePort: '80'\n`);
  apply(`apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: site\n  namespace: ${ns}\nspec:\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n`);

  const env = { KUBECONFIG: cluster.kubeconfig };
  assert.deepEqual(completeRun(['status', '-n', ns, 'svc/ca'], env).values, ['svc/cart', 'svc/catalog']);
  assert.deepEqual(completeRun(['enable', `--namespace=${ns}`, 'service/'], env).values, ['service/cart', 'service/catalog', 'service/web']);
  assert.deepEqual(completeRun(['status', '-n', ns, 'ingress/'], env).values, ['ingress/shop', 'ingress/site']);
  assert.deepEqual(completeRun(['status', '-n', ns, 'ingresses.networking.k8s.io/'], env).values, ['ingresses.networking.k8s.io/site']);
  assert.ok(completeRun(['status', '-A', 'svc/'], env).values.includes('svc/catalog'));
  assert.ok(completeRun(['status', '-n', 'sticky-c'], env).values.includes(ns));

  // Through kubectl (1.26+), which finds kubectl_complete-sticky on PATH.
  const r = spawnSync('kubectl', ['__complete', 'sticky', 'status', '-n', ns, 'svc/w'], {
    encoding: 'utf8',
    env: { ...process.env, ...env, PATH: `${dist}:${process.env['PATH'] ?? ''}` },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^svc\/web$/m);
  assert.match(r.stdout, /^:4$/m);
});
