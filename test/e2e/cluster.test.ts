// End-to-end check of the test control plane (test/cluster/up.sh): a real kube-apiserver
// v1.34 with the Voyager Ingress CRD, the seed manifests and a limited user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureCluster, repoRoot } from './cluster.ts';

const cluster = await ensureCluster();

function kubectl(kubeconfig: string, ...args: string[]) {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', cwd: repoRoot });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ensureCluster returns absolute kubeconfig paths and an https loopback server', () => {
  assert.equal(cluster.kubeconfig, resolve(repoRoot, '.cluster/kubeconfig'));
  assert.equal(cluster.limitedKubeconfig, resolve(repoRoot, '.cluster/kubeconfig-limited'));
  assert.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test('ensureCluster reuses the running plane', async () => {
  const again = await ensureCluster();
  assert.deepEqual(again, cluster);
});

test('the server is a real kube-apiserver v1.34', () => {
  const r = kubectl(cluster.kubeconfig, 'version', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const version = JSON.parse(r.stdout);
  assert.match(version.serverVersion.gitVersion, /^v1\.34\./);
});

test('the seed manifests apply and the Voyager Ingresses are listed', () => {
  const seed = (file: string) => resolve(repoRoot, 'examples/seed', file);
  // kubectl's default --validate=strict makes the server reject the seed's typo
  // `metadata.annotation`; with --validate=warn it is dropped with a warning.
  const strict = kubectl(cluster.kubeconfig, 'apply', '-f', seed('ingress-sticky.yaml'));
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /strict decoding error: unknown field "metadata\.annotation"/);
  const warn = kubectl(cluster.kubeconfig, 'apply', '--validate=warn', '-f', seed('ingress-sticky.yaml'));
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "metadata\.annotation"/);
  for (const file of ['service-s1-sticky.yaml', 'ingress-backend.yaml']) {
    const r = kubectl(cluster.kubeconfig, 'apply', '-f', seed(file));
    assert.equal(r.code, 0, `${file}: ${r.stderr}`);
  }
  const r = kubectl(cluster.kubeconfig, 'get', 'ingresses.voyager.appscode.com', '-A');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^default\s+test-ingress\s/m);
  assert.match(r.stdout, /^default\s+test-ingress-backend\s/m);

  // The seed's `metadata.annotation` (singular) typo is dropped; spec is kept whole.
  const ing = JSON.parse(kubectl(cluster.kubeconfig, 'get', 'ingresses.voyager.appscode.com', 'test-ingress', '-n', 'default', '-o', 'json').stdout);
  assert.equal(ing.metadata.annotations?.['ingress.appscode.com/sticky-session'], undefined);
  assert.equal(ing.spec.rules[2].tcp.backend.servicePort, '50077');
  const svc = JSON.parse(kubectl(cluster.kubeconfig, 'get', 'service', 's1', '-n', 'default', '-o', 'json').stdout);
  assert.equal(svc.metadata.annotations['ingress.appscode.com/sticky-session'], 'true');
});

test('the limited user may read Services in team-a only', () => {
  const all = kubectl(cluster.limitedKubeconfig, 'get', 'svc', '-A');
  assert.notEqual(all.code, 0);
  assert.match(all.stderr, /Forbidden/);
  const teamA = kubectl(cluster.limitedKubeconfig, 'get', 'svc', '-n', 'team-a');
  assert.equal(teamA.code, 0, teamA.stderr);
  const ing = kubectl(cluster.limitedKubeconfig, 'get', 'ingresses.voyager.appscode.com', '-n', 'team-a');
  assert.equal(ing.code, 0, ing.stderr);
  const del = kubectl(cluster.limitedKubeconfig, 'delete', 'configmap', 'nothing', '-n', 'team-a');
  assert.match(del.stderr, /Forbidden/);
});
