// Completion through kubectl's plugin protocol: dist/kubectl_complete-sticky (written by
// `npm run build`, scripts/build.ts' writeCompleteScript) runs `dist/kubectl-sticky __complete ...`. Commands,
// flags and flag values are answered without a cluster; TARGET and -n names come live from the
// test control plane. Also a check against each command's --help (the pure walk over the
// declarations is test/unit/cli-complete.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DECLARATIONS } from '../../src/cli/commands.ts';
import { complete } from '../../src/cli/complete.ts';
import { ensureCluster, repoRoot } from './cluster.ts';

const dist = join(repoRoot, 'dist');
// The one `npm run build` made: the README's and `completion install`'s advice for a checkout.
const script = join(dist, 'kubectl_complete-sticky');

function completeRun(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(script, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent', ...env }, timeout: 30_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const last = lines.pop() ?? '';
  assert.match(last, /^:\d+$/, 'last line is the directive');
  return { values: lines.map((l) => l.split('\t')[0] ?? ''), lines, directive: Number(last.slice(1)), stderr: r.stderr };
}

test('npm run build makes dist/kubectl_complete-sticky; through kubectl, `kubectl sticky <TAB>` offers the commands', () => {
  assert.ok(existsSync(script), `${script} is missing: npm run build must make it`);
  const r = spawnSync('kubectl', ['__complete', 'sticky', ''], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/nonexistent', PATH: `${dist}:${process.env['PATH'] ?? ''}` },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.deepEqual(
    lines.map((l) => l.split('\t')[0]),
    [...DECLARATIONS.map((d) => d.name), ':4'],
  );
});

test('no Node ExperimentalWarning from completion or completion install/uninstall; other warnings still print', () => {
  const env = { ...process.env, KUBECONFIG: '/nonexistent', PATH: `${dist}:${process.env['PATH'] ?? ''}` };
  const runs = [
    spawnSync('kubectl', ['__complete', 'sticky', 'status', '--context', ''], { encoding: 'utf8', env }),
    spawnSync(join(dist, 'kubectl-sticky'), ['completion', 'install'], { encoding: 'utf8', env }),
    spawnSync(join(dist, 'kubectl-sticky'), ['completion', 'uninstall'], { encoding: 'utf8', env }),
  ];
  for (const r of runs) {
    assert.doesNotMatch(r.stderr, /ExperimentalWarning|USE_MAIN_CONTEXT_DEFAULT_LOADER/);
    assert.doesNotMatch(r.stderr, /\(node:\d+\)/);
  }
  // From a checkout, install says how to get completion instead (and exits 1).
  assert.equal(runs[1]?.status, 1);
  assert.match(runs[1]?.stderr ?? '', /^error: completion install is for the self-contained kubectl-sticky/);
  // Nothing silences Node's warnings: one raised in the same process still prints.
  const warned = spawnSync(join(dist, 'kubectl-sticky'), ['completion', 'uninstall'], {
    encoding: 'utf8',
    env: { ...env, NODE_OPTIONS: '--import=data:text/javascript,process.emitWarning(`sticky-probe`)' },
  });
  assert.match(warned.stderr, /Warning: sticky-probe/);
});

test('kubectl_complete-sticky answers commands and flags fast, without a cluster', () => {
  const commands = completeRun(['']);
  assert.deepEqual(commands.values, [
    'status',
    'render',
    'enable',
    'disable',
    'upgrade-check',
    'migrate',
    'probe',
    'convert',
    'completion',
    'help',
    'options',
    'version',
  ]);
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

test("every flag in a command's --help can be completed", () => {
  for (const command of DECLARATIONS) {
    const help = spawnSync(join(dist, 'kubectl-sticky'), [command.name, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    const flags = new Set([...help.stdout.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]));
    flags.delete('--version');
    const offered = new Set(complete([command.name, '--']).candidates.map((c) => c.value));
    for (const flag of flags) {
      const name = flag as string;
      assert.ok(offered.has(name), `${command.name}: ${name} is not completed`);
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
  apply(
    `apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: ${ns}\nspec:\n  rules:\n  - host: shop.example\n    http:\n      paths:\n      - backend:\n          serviceName: cart\n          servicePort: '80'\n`,
  );
  apply(
    `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: site\n  namespace: ${ns}\nspec:\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n`,
  );

  const env = { KUBECONFIG: cluster.kubeconfig };
  assert.deepEqual(completeRun(['status', '-n', ns, 'svc/ca'], env).values, ['svc/cart', 'svc/catalog']);
  assert.deepEqual(completeRun(['enable', `--namespace=${ns}`, 'service/'], env).values, ['service/cart', 'service/catalog', 'service/web']);
  assert.deepEqual(completeRun(['status', '-n', ns, 'ingress/'], env).values, ['ingress/shop', 'ingress/site']);
  assert.deepEqual(completeRun(['status', '-n', ns, 'ingresses.networking.k8s.io/'], env).values, ['ingresses.networking.k8s.io/site']);
  assert.ok(completeRun(['status', '-A', 'svc/'], env).values.includes('svc/catalog'));
  // kubectl's TYPE NAME... form, and -n before the command's name (kubectl -n NS get).
  assert.deepEqual(completeRun(['-n', ns, 'status', 'svc', 'web', 'ca'], env).values, ['cart', 'catalog']);
  assert.deepEqual(completeRun(['-n', ns, 'enable', 'ingress', ''], env).values, ['shop', 'site']);
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
