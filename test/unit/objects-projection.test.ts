// coreFields (objects.ts) keeps only what objectsFrom reads: the object set made from the
// projections must equal the one made from the whole objects, for every manifest the tests and
// examples hold, the benchmark's generated cluster, the Voyager corpus (test/data/corpus), and generated objects
// whose every field may be missing, misplaced or of the wrong type.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { namespaceObjects } from '../../bench/generate.ts';
import { coreFields, isObject, objectsFrom, type Json, type JsonObject } from '../../src/core/objects.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { MUTATE_OBJECTS, RENDER_OBJECTS } from '../e2e/fixtures.ts';

const root = resolve(import.meta.dirname, '..', '..');
const project = (raws: readonly unknown[]) => raws.map((raw) => (isObject(raw) ? coreFields(raw) : raw));
const same = (raws: readonly unknown[], what: string) => assert.deepEqual(objectsFrom(project(raws), 'default'), objectsFrom(raws, 'default'), what);

const DATA = join(root, 'test', 'data');

/** The YAML files under dir, without those of `skip` (test/data has its own test below). */
function yamlFiles(dir: string, skip?: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (join(dir, e.name) === skip ? [] : yamlFiles(join(dir, e.name), skip)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

test('the projection reads the same objects from every manifest of the examples and tests', () => {
  const files = [...yamlFiles(join(root, 'examples')), ...yamlFiles(join(root, 'test'), DATA)];
  assert.ok(files.length > 30, `found ${files.length} manifests`);
  for (const file of files) same(parseManifest(readFileSync(file, 'utf8'), file), file);
  same(parseManifest(MUTATE_OBJECTS, 'MUTATE_OBJECTS'), 'MUTATE_OBJECTS');
  same(parseManifest(RENDER_OBJECTS, 'RENDER_OBJECTS'), 'RENDER_OBJECTS');
});

test('the projection reads the same objects from the Voyager corpus (test/data/corpus)', () => {
  const files = yamlFiles(join(DATA, 'corpus'));
  assert.ok(files.length > 100, `found ${files.length} corpus manifests`);
  for (const file of files) same(parseManifest(readFileSync(file, 'utf8'), file), file);
});

test('the benchmark cluster, with what the API server adds, is read the same and loses the additions', () => {
  for (const apiVersion of ['voyager.appscode.com/v1beta1', 'voyager.appscode.com/v1']) {
    const raws = namespaceObjects(apiVersion, 3, 5, 'bench-').map((o) => {
      const raw = JSON.parse(JSON.stringify(o)) as JsonObject;
      const metadata = isObject(raw['metadata']) ? raw['metadata'] : {};
      metadata['uid'] = '6f1c1f9e-0000-4000-8000-000000000000';
      metadata['managedFields'] = [{ manager: 'bench', operation: 'Update', fieldsV1: { 'f:metadata': {} } }];
      raw['metadata'] = metadata;
      raw['status'] = { loadBalancer: {} };
      return raw;
    });
    same(raws, apiVersion);
    for (const p of project(raws)) {
      assert.ok(isObject(p) && isObject(p['metadata']));
      assert.equal(p['metadata']['managedFields'], undefined);
      assert.equal(p['metadata']['uid'], undefined);
      assert.equal(p['status'], undefined);
    }
  }
});

// Generated objects: every field path a reader of objects.ts looks at (written out here on its
// own, not taken from the projection's shapes), plus fields no reader looks at, each present or
// not, and any of them of any JSON type.
const BACKEND = [
  'name',
  'serviceName',
  'servicePort',
  'service.name',
  'service.port',
  'service.port.number',
  'service.port.name',
  ...['backendRules', 'rewriteRules', 'headerRules', 'backendRule', 'rewriteRule', 'headerRule', 'hostNames', 'alpn', 'proto', 'loadBalanceOn'],
  'extra',
];
const META = [
  'metadata',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotation',
  'metadata.annotations',
  'metadata.labels',
  'metadata.resourceVersion',
  'metadata.uid',
  'metadata.managedFields',
];
const PATHS: Record<string, string[]> = {
  Ingress: [
    ...META,
    'spec',
    ...BACKEND.map((p) => `spec.backend.${p}`),
    ...BACKEND.map((p) => `spec.defaultBackend.${p}`),
    'spec.rules',
    'spec.rules[].host',
    'spec.rules[].http',
    ...['port', 'address', 'noTLS', 'alpn', 'proto', 'paths', 'paths[].path', 'paths[].extra'].map((p) => `spec.rules[].http.${p}`),
    ...BACKEND.map((p) => `spec.rules[].http.paths[].backend.${p}`),
    ...['port', 'address', 'noTLS'].map((p) => `spec.rules[].tcp.${p}`),
    ...BACKEND.map((p) => `spec.rules[].tcp.backend.${p}`),
    'spec.rules[].tcp[].port',
    'spec.tls[].hosts',
    'spec.tls[].secretName',
    'spec.tls[].ref.name',
    'spec.externalIPs',
    'spec.frontendRules',
    'status.loadBalancer',
  ],
  Service: [
    ...META,
    'spec.type',
    'spec.externalName',
    'spec.sessionAffinity',
    'spec.clusterIP',
    ...['port', 'name', 'targetPort', 'protocol', 'nodePort'].map((p) => `spec.ports[].${p}`),
  ],
  Endpoints: [
    ...META,
    ...['ip', 'hostname', 'nodeName', 'targetRef', 'targetRef.kind', 'targetRef.name', 'targetRef.uid'].map((p) => `subsets[].addresses[].${p}`),
    'subsets[].notReadyAddresses[].ip',
    'subsets[].ports[].port',
    'subsets[].ports[].name',
    'subsets[].ports[].protocol',
  ],
  EndpointSlice: [
    ...META,
    'metadata.labels.kubernetes\\.io/service-name',
    'metadata.labels.other',
    ...['conditions.ready', 'conditions.serving', 'targetRef.kind', 'targetRef.name', 'hostname', 'addresses', 'nodeName'].map((p) => `endpoints[].${p}`),
    'ports[].port',
    'ports[].name',
    'addressType',
  ],
  ConfigMap: [...META, 'data', 'data.haproxy\\.cfg', 'binaryData'],
  Secret: [...META, 'data', 'stringData', 'type'],
  Event: [
    ...META,
    ...['namespace', 'kind', 'name', 'uid'].map((p) => `involvedObject.${p}`),
    ...['type', 'reason', 'message', 'lastTimestamp', 'eventTime', 'firstTimestamp', 'count', 'source'],
  ],
  Deployment: [...META, 'spec.replicas', 'spec.template.spec.containers[].image', 'spec.template.spec.containers[].name', 'spec.template.metadata.labels'],
};
const API_VERSIONS = [
  'voyager.appscode.com/v1beta1',
  'voyager.appscode.com/v1',
  'networking.k8s.io/v1',
  'extensions/v1beta1',
  'appscode.com/v1beta1',
  'v1',
  'apps/v1',
];

const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('s1', 'web', 'default', 'Pod', 'http', '80', '10.0.0.1', 'cookie', 'true', 'Ingress', ''),
  fc.integer({ min: -1, max: 70_000 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom<Json>('a', 'h2', 1, null), { maxLength: 2 }),
  fc.dictionary(
    fc.constantFrom('k', 'ingress.appscode.com/affinity', 'kubernetes.io/service-name'),
    fc.oneof(fc.constantFrom<Json>('cookie', 's1'), fc.integer()),
    {
      maxKeys: 2,
    },
  ),
);

const segments = (path: string) => path.split(/(?<!\\)\./).map((s) => s.replaceAll('\\.', '.'));

/** Sets `value` at `path` ('a.b[].c': b a list, its first or second element gets c), unless a non-object is in the way. */
function setPath(target: JsonObject, path: string[], value: Json, index: number): void {
  const [head, ...rest] = path as [string, ...string[]];
  const isList = head.endsWith('[]');
  const key = isList ? head.slice(0, -2) : head;
  if (rest.length === 0 && !isList) {
    target[key] = value;
    return;
  }
  if (isList) {
    if (!(key in target)) target[key] = [{}, {}];
    const list = target[key];
    if (!Array.isArray(list)) return;
    const item = list[index % list.length];
    if (rest.length === 0) list[index % list.length] = value;
    else if (isObject(item)) setPath(item, rest, value, index);
    return;
  }
  if (!(key in target)) target[key] = {};
  const next = target[key];
  if (isObject(next)) setPath(next, rest, value, index);
}

const generated = fc.constantFrom(...Object.keys(PATHS)).chain((kind) =>
  fc
    .record({
      apiVersion: fc.constantFrom(...API_VERSIONS),
      sets: fc.array(
        fc.tuple(
          fc.constantFrom(...(PATHS[kind] as string[])),
          fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
          fc.nat(3),
        ),
        {
          maxLength: 24,
        },
      ),
      // Some objects arrive as a List of themselves.
      asList: fc.boolean(),
    })
    .map(({ apiVersion, sets, asList }) => {
      const raw: JsonObject = { apiVersion, kind, metadata: { name: 'x', namespace: 'ns' } };
      for (const [path, value, index] of sets) setPath(raw, segments(path), value, index);
      return asList ? { apiVersion: 'v1', kind: 'List', items: [raw, 'not an object'] } : raw;
    }),
);

test('the projection reads the same objects from generated objects of every kind, fields of any type', () => {
  fc.assert(
    fc.property(fc.array(generated, { minLength: 1, maxLength: 4 }), (raws) => {
      same(raws, JSON.stringify(raws));
    }),
    { numRuns: 3000, seed: 15 },
  );
});

test('the projection keeps kind and apiVersion only of kinds the core does not read', () => {
  assert.deepEqual(coreFields({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'p' }, spec: {} }), { apiVersion: 'v1', kind: 'Namespace' });
  // A Pod is read for its annotations only (server lines): its spec goes.
  assert.deepEqual(coreFields({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
  });
  assert.deepEqual(coreFields({ apiVersion: 'v1', kind: 'constructor', metadata: { name: 'p' } }), { apiVersion: 'v1', kind: 'constructor' });
});
