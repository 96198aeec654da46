// The -f reader's view of objects, as the API server would store them (table-driven).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectsFrom } from '../../src/core/objects.ts';
import { parseManifest } from '../../src/manifests/read.ts';

const read = (yaml: string) => objectsFrom(parseManifest(yaml, 'test'), 'default');

test('an object met twice in -f files is one object, the later winning (kubectl apply)', () => {
  const objects = read(`
apiVersion: v1
kind: Service
metadata: {name: s1, annotations: {ingress.appscode.com/affinity: none}}
spec: {ports: [{port: 80}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web}
spec: {backend: {serviceName: s1, servicePort: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: s1, annotations: {ingress.appscode.com/affinity: cookie}}
spec: {ports: [{port: 80}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web}
spec: {backend: {serviceName: s2, servicePort: 80}}
`);
  assert.equal(objects.services.length, 1);
  assert.equal(objects.services[0]?.meta.annotations['ingress.appscode.com/affinity'], 'cookie');
  assert.equal(objects.ingresses.length, 1);
  assert.equal(objects.ingresses[0]?.defaultBackend?.serviceName, 's2');
});

const REFUSED: { name: string; yaml: string; object: string; says: RegExp }[] = [
  {
    name: 'an annotation value that is a YAML number',
    yaml: 'apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: web, annotations: {ingress.appscode.com/hsts-max-age: 100}}\nspec: {}',
    object: 'ingress/default/web',
    says: /number value, not a string: the API server rejects this object/,
  },
  {
    name: 'a Service with several ports, not all named',
    yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: s1}\nspec: {ports: [{port: 80}, {port: 81, name: b}]}',
    object: 'service/default/s1',
    says: /not every one is named: the API server rejects this Service/,
  },
  {
    name: 'tcp written as a list (the 3.2.0 hack/example)',
    yaml: 'apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n  - tcp: [{port: 22, backend: {serviceName: s1, servicePort: 22}}]',
    object: 'ingress/default/web',
    says: /spec\.rules\[0\]\.tcp is a list.*the API server rejects this Ingress/,
  },
];

for (const c of REFUSED) {
  test(`refused by the API server, so it counts for nothing: ${c.name}`, () => {
    const objects = read(c.yaml);
    assert.equal(objects.ingresses.length + objects.services.length, 0);
    assert.ok(
      objects.issues.some((issue) => issue.object === c.object && c.says.test(issue.message)),
      JSON.stringify(objects.issues),
    );
  });
}

test('an Ingress of the pre-3.0 group appscode.com gets a hint, not silence', () => {
  const objects = read('apiVersion: appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec: {}');
  assert.equal(objects.ingresses.length, 0);
  assert.match(objects.issues[0]?.message ?? '', /before 3\.0.*voyager\.appscode\.com\/v1beta1/);
});

test('Secrets are known by name and keys only', () => {
  const objects = read('apiVersion: v1\nkind: Secret\nmetadata: {name: pass}\ndata: {auth: c2VjcmV0}\nstringData: {extra: plain}');
  assert.deepEqual(objects.secrets?.map((s) => [s.meta.name, s.keys]), [['pass', ['auth', 'extra']]]);
  assert.doesNotMatch(JSON.stringify(objects), /c2VjcmV0|plain/);
});
