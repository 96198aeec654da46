// kubectl's own printers are the oracle for ours: the items of a StickyStatus document are stored
// as custom resources on the real apiserver, so `kubectl get stickybackends -o TEMPLATE` runs
// kubectl's jsonpath, custom-columns and --sort-by over the same data that
// `kubectl sticky status -o TEMPLATE` prints from. The bytes must be the same.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureCluster, type Cluster } from './cluster.ts';
import { kubectl, mustKubectl, sticky } from './run.ts';

const NS = 'e2e-printers';
const GROUP = 'printers.kubectl-sticky.test';
const STATUS = ['status', '-f', 'examples/demo/', '--voyager-version', 'v12.0.0'];

// Fields that may be null in the document are declared nullable: without that the apiserver
// prunes nulls, and kubectl would see a missing field where we see null.
const nullable = (type: string) => ({ type, nullable: true });
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `stickybackends.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'stickybackends', singular: 'stickybackend', kind: 'StickyBackend', listKind: 'StickyBackendList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: {
              backend: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { host: nullable('string'), path: nullable('string'), port: nullable('integer') },
              },
              sticky: nullable('boolean'),
              mode: nullable('string'),
              cookie: {
                type: 'object',
                nullable: true,
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { name: nullable('string'), hash: nullable('string') },
              },
            },
          },
        },
      },
    ],
  },
};

let cluster: Cluster;
let itemCount = 0;

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, JSON.stringify(CRD));
  mustKubectl(['wait', '--for=condition=Established', `crd/stickybackends.${GROUP}`, '--timeout=30s'], cluster.kubeconfig);
  kubectl(['create', 'namespace', NS], { kubeconfig: cluster.kubeconfig });
  const document = JSON.parse(mustStatus(['-o', 'json'])) as { items: Record<string, unknown>[] };
  itemCount = document.items.length;
  // Names in document order: the apiserver lists by name, so kubectl sees the items in our order.
  const items = document.items.map((item, i) => ({
    ...item,
    apiVersion: `${GROUP}/v1`,
    kind: 'StickyBackend',
    metadata: { name: `b${String(i).padStart(2, '0')}`, namespace: NS },
  }));
  // create, not apply: apply's patch computation drops null fields.
  mustKubectl(['delete', 'stickybackends', '--all', '-n', NS], cluster.kubeconfig);
  mustKubectl(['create', '--validate=false', '-f', '-'], cluster.kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
});

function mustStatus(args: string[]): string {
  const ran = sticky([...STATUS, ...args]);
  assert.equal(ran.code, 0, ran.stderr);
  return ran.stdout;
}

const CASES: string[][] = [
  ['-o', 'jsonpath={.items[*].service.name}'],
  ['-o', 'jsonpath={range .items[?(@.sticky==true)]}{.service.name}{"\\t"}{.cookie.name}{"\\n"}{end}'],
  ['-o', 'jsonpath={.items[?(@.sticky==true)].cookie}'],
  ['-o', 'jsonpath={.items[0].backend}{"\\n"}{.items[-1:].backend.port}'],
  ['-o', 'jsonpath={.items[*].mode}'],
  ['-o', 'jsonpath={.items[*].warnings}'],
  ['-o', 'jsonpath-as-json={.items[?(@.sticky==false)].warnings[*].message}'],
  ['-o', 'jsonpath-as-json={.items[*].sticky}'],
  ['-o', 'jsonpath-as-json={.items[1].service}'],
  ['-o', 'custom-columns=SVC:.service.name,STICKY:.sticky,COOKIE:.cookie.name'],
  ['-o', 'custom-columns=SVC:.service.name,MODE:.mode,COOKIE:.cookie,HASH:.cookie.hash,SOURCES:.sources,PORT:.backend.port'],
  ['-o', 'custom-columns=SVC:.service.name,PORT:.service.port', '--no-headers'],
  ['-o', 'custom-columns=SVC:{.service.name},HOST:backend.host', '--sort-by', '{.service.name}'],
  ['-o', 'jsonpath={.items[*].service.name}', '--sort-by', '.backend.host'],
  ['-o', 'custom-columns=SVC:.service.name,PORT:.service.port', '--sort-by', '.service.port'],
  ['-o', 'jsonpath={.items[1:5:2].service.name} {.items[2:2].service.name}{.items[-2:].backend.host}'],
  ['-o', 'jsonpath={range .items[*]}{.service.name}{"\\n"}'],
];

test('the StickyStatus document was stored as one custom resource per backend', () => {
  assert.ok(itemCount >= 6, `${itemCount} items`);
  const names = mustKubectl(['get', 'stickybackends', '-n', NS, '-o', 'name'], cluster.kubeconfig).trim().split('\n');
  assert.equal(names.length, itemCount);
});

for (const args of CASES) {
  test(`${args.join(' ')}: kubectl sticky status prints what kubectl get prints`, () => {
    const ours = mustStatus(args);
    const theirs = mustKubectl(['get', 'stickybackends', '-n', NS, ...args], cluster.kubeconfig);
    assert.equal(ours, theirs);
    assert.notEqual(ours.trim(), '', 'a case that prints nothing proves nothing');
  });
}

// A template that fails on the document: kubectl's exit code and first line (kubectl goes on to
// dump the whole document; we stop at the line that says what is wrong).
const FAILING: string[][] = [
  ['-o', 'jsonpath={.items[?(@.mode=="cookie")].cookie}'],
  ['-o', 'jsonpath={.items[*].warnings[0].object}'],
  ['-o', 'jsonpath={.items[?(@.service.port==80)].service.name}'],
  // client-go's slices: a start after the end, bounds and steps are errors, not empty output.
  ['-o', 'jsonpath={.items[3:1].service.name}'],
  ['-o', 'jsonpath={.items[-1:-2].service.name}'],
  ['-o', 'jsonpath={.items[-1:0].service.name}'],
  ['-o', 'jsonpath={.items[0:100].service.name}'],
  ['-o', 'jsonpath={.items[0:2:0].service.name}'],
  ['-o', 'jsonpath={.items[0].service[*]}'],
  ['-o', 'jsonpath={.items[*].service.name}{end}'],
];

for (const args of FAILING) {
  test(`${args.join(' ')}: fails as kubectl get fails`, () => {
    const ours = sticky([...STATUS, ...args]);
    const theirs = kubectl(['get', 'stickybackends', '-n', NS, ...args], { kubeconfig: cluster.kubeconfig });
    assert.equal(theirs.code, 1, theirs.stderr);
    assert.equal(ours.code, theirs.code);
    assert.equal(ours.stdout, '');
    const first = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('error: ')) ?? '';
    assert.equal(first(ours.stderr), first(theirs.stderr).replace(/ Printing more information for debugging the template:$/, ''));
  });
}
