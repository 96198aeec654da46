// The order of backend sections in haproxy.cfg, after Voyager's TemplateData.sort.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectsFrom } from '../../src/core/objects.ts';
import { renderBackends } from '../../src/core/render.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';

const MANIFEST = `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: order, namespace: default}
spec:
  backend: {serviceName: s0, servicePort: '80'}
  rules:
  - host: tcp.example.com
    tcp: {port: '9898', backend: {serviceName: s8, servicePort: '80'}}
  - host: '*.wild.example.com'
    http: {paths: [{path: /w, backend: {serviceName: s1, servicePort: '80'}}]}
  - host: a.example.com
    http: {paths: [{path: /x, backend: {serviceName: s2, servicePort: '80'}}, {path: /x/deeper, backend: {serviceName: s3, servicePort: '80'}}]}
  - http: {paths: [{path: /, backend: {serviceName: s4, servicePort: '80'}}]}
  - host: b.example.com
    http: {port: 8080, paths: [{path: /b, backend: {serviceName: s5, servicePort: '80'}}]}
  - host: z.example.com
    http: {paths: [{path: /a, backend: {serviceName: s6, servicePort: '80'}}, {path: /b, backend: {serviceName: s7, servicePort: '80'}}]}
  - host: tcp.example.com
    tcp: {port: '10000', backend: {serviceName: s9, servicePort: '80'}}
`;

test('sections follow Voyager: HTTP frontends by port text, hosts named > wildcard > empty and descending, deeper and descending paths, TCP by port text, default last', () => {
  const services = Array.from({ length: 10 }, (_, i) => `{apiVersion: v1, kind: Service, metadata: {name: s${i}, namespace: default}, spec: {ports: [{port: 80}]}}`);
  const objects = objectsFrom(parseManifest([MANIFEST, ...services].join('\n---\n'), 'test'), 'default');
  const ingress = objects.ingresses[0];
  assert.ok(ingress);
  const profile = profileFor('9.0.0');
  assert.ok(profile.ok);
  const order = renderBackends(ingress, objects, profile.profile).map((b) => b.service.name);
  // Frontend keys compare as text: "http://80" before "http://8080", TCP "10000" before "9898".
  assert.deepEqual(order, ['s7', 's6', 's3', 's2', 's1', 's4', 's5', 's9', 's8', 's0']);
});
