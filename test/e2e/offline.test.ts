// `status -f`: flags and filters without a cluster, run as kubectl runs the plugin.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { rows, sticky } from './run.ts';

const OPERATOR = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: voyager-operator, namespace: kube-system, labels: {app.kubernetes.io/name: voyager}}
spec:
  template:
    spec:
      containers: [{name: operator, image: ghcr.io/voyagermesh/voyager:v2023.9.18}]
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: labelled, namespace: default, labels: {team: shop}, annotations: {ingress.appscode.com/affinity: cookie}}
spec: {rules: [{host: a.example.com, http: {paths: [{backend: {serviceName: s1, servicePort: '80'}}]}}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: other, namespace: default, labels: {team: blog}, annotations: {kubernetes.io/ingress.class: voyager}}
spec: {rules: [{host: b.example.com, http: {paths: [{backend: {serviceName: s2, servicePort: '80'}}]}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: classless, namespace: default}
spec: {defaultBackend: {service: {name: s1, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: std-voyager, namespace: default, annotations: {kubernetes.io/ingress.class: voyager}}
spec: {defaultBackend: {service: {name: s2, port: {number: 80}}}}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: s1, namespace: default}, spec: {selector: {app: s1}, ports: [{port: 80}]}}
- {apiVersion: v1, kind: Service, metadata: {name: s2, namespace: default}, spec: {selector: {app: s2}, ports: [{port: 80}]}}
`;

const offline = (args: string[]) => sticky(['status', '-f', '-', ...args], { input: OPERATOR });

test('an operator Deployment among the files decides the semantics', () => {
  const result = offline(['-o', 'json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).semantics, { voyagerVersion: 'v2023.9.18', profile: '9.0', source: 'operator', assumedFrom: 'v13.0.0-rc.0' });
  assert.match(
    result.stderr,
    /^Semantics: Voyager v2023\.9\.18 \(9\.0 semantics\), from the image of deployment\/kube-system\/voyager-operator; v13\.0\.0-rc\.0's code, the newest public, assumed for v2023\.9\.18$/m,
  );
});

test('-l, svc/NAME, --ingress-class and --no-headers select and print as kubectl does', () => {
  const byLabel = rows(offline(['-l', 'team=shop', '--no-headers']).stdout);
  assert.deepEqual(byLabel, [['labelled', 'a.example.com', 's1:80', 'yes', 'ingress']]);
  const byService = rows(offline(['svc/s1']).stdout).map((r) => r[0]);
  assert.deepEqual(byService, ['INGRESS', 'classless', 'labelled']);
  // As Voyager's ShouldHandleIngress: its own Ingresses always; a standard one only with the class.
  const byClass = rows(offline(['--ingress-class', 'voyager']).stdout).map((r) => r[0]);
  assert.deepEqual(byClass, ['INGRESS', 'labelled', 'other', 'std-voyager']);
  const withoutClass = rows(offline([]).stdout).map((r) => r[0]);
  assert.deepEqual(withoutClass, ['INGRESS', 'classless', 'labelled', 'other', 'std-voyager']);
});

test('-o yaml is the same document as -o json', () => {
  const json = JSON.parse(offline(['-o', 'json']).stdout);
  const yaml = parse(offline(['-o', 'yaml']).stdout);
  assert.deepEqual(yaml, json);
});

test('an empty selection says so on stderr and exits 0; a missing path is an error', () => {
  const none = offline(['-l', 'team=nobody']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr.trim().split('\n').pop(), 'No resources found');
  const missing = sticky(['status', '-f', 'no/such/dir']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'error: the path "no/such/dir" does not exist');
  const badOutput = offline(['-o', 'table']);
  assert.equal(badOutput.code, 1);
  assert.match(badOutput.stderr, /^error: unable to match a printer suitable for the output format "table"/m);
});

test("kubectl's grammar through kubectl's plugin dispatch: -owide, -ndefault -ojson, --no-headers=true work; -on is an error", () => {
  const wide = sticky(['status', '-f', 'examples/seed/', '-owide']);
  assert.equal(wide.code, 0, wide.stderr);
  assert.deepEqual(rows(wide.stdout)[0], ['INGRESS', 'BACKEND', 'SERVICE', 'STICKY', 'SOURCE', 'MODE', 'COOKIE', 'DEPLOYED']);
  const json = sticky(['status', '-f', 'examples/seed/', '-ndefault', '-ojson']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).kind, 'StickyStatus');
  const bare = sticky(['status', '-f', 'examples/seed/', '--no-headers=true']);
  assert.equal(bare.code, 0, bare.stderr);
  assert.ok(rows(bare.stdout).every((r) => r[0] !== 'INGRESS'));
  const on = sticky(['status', '-f', 'examples/seed/', '-on']);
  assert.equal(on.code, 1);
  assert.equal(on.stdout, '');
  assert.equal(
    on.stderr,
    'error: unable to match a printer suitable for the output format "n", allowed formats are: custom-columns-file=,custom-columns=,json,jsonpath-as-json=,jsonpath-file=,jsonpath=,name,wide,yaml\n',
  );
});
