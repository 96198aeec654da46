// `kubectl sticky render` and the DEPLOYED column against the real control plane: the deployed
// config is a ConfigMap voyager-<ingress> as the operator writes it.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureCluster, type Cluster } from './cluster.ts';
import { kubectl, mustKubectl, rows, sticky } from './run.ts';

let cluster: Cluster;
const NS = 'e2e-render';

const OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: web
  namespace: ${NS}
  annotations: {ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-hash: md5}
spec:
  rules:
  - host: foo.bar.com
    http:
      paths:
      - backend: {serviceName: web, servicePort: '80'}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: ${NS}}
subsets:
- addresses:
  - {ip: 10.0.0.12, targetRef: {kind: Pod, name: web-1, namespace: ${NS}}}
  - {ip: 10.0.0.11, targetRef: {kind: Pod, name: web-0, namespace: ${NS}}}
  ports: [{port: 8080}]
`;

const EXPECTED = `backend web.${NS}:80
\tcookie SERVERID insert indirect nocache
\tserver pod-web-0 10.0.0.11:8080 cookie YYRcFJ3h0KLF3OI6ExT2MQ==
\tserver pod-web-1 10.0.0.12:8080 cookie +ZGE3osA0W7wPeTPgcmEbA==`;

// What Voyager writes has more around it, double spaces and other options on server lines.
const deployedConfig = (cookieLine: string) => `global
  daemon
defaults
  mode http
frontend http-0_0_0_0-80
  bind *:80
  use_backend web.${NS}:80 if { hdr(host) -i foo.bar.com }
backend web.${NS}:80
  ${cookieLine}
  server pod-web-0  10.0.0.11:8080 maxconn 100 cookie YYRcFJ3h0KLF3OI6ExT2MQ==
  server pod-web-1  10.0.0.12:8080 maxconn 100 cookie +ZGE3osA0W7wPeTPgcmEbA==
`;

function setDeployed(text: string): void {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'voyager-web', namespace: NS }, data: { 'haproxy.cfg': text } };
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, JSON.stringify(configMap));
}

const run = (args: string[]) => sticky([...args, '-n', NS, '--voyager-version', 'v12.0.0'], { kubeconfig: cluster.kubeconfig });

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, OBJECTS);
});

test('render prints the backend sections from live objects', () => {
  const result = run(['render', 'ingress/web']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trimEnd(), EXPECTED);
});

test('render --deployed: exit 0 in sync, 1 with a diff on drift, 2 without a deployed config', () => {
  kubectl(['delete', 'configmap', 'voyager-web', '-n', NS, '--ignore-not-found'], { kubeconfig: cluster.kubeconfig });
  const missing = run(['render', 'ingress/web', '--deployed']);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /^error: no deployed config: ConfigMap e2e-render\/voyager-web/m);

  setDeployed(deployedConfig('cookie  SERVERID insert indirect nocache'));
  const same = run(['render', 'ingress/web', '--deployed']);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');

  setDeployed(deployedConfig('# annotations not applied yet'));
  const drift = run(['render', 'ingress/web', '--deployed']);
  assert.equal(drift.code, 1, drift.stderr);
  assert.match(drift.stdout, /^\+\tcookie SERVERID insert indirect nocache$/m);

  const absent = run(['render', 'ingress/absent', '--deployed']);
  assert.equal(absent.code, 2);
});

test('status -o wide shows DEPLOYED, and JSON items carry "deployed" with --deployed', () => {
  setDeployed(deployedConfig('cookie SERVERID insert indirect nocache'));
  const wide = run(['status', '-o', 'wide']);
  assert.equal(wide.code, 0, wide.stderr);
  const table = rows(wide.stdout);
  assert.deepEqual(table[0], ['INGRESS', 'BACKEND', 'SERVICE', 'STICKY', 'SOURCE', 'MODE', 'COOKIE', 'DEPLOYED']);
  assert.deepEqual(table[1], ['web', 'foo.bar.com', 'web:80', 'yes', 'ingress', 'cookie', 'SERVERID (md5)', 'in-sync']);

  setDeployed(deployedConfig('# stale'));
  const json = JSON.parse(run(['status', '-o', 'json', '--deployed']).stdout);
  assert.equal(json.items[0].deployed, 'drift');

  kubectl(['delete', 'configmap', 'voyager-web', '-n', NS], { kubeconfig: cluster.kubeconfig });
  const unknown = JSON.parse(run(['status', '-o', 'json', '--deployed']).stdout);
  assert.equal(unknown.items[0].deployed, 'unknown');
});

// The operator's Events beside the prediction (reasons from v12.0.0 pkg/eventer/event_reasons.go).
test('status quotes the operator\'s Events on the Ingress and flags where they disagree with the prediction', () => {
  const event = (name: string, reason: string, message: string, time: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: NS },
      involvedObject: { apiVersion: 'voyager.appscode.com/v1beta1', kind: 'Ingress', name: 'web', namespace: NS },
      type: 'Warning',
      reason,
      message,
      source: { component: 'voyager-operator' },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, event('web.invalid', 'HAProxyConfigFailed', 'Reason: secrets "mypasswd" not found', '2026-12-01T10:00:00Z'));
  try {
    const result = sticky(['status', '-n', NS, '--voyager-version', 'v12.0.0'], { kubeconfig: cluster.kubeconfig });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /ingress\/e2e-render\/web: DISAGREES: the operator's latest Event is HAProxyConfigFailed "Reason: secrets "mypasswd" not found"/);
    // A later success is the operator's latest word: no disagreement left.
    mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, event('web.written', 'ConfigMapReconcileSuccessful', 'Successfully created ConfigMap voyager-web', '2026-12-01T11:00:00Z'));
    const after = sticky(['status', '-n', NS, '--voyager-version', 'v12.0.0'], { kubeconfig: cluster.kubeconfig });
    assert.equal(after.code, 0, after.stderr);
    assert.doesNotMatch(after.stderr, /DISAGREES/);
  } finally {
    kubectl(['delete', 'events', '-n', NS, 'web.invalid', 'web.written', '--ignore-not-found'], { kubeconfig: cluster.kubeconfig });
  }
});
