// `kubectl sticky convert` through the real kubectl, its output applied with `kubectl apply
// --dry-run=server` on the real test plane with the real CRDs: Gateway API v1.6.3's experimental
// channel and Envoy Gateway v1.7.1's BackendTrafficPolicy, from their Go modules; and, on a plane
// of its own, the envoy-gateway output against the Gateway API CRDs Envoy Gateway ships.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { convert, judgeIngresses, TARGETS } from '../../src/core/convert.ts';
import { objectsFrom, type JsonObject } from '../../src/core/objects.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { envoyGatewayCrds, envoyPolicyCrd, gatewayApiCrds } from '../support/gateway-crds.ts';
import { ensureCluster, stopCluster, type Cluster } from './cluster.ts';
import { kubectl, mustKubectl, rows, sticky } from './run.ts';
import { corpusFiles, withMissingServices } from '../support/corpus.ts';

type Doc = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };
type Rule = { matches?: { path: { value: string } }[]; backendRefs: { name: string }[]; sessionPersistence?: { sessionName: string; type: string } };

let cluster: Cluster;
const dir = mkdtempSync(join(tmpdir(), 'sticky-convert-'));

before(async () => {
  cluster = await ensureCluster();
  for (const file of [...gatewayApiCrds(), envoyPolicyCrd()]) mustKubectl(['apply', '--server-side', '--force-conflicts', '-f', file], cluster.kubeconfig);
  mustKubectl(
    ['wait', '--for=condition=Established', '--timeout=60s', 'crd/httproutes.gateway.networking.k8s.io', 'crd/backendtrafficpolicies.gateway.envoyproxy.io'],
    cluster.kubeconfig,
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

function docs(text: string): Doc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Doc);
}

/** The server's verdict on the whole stream, as a user runs it. */
function serverDryRun(text: string): void {
  const result = kubectl(['apply', '--dry-run=server', '-f', '-'], { kubeconfig: cluster.kubeconfig, input: text });
  assert.equal(result.code, 0, `kubectl apply --dry-run=server refused the output: ${result.stderr}`);
  assert.match(result.stdout, /created \(server dry run\)/);
}

/** Each route rule's first path and backend, with the cookie of its sessionPersistence ('' for none). */
function ruleCookies(objects: readonly Doc[]): string[] {
  return objects
    .filter((o) => o.kind === 'HTTPRoute')
    .flatMap((route) =>
      (route.spec['rules'] as Rule[]).map(
        (r) => `${r.backendRefs[0]?.name} ${r.matches?.[0]?.path.value ?? '(default)'} ${r.sessionPersistence?.sessionName ?? ''}`,
      ),
    );
}

test('--to gateway-api -f DIR: sessionPersistence SHOPID and BLOGID exactly where Voyager is sticky; the server takes it', () => {
  const result = sticky(['convert', '--to', 'gateway-api', '-f', 'examples/convert/']);
  assert.equal(result.code, 0, result.stderr);
  const objects = docs(result.stdout);
  assert.deepEqual(
    objects.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Gateway/blog', 'HTTPRoute/blog-blog-example-com-80', 'Gateway/shop', 'HTTPRoute/shop-shop-example-com-443'],
  );
  assert.deepEqual(ruleCookies(objects), ['blog-admin /admin BLOGID', 'blog / BLOGID', 'cart /cart SHOPID', 'catalog / ']);
  const shop = objects.find((o) => o.kind === 'Gateway' && o.metadata.name === 'shop');
  assert.deepEqual(shop?.spec['listeners'], [
    {
      name: 'https-443-0',
      protocol: 'HTTPS',
      port: 443,
      hostname: 'shop.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'shop-tls' }] },
    },
  ]);
  // The report reads the objects back: Voyager's state beside the target's, all kept.
  const report = rows(result.stderr.split('\n').slice(1).join('\n'));
  assert.deepEqual(report[0], ['INGRESS', 'BACKEND', 'SERVICE', 'VOYAGER', 'TARGET', 'KEPT']);
  assert.deepEqual(
    report.slice(1).map((r) => `${r[2]} ${r[3]} -> ${r[4]} ${r[5]}`),
    [
      'blog-admin:80 cookie BLOGID -> cookie BLOGID yes',
      'blog:80 cookie BLOGID -> cookie BLOGID yes',
      'cart:80 cookie SHOPID -> cookie SHOPID yes',
      'catalog:80 no -> no yes',
    ],
  );
  serverDryRun(result.stdout);
  const json = sticky(['convert', '--to', 'gateway-api', '-f', 'examples/convert/', '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { kind: string; items: Doc[] };
  assert.equal(list.kind, 'List');
  assert.deepEqual(ruleCookies(list.items), ruleCookies(objects));
  serverDryRun(json.stdout);
});

test('--to haproxy-ingress: networking.k8s.io/v1 Ingresses, cookie-persistence SHOPID and BLOGID, none on the plain Service', () => {
  const result = sticky(['convert', '--to', 'haproxy-ingress', '-f', 'examples/convert/']);
  assert.equal(result.code, 0, result.stderr);
  const objects = docs(result.stdout);
  const summary = objects.map((o) => {
    const paths = (o.spec['rules'] as { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[]).flatMap((r) =>
      r.http.paths.map((p) => `${p.backend.service.name}${p.path}`),
    );
    return `${o.kind}/${o.metadata.name} ${o.spec['ingressClassName']} ${o.metadata.annotations?.['haproxy.org/cookie-persistence'] ?? '-'} ${paths.join(',')}`;
  });
  assert.deepEqual(summary, [
    'Ingress/blog haproxy BLOGID blog-admin/admin,blog/',
    'Ingress/shop-shopid haproxy SHOPID cart/cart',
    'Ingress/shop haproxy - catalog/',
  ]);
  assert.deepEqual(objects[1]?.spec['tls'], [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
  serverDryRun(result.stdout);
});

const LOSSY = `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: lossy
  namespace: default
  annotations:
    ingress.appscode.com/affinity: cookie
    ingress.appscode.com/session-cookie-name: CARTID
    ingress.appscode.com/session-cookie-hash: md5
spec:
  backend:
    serviceName: web
    servicePort: 80
  rules:
  - host: lossy.example.com
    http:
      paths:
      - path: /api
        backend:
          serviceName: web
          servicePort: 80
          backendRules: ['http-request set-header X-Via voyager']
  - host: lossy.example.com
    tcp:
      port: 6379
      backend: {serviceName: redis, servicePort: 6379}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: default}
spec: {selector: {app: redis}, ports: [{port: 6379}]}
`;

test('what a target cannot express is a warning naming the backend; --strict fails with nothing on stdout', () => {
  const file = join(dir, 'lossy.yaml');
  writeFileSync(file, LOSSY);
  const plain = sticky(['convert', '--to', 'gateway-api', '-f', file, '--voyager-version', 'v12.0.0']);
  assert.equal(plain.code, 0, plain.stderr);
  const warnings = plain.stderr.split('\n').filter((l) => l.startsWith('Warning: ingress/default/lossy:'));
  assert.ok(
    warnings.some((w) => /backend lossy\.example\.com\/api .*"http-request set-header X-Via voyager".* is lost/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /backend lossy\.example\.com\/api .*session-cookie-hash md5/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /backend lossy\.example\.com:6379 .*source-IP stickiness .* is lost/.test(w)),
    warnings.join('\n'),
  );
  const objects = docs(plain.stdout);
  assert.deepEqual(ruleCookies(objects), ['web /api CARTID', 'web (default) CARTID']);
  assert.ok(objects.some((o) => o.kind === 'TCPRoute'));
  serverDryRun(plain.stdout);

  const strict = sticky(['convert', '--to', 'gateway-api', '-f', file, '--voyager-version', 'v12.0.0', '--strict']);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, '');
  assert.match(strict.stderr, /error: --strict: \d+ things cannot be carried over to gateway-api/);
});

test('--to envoy-gateway: source-IP stickiness of a TCP rule as a BackendTrafficPolicy (ConsistentHash SourceIP); the server takes it', () => {
  const file = join(dir, 'lossy.yaml');
  writeFileSync(file, LOSSY);
  const result = sticky(['convert', '--to', 'envoy-gateway', '-f', file, '--voyager-version', 'v12.0.0']);
  assert.equal(result.code, 0, result.stderr);
  const objects = docs(result.stdout);
  const policy = objects.find((o) => o.kind === 'BackendTrafficPolicy');
  assert.deepEqual(policy?.spec, {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute', name: 'lossy-tcp-6379' }],
    loadBalancer: { type: 'ConsistentHash', consistentHash: { type: 'SourceIP' } },
  });
  assert.doesNotMatch(result.stderr, /source-IP stickiness .* is lost/);
  assert.ok(rows(result.stderr).some((r) => r[1] === 'lossy.example.com:6379' && r[3] === 'source-ip' && r[4] === 'source-ip' && r[5] === 'yes'));
  serverDryRun(result.stdout);
});

test('convert writes nothing to the cluster and names a missing Ingress as kubectl does', () => {
  const missing = sticky(['convert', '--to', 'gateway-api', 'ingress/nope', '-f', 'examples/convert/']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server \(NotFound\): ingresses(\.voyager\.appscode\.com)? "nope" not found/);
  const listed = kubectl(['get', 'httproutes.gateway.networking.k8s.io', '-A', '-o', 'name'], { kubeconfig: cluster.kubeconfig });
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stdout, '');
});

function corpusOf(): string[] {
  const files = corpusFiles();
  assert.ok(files.length >= 200, `only ${files.length} corpus files`);
  return files;
}

/** Every corpus Ingress converted at its tag, in one namespace per file so that objects of two files never meet. */
function corpusConversion(target: (typeof TARGETS)[number]): JsonObject[] {
  const produced: JsonObject[] = [];
  for (const [n, file] of corpusOf().entries()) {
    const version = profileFor((file.split('/').pop() ?? '').split('__')[0] ?? '');
    if (!version.ok) throw new Error(version.message);
    const objects = withMissingServices(objectsFrom(parseManifest(readFileSync(file, 'utf8'), file), 'default'));
    const { judged } = judgeIngresses(objects, { profile: version.profile, source: 'flag', ingressClass: null });
    for (const object of convert(judged, objects.services, { target, gatewayClass: 'eg', gateway: null, ingressClassName: 'haproxy' }).objects) {
      const metadata = object['metadata'];
      if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) metadata['namespace'] = `corpus-${n}`;
      produced.push(object);
    }
  }
  assert.ok(produced.length > 150, `${target}: only ${produced.length} objects`);
  return produced;
}

/** One server dry run of all the objects (their namespaces created first): every one is taken. */
function dryRunAll(kubeconfig: string, produced: readonly JsonObject[], what: string): void {
  const namespaces = [...new Set(produced.map((o) => (JSON.parse(JSON.stringify(o['metadata'])) as { namespace: string }).namespace))];
  const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  mustKubectl(
    ['apply', '--server-side', '-f', '-'],
    kubeconfig,
    list(namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))),
  );
  const result = kubectl(['apply', '--dry-run=server', '-f', '-'], { kubeconfig, input: list([...produced]) });
  assert.equal(result.code, 0, `${what}: ${result.stderr.slice(0, 3000)}`);
  assert.equal(result.stdout.trim().split('\n').length, produced.length);
}

test('every corpus Ingress, converted at its tag for each target, is taken by a server dry run', { timeout: 600_000 }, () => {
  for (const target of TARGETS) dryRunAll(cluster.kubeconfig, corpusConversion(target), target);
});

const ENVOY_PLANE = { CLUSTER_STATE: '.cluster-envoy' };

test("--to envoy-gateway against Envoy Gateway v1.7.1's own CRDs (its bundled Gateway API v1.4.1): the examples and the corpus are taken", {
  timeout: 900_000,
}, async () => {
  const plane = await ensureCluster(ENVOY_PLANE);
  try {
    for (const file of envoyGatewayCrds()) mustKubectl(['apply', '--server-side', '--force-conflicts', '-f', file], plane.kubeconfig);
    mustKubectl(
      ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tlsroutes.gateway.networking.k8s.io', 'crd/backendtrafficpolicies.gateway.envoyproxy.io'],
      plane.kubeconfig,
    );
    for (const folder of ['examples/convert/', 'examples/convert-lossy/']) {
      const result = sticky(['convert', '--to', 'envoy-gateway', '-f', folder, '--voyager-version', 'v12.0.0', '-o', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const produced = (JSON.parse(result.stdout) as { items: JsonObject[] }).items;
      assert.ok(produced.length >= 3);
      dryRunAll(plane.kubeconfig, produced, folder);
    }
    dryRunAll(plane.kubeconfig, corpusConversion('envoy-gateway'), 'corpus');
  } finally {
    stopCluster(ENVOY_PLANE);
  }
});
