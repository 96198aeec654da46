// A second control plane that serves voyager.appscode.com/v1 only, as operators v2021.09.15 and
// later install it: live status must list v1 Ingresses and pick 9.0 semantics from discovery.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ensureCluster, stopCluster, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

const ENV = { VOYAGER_API: 'v1', CLUSTER_STATE: '.cluster-v1' };
let cluster: Cluster;

before(async () => {
  cluster = await ensureCluster(ENV);
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `
apiVersion: voyager.appscode.com/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations: {ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: WEBID}
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
  rules:
  - host: foo.bar.com
    http:
      paths:
      - path: /api
        backend:
          service: {name: api, port: {name: http}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default, annotations: {ingress.appscode.com/sticky-session: 'true'}}
spec: {selector: {app: api}, ports: [{name: http, port: 8080}]}
`,
  );
});

after(() => stopCluster(ENV));

test('v1 Voyager Ingresses are listed and discovery picks 9.0 semantics', () => {
  const result = sticky(['status', '-o', 'json'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(doc.semantics, { voyagerVersion: '9.0', profile: '9.0', source: 'discovery', assumedFrom: 'v13.0.0-rc.0' });
  assert.match(result.stderr, /^Semantics: Voyager 9\.0 or later, because the server serves voyager\.appscode\.com\/v1/m);
  assert.deepEqual(
    doc.items.map((i: { ingress: { apiVersion: string }; backend: { type: string; path: string | null }; service: { port: string }; cookie: unknown }) => [
      i.ingress.apiVersion,
      i.backend.type,
      i.backend.path,
      i.service.port,
      i.cookie,
    ]),
    [
      ['voyager.appscode.com/v1', 'default', null, '80', { name: 'WEBID', hash: null }],
      ['voyager.appscode.com/v1', 'http', '/api', 'http', { name: 'WEBID', hash: null }],
    ],
  );
  assert.match(result.stderr, /sticky-session is ignored since Voyager 6\.0/);
});

test('enable on a v1 Ingress patches it through the v1 API', () => {
  const result = sticky(['enable', 'ingress/web', '--cookie-hash', 'md5'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.split('\n')[0], 'ingress.voyager.appscode.com/web annotated');
  const object = JSON.parse(mustKubectl(['get', 'ingresses.voyager.appscode.com', 'web', '-o', 'json'], cluster.kubeconfig));
  assert.equal(object.apiVersion, 'voyager.appscode.com/v1');
  assert.equal(object.metadata.annotations['ingress.appscode.com/session-cookie-hash'], 'md5');
});

test('a live v1 Ingress is read as v1 spells it: v1beta1 fields warned about and left out, a port name over a number', () => {
  // This test plane's CRD keeps unknown fields; Voyager's own v1 schema would prune them on write.
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `
apiVersion: voyager.appscode.com/v1
kind: Ingress
metadata: {name: legacy, namespace: default}
spec:
  backend: {serviceName: web, servicePort: 80}
  rules:
  - host: legacy.bar.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: api, port: {name: http, number: 80}}
`,
  );
  const result = sticky(['status', 'ingress/legacy', '-o', 'json'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(
    doc.items.map((i: { backend: { type: string; path: string | null }; service: { name: string; port: string } }) => [
      i.backend.type,
      i.backend.path,
      i.service.name,
      i.service.port,
    ]),
    [['http', '/', 'api', 'http']],
  );
  assert.match(
    result.stderr,
    /ingress\/default\/legacy.*spec\.backend \(v1: spec\.defaultBackend\), spec\.rules\[0\]\.http\.paths\[0\]\.pathType \(v1: none, a path is a prefix\) are not fields of voyager\.appscode\.com\/v1/,
  );
});
