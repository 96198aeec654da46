// What gathering knows before a command plans, against the real control plane through the real
// kubectl: the plane serves only voyager.appscode.com/v1beta1 and runs no operator Deployment,
// so no version is detected and a write must be told one; its Endpoints lists are complete, so a
// Service without an Endpoints object has none, for status as for render.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureCluster, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

let cluster: Cluster;
const NS = 'e2e-gather';
const STICKY = 'ingress.appscode.com/sticky-session';
const AFFINITY = 'ingress.appscode.com/affinity';

const OBJECTS = `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: panel, namespace: ${NS}}
spec:
  rules:
  - host: admin.example.com
    http: {paths: [{backend: {serviceName: admin, servicePort: '80'}}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: ${NS}, annotations: {${STICKY}: 'true'}}
spec: {ports: [{port: 80}]}
`;

function annotations(): Record<string, string> {
  return JSON.parse(mustKubectl(['get', 'svc', 'admin', '-n', NS, '-o', 'json'], cluster.kubeconfig)).metadata.annotations ?? {};
}

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, OBJECTS);
  mustKubectl(['delete', 'endpoints', 'admin', '-n', NS, '--ignore-not-found'], cluster.kubeconfig);
  mustKubectl(['annotate', 'svc', 'admin', '-n', NS, `${AFFINITY}-`], cluster.kubeconfig);
});

test('no version detected: enable refuses to write on the 3.2 guess; dry runs warn; --voyager-version or KUBECTL_STICKY_VOYAGER_VERSION lets it write', () => {
  const before = annotations();
  const refused = sticky(['enable', 'svc/admin', '-n', NS, '--overwrite'], { kubeconfig: cluster.kubeconfig });
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^Semantics: Voyager 3\.2 assumed/m);
  assert.match(refused.stderr, /^error: the Voyager version is not known .*--voyager-version VERSION \(or KUBECTL_STICKY_VOYAGER_VERSION=VERSION\)$/m);
  assert.deepEqual(annotations(), before);

  for (const dryRun of ['--dry-run', '--dry-run=server']) {
    const dry = sticky(['disable', 'svc/admin', '-n', NS, dryRun], { kubeconfig: cluster.kubeconfig });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /^Warning: the Voyager version is not known .*a GUESS; a real write refuses/m, dryRun);
    assert.deepEqual(annotations(), before, dryRun);
  }

  const env = sticky(['enable', 'svc/admin', '-n', NS], { kubeconfig: cluster.kubeconfig, env: { KUBECTL_STICKY_VOYAGER_VERSION: 'v12.0.0' } });
  assert.equal(env.code, 0, env.stderr);
  assert.match(env.stderr, /^Semantics: Voyager v12\.0\.0 \(9\.0 semantics\), from KUBECTL_STICKY_VOYAGER_VERSION$/m);
  assert.equal(annotations()[AFFINITY], 'cookie');
});

test('--voyager-version 3.2.0 and no Endpoints object for admin: status -o wide and render agree that 3.2 writes no config', () => {
  const version = ['--voyager-version', '3.2.0'];
  const status = sticky(['status', 'svc/admin', '-n', NS, '-o', 'wide', ...version], { kubeconfig: cluster.kubeconfig });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^panel\s+admin\.example\.com\s+admin:80\s+no\s/m);
  assert.match(status.stderr, /^Warning: ingress\/e2e-gather\/panel: Voyager 3\.2\.0 .*writes no haproxy\.cfg .*endpoints "admin" not found/m);
  const render = sticky(['render', 'ingress/panel', '-n', NS, ...version], { kubeconfig: cluster.kubeconfig });
  assert.equal(render.code, 1, render.stderr);
  assert.match(render.stderr, /writes no haproxy\.cfg for ingress\/e2e-gather\/panel .*endpoints "admin" not found/);
  assert.doesNotMatch(render.stderr, /the servers are unknown/);
});
