// Offline annotation edits: only the annotation lines change; everything else stays byte for byte.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { editManifest, type AnnotationEdit } from '../../src/manifests/edit.ts';

const ING = (set: Record<string, string>, remove: string[] = []): AnnotationEdit => ({ kind: 'Ingress', apiVersion: null, namespace: 'default', name: 'shop', set, remove });
const SVC = (set: Record<string, string>, remove: string[] = []): AnnotationEdit => ({ kind: 'Service', apiVersion: null, namespace: 'default', name: 'web', set, remove });

const CASES: { name: string; before: string; edits: AnnotationEdit[]; after: string }[] = [
  {
    name: 'adds a key after the last annotation, keeping comments and quoting',
    before: `# the shop
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: shop
  annotations:
    # legacy key, still read by 5.0
    ingress.appscode.com/sticky-session: 'true'   # keep me
spec: {}
`,
    edits: [ING({ 'ingress.appscode.com/affinity': 'cookie' })],
    after: `# the shop
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: shop
  annotations:
    # legacy key, still read by 5.0
    ingress.appscode.com/sticky-session: 'true'   # keep me
    ingress.appscode.com/affinity: cookie
spec: {}
`,
  },
  {
    name: 'changes a value in its own quoting style and quotes what YAML would misread',
    before: `kind: Service
metadata:
  name: web
  annotations:
    ingress.appscode.com/sticky-session: "yes"
    ingress.appscode.com/affinity: none
`,
    edits: [SVC({ 'ingress.appscode.com/sticky-session': 'true', 'ingress.appscode.com/affinity': 'cookie' })],
    after: `kind: Service
metadata:
  name: web
  annotations:
    ingress.appscode.com/sticky-session: "true"
    ingress.appscode.com/affinity: cookie
`,
  },
  {
    name: 'creates annotations under metadata when there are none, at its indentation',
    before: `kind: Ingress
metadata:
    name: shop
    labels: {app: shop}
spec: {}
`,
    edits: [ING({ 'ingress.appscode.com/sticky-session': 'true' })],
    after: `kind: Ingress
metadata:
    name: shop
    labels: {app: shop}
    annotations:
        ingress.appscode.com/sticky-session: "true"
spec: {}
`,
  },
  {
    name: 'removes a key line and leaves the others',
    before: `kind: Ingress
metadata:
  name: shop
  annotations:
    ingress.appscode.com/sticky-session: 'true'
    ingress.kubernetes.io/session-cookie-name: X # old
    ingress.appscode.com/affinity: cookie
`,
    edits: [ING({}, ['ingress.kubernetes.io/session-cookie-name'])],
    after: `kind: Ingress
metadata:
  name: shop
  annotations:
    ingress.appscode.com/sticky-session: 'true'
    ingress.appscode.com/affinity: cookie
`,
  },
  {
    name: 'flow maps, other documents and separators untouched',
    before: `---
kind: Service
metadata: {name: other, annotations: {a: b}}
---
kind: Service
metadata: {name: web, annotations: {ingress.appscode.com/affinity: none, x: y}}
...
`,
    edits: [SVC({ 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'WEBID' }, ['x'])],
    after: `---
kind: Service
metadata: {name: other, annotations: {a: b}}
---
kind: Service
metadata: {name: web, annotations: {ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: WEBID}}
...
`,
  },
  {
    name: 'JSON, inside a List',
    before: `{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": {"a": "b"}}}
  ]
}
`,
    edits: [SVC({ 'ingress.appscode.com/affinity': 'cookie' })],
    after: `{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": {"a": "b", "ingress.appscode.com/affinity": "cookie"}}}
  ]
}
`,
  },
];

for (const c of CASES) {
  test(`editManifest: ${c.name}`, () => {
    const result = editManifest(c.before, c.edits, 'default');
    assert.equal(result.text, c.after);
    assert.equal(result.applied.length, c.edits.length);
    // Still valid YAML/JSON.
    for (const doc of parseAllDocuments(result.text)) assert.deepEqual(doc.errors, []);
  });
}

test('an edit for an object the file does not hold changes nothing', () => {
  const text = 'kind: Service\nmetadata: {name: other}\n';
  const result = editManifest(text, [SVC({ a: 'b' })], 'default');
  assert.equal(result.text, text);
  assert.deepEqual(result.applied, []);
});
