// Every command flow in process, through main() as the binary runs it, against the in-memory Api
// (test/support/memory-api.ts): what each command asks, what it prints that the issues fix
// (exit codes, names, key lines) and what is stored after it. The wire is the e2e tests' job.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/app.ts';
import type { Io } from '../../src/cli/io.ts';
import { WriteUncertainError } from '../../src/errors.ts';
import { isObject, type JsonObject } from '../../src/core/objects.ts';
import { NETWORKING_INGRESSES, SERVICES, voyagerIngresses } from '../../src/kube/api.ts';
import { MUTATE_OBJECTS } from '../e2e/fixtures.ts';
import { runSticky } from '../support/inprocess.ts';
import { MemoryApi, type MemoryOptions } from '../support/memory-api.ts';

const AFFINITY = 'ingress.appscode.com/affinity';
const V12 = ['--voyager-version', 'v12.0.0'];
const INGRESSES = voyagerIngresses('v1beta1');

function objectsOf(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJSON() as unknown)
    .filter(isObject);
}

/** The shop of examples/upgrade on Voyager 5.0.0 (its operator Deployment says so), in default. */
function shop(options: MemoryOptions = {}): MemoryApi {
  return new MemoryApi({ objects: objectsOf(readFileSync(new URL('../../examples/upgrade/shop.yaml', import.meta.url), 'utf8')), ...options });
}

/** Service s1 in e2e-mutate-a, used by Ingresses in two namespaces. */
function mutate(): MemoryApi {
  return new MemoryApi({ objects: objectsOf(MUTATE_OBJECTS), namespace: 'e2e-mutate-a' });
}

function annotations(object: JsonObject | null): Record<string, unknown> {
  const metadata = object && isObject(object['metadata']) ? object['metadata'] : {};
  return isObject(metadata['annotations']) ? metadata['annotations'] : {};
}

function resourceVersion(object: JsonObject | null): unknown {
  return object && isObject(object['metadata']) ? object['metadata']['resourceVersion'] : undefined;
}

async function run(api: MemoryApi, words: readonly string[]) {
  return runSticky(words, { connect: api.connector() });
}

const patches = (api: MemoryApi) => api.calls.filter((c) => c.verb === 'patch');

test('status: the table with the effective state from the detected 5.0 semantics, read-only', async () => {
  const api = shop();
  const ran = await run(api, ['status']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^INGRESS\s+BACKEND\s+SERVICE\s+STICKY\b/);
  assert.match(ran.stdout, /^shop\s+shop\.example\.com\/cart\s+cart\S*\s+yes\b/m);
  assert.match(ran.stdout, /^api\s+api\.example\.com\/\s+api\S*\s+yes\b/m);
  assert.match(ran.stderr, /Voyager 5\.0\.0/);
  assert.deepEqual(patches(api), []);
});

test('status -o json: a StickyStatus whose items carry the backends and their state', async () => {
  const ran = await run(shop(), ['status', '-o', 'json']);
  assert.equal(ran.code, 0, ran.stderr);
  const doc = JSON.parse(ran.stdout) as { kind: string; items: { ingress: { name: string }; backend: { host: string; path: string }; sticky: boolean }[] };
  assert.equal(doc.kind, 'StickyStatus');
  const cart = doc.items.find((i) => i.ingress.name === 'shop' && i.backend.path === '/cart');
  assert.equal(cart?.sticky, true);
  assert.equal(doc.items.length, 3);
});

test('status -A reads every list page (a page of one item each) and -n scopes the connection', async () => {
  const api = new MemoryApi({ objects: objectsOf(MUTATE_OBJECTS), pageSize: 1 });
  const all = await run(api, ['status', '-A']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^e2e-mutate-a\s+web\b/m);
  assert.match(all.stdout, /^e2e-mutate-b\s+other-team\b/m);
  assert.ok(
    api.calls.some((c) => c.verb === 'list' && c.query?.['continue'] !== undefined),
    'a second page was asked',
  );
  const connector = api.connector();
  const scoped = await runSticky(['status', '-n', 'e2e-mutate-b'], { connect: connector });
  assert.equal(connector.options[0]?.namespace, 'e2e-mutate-b');
  assert.match(scoped.stdout, /^other-team\b/m);
  assert.doesNotMatch(scoped.stdout, /^web\b/m);
});

test('status and render of a missing Ingress: NotFound, exit 1', async () => {
  for (const command of ['status', 'render']) {
    const ran = await run(shop(), [command, 'ingress/nope']);
    assert.equal(ran.code, 1, command);
    assert.match(ran.stderr, /^Error from server \(NotFound\): ingresses "nope" not found$/m, command);
  }
});

test('enable: one merge patch of the annotation, with the field manager; other annotations and fields stay', async () => {
  const api = mutate();
  const before = api.object(SERVICES, 'e2e-mutate-a', 's1');
  const ran = await run(api, ['enable', 'svc/s1', ...V12]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^service\/s1 annotated$/m);
  assert.match(ran.stdout, /^e2e-mutate-b\s+other-team\s+.*\bno\s+yes$/m, 'the effect names the other team');
  const after = api.object(SERVICES, 'e2e-mutate-a', 's1');
  assert.deepEqual(annotations(after), { owner: 'team-shop', [AFFINITY]: 'cookie' });
  assert.deepEqual(after?.['spec'], before?.['spec']);
  assert.notEqual(resourceVersion(after), resourceVersion(before));
  assert.deepEqual(
    patches(api).map((p) => ({ name: p.name, dryRun: p.dryRun, fieldManager: p.fieldManager })),
    [{ name: 's1', dryRun: false, fieldManager: 'kubectl-sticky' }],
  );
  const again = await run(api, ['enable', 'svc/s1', ...V12]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^service\/s1 unchanged$/m);
  assert.equal(patches(api).length, 1, 'nothing to change, nothing sent');
});

test('enable --dry-run=client sends nothing, --dry-run=server sends a dry-run patch: nothing is stored either way', async () => {
  const api = mutate();
  const before = api.object(SERVICES, 'e2e-mutate-a', 's1');
  const client = await run(api, ['enable', 'svc/s1', ...V12, '--dry-run=client']);
  assert.equal(client.code, 0, client.stderr);
  assert.match(client.stdout, /^service\/s1 annotated \(dry run\)$/m);
  assert.match(client.stdout, /^\+\s+ingress\.appscode\.com\/affinity: cookie$/m);
  assert.deepEqual(patches(api), []);
  const server = await run(api, ['enable', 'svc/s1', ...V12, '--dry-run=server', '-o', 'json']);
  assert.equal(server.code, 0, server.stderr);
  assert.equal(annotations(JSON.parse(server.stdout))[AFFINITY], 'cookie', 'the server dry run answers the object as it would be');
  assert.deepEqual(
    patches(api).map((p) => p.dryRun),
    [true],
  );
  assert.deepEqual(api.object(SERVICES, 'e2e-mutate-a', 's1'), before);
});

test('disable: removes the keys it set (a null in the patch), keeps the rest; -o name prints the name', async () => {
  const api = mutate();
  assert.equal((await run(api, ['enable', 'svc/s1', ...V12])).code, 0);
  const ran = await run(api, ['disable', 'svc/s1', ...V12, '-o', 'name']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'service/s1\n');
  assert.deepEqual(annotations(api.object(SERVICES, 'e2e-mutate-a', 's1')), { owner: 'team-shop' });
  const patch = patches(api).at(-1)?.patch;
  assert.ok(patch && isObject(patch['metadata']) && isObject(patch['metadata']['annotations']));
  assert.equal(patch['metadata']['annotations'][AFFINITY], null);
});

test('disable of an Ingress with --dry-run=client and then for real: the Ingress is written, its Services are not', async () => {
  const api = shop();
  const before = api.object(INGRESSES, 'default', 'shop');
  const dry = await run(api, ['disable', 'ingress/shop', '--dry-run=client']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(api.object(INGRESSES, 'default', 'shop'), before);
  const ran = await run(api, ['disable', 'ingress/shop']);
  assert.equal(ran.code, 0, ran.stderr);
  const after = annotations(api.object(INGRESSES, 'default', 'shop'));
  assert.equal(after['ingress.appscode.com/sticky-session'], undefined);
  assert.equal(after['ingress.kubernetes.io/session-cookie-name'], 'SHOPID', 'the cookie settings stay');
  assert.deepEqual(
    patches(api).map((p) => `${p.type}/${p.name}`),
    ['ingresses.voyager.appscode.com/shop'],
  );
});

test('--resource-version: a stale one is the server Conflict and nothing changes; the current one writes', async () => {
  const api = mutate();
  const before = api.object(SERVICES, 'e2e-mutate-a', 's1');
  const stale = await run(api, ['enable', 'svc/s1', ...V12, '--resource-version', '1']);
  assert.equal(stale.code, 1);
  assert.match(
    stale.stderr,
    /^Error from server \(Conflict\): Operation cannot be fulfilled on services "s1": the object has been modified; please apply your changes to the latest version and try again$/m,
  );
  assert.match(stale.stderr, /not written: service\/s1/);
  assert.deepEqual(api.object(SERVICES, 'e2e-mutate-a', 's1'), before);
  const current = await run(api, ['enable', 'svc/s1', ...V12, '--resource-version', String(resourceVersion(before))]);
  assert.equal(current.code, 0, current.stderr);
  assert.equal(annotations(api.object(SERVICES, 'e2e-mutate-a', 's1'))[AFFINITY], 'cookie');
});

test('a missing target: NotFound, exit 1, and no target is written (the others are not either)', async () => {
  const api = mutate();
  const ran = await run(api, ['enable', 'svc/s1', 'svc/nope', ...V12]);
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /^Error from server \(NotFound\): services "nope" not found$/m);
  assert.deepEqual(patches(api), []);
  assert.deepEqual(annotations(api.object(SERVICES, 'e2e-mutate-a', 's1')), { owner: 'team-shop' });
});

test('an Ingress target: a missing one is NotFound; a networking.k8s.io one is written under its own resource', async () => {
  const api = mutate();
  const missing = await run(api, ['enable', 'ingress/nope', ...V12]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Error from server \(NotFound\): ingresses "nope" not found$/m);
  api.add({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'net', namespace: 'e2e-mutate-a', annotations: { 'kubernetes.io/ingress.class': 'voyager' } },
    spec: {
      rules: [{ host: 'n.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's1', port: { number: 80 } } } }] } }],
    },
  });
  const ran = await run(api, ['enable', 'ingress/net', ...V12]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^ingress\.networking\.k8s\.io\/net annotated$/m);
  assert.deepEqual(
    patches(api).map((p) => `${p.type}/${p.name}`),
    ['ingresses.networking.k8s.io/net'],
  );
  assert.equal(annotations(api.object(NETWORKING_INGRESSES, 'e2e-mutate-a', 'net'))[AFFINITY], 'cookie');
});

test('a write cut off after it was sent is reported as maybe written, never as not written', async () => {
  const api = mutate();
  api.failNext('patch', new WriteUncertainError('Unable to connect to the server: EOF; the change may or may not have been applied', 'closed'));
  const ran = await run(api, ['enable', 'svc/s1', ...V12]);
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /^Unable to connect to the server: EOF; the change may or may not have been applied$/m);
  assert.match(ran.stderr, /maybe written: service\/s1/);
  assert.doesNotMatch(ran.stderr, /not written: service\/s1/);
});

test('upgrade-check, migrate (server dry run, then for real), then nothing left to migrate', async () => {
  const api = shop();
  const check = await run(api, ['upgrade-check', '--to', 'v12.0.0']);
  assert.equal(check.code, 1, 'backends change');
  assert.match(check.stdout, /^shop\s+shop\.example\.com\/cart\b/m);
  assert.match(check.stdout, /^api\s+api\.example\.com\/\s/m);

  const before = { shop: api.object(INGRESSES, 'default', 'shop'), api: api.object(SERVICES, 'default', 'api') };
  const dry = await run(api, ['migrate', '--to', 'v12.0.0', '--dry-run=server']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^ingress\.voyager\.appscode\.com\/shop annotated \(server dry run\)$/m);
  assert.deepEqual(
    patches(api).map((p) => p.dryRun),
    [true, true],
  );
  assert.deepEqual({ shop: api.object(INGRESSES, 'default', 'shop'), api: api.object(SERVICES, 'default', 'api') }, before);

  const ran = await run(api, ['migrate', '--to', 'v12.0.0']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^ingress\.voyager\.appscode\.com\/shop annotated$/m);
  assert.match(ran.stdout, /^service\/api annotated$/m);
  const stored = annotations(api.object(INGRESSES, 'default', 'shop'));
  assert.equal(stored['ingress.appscode.com/sticky-session'], 'true', 'the key 5.0 reads stays');
  assert.equal(stored[AFFINITY], 'cookie');
  assert.equal(stored['ingress.appscode.com/session-cookie-name'], 'SHOPID');
  assert.equal(annotations(api.object(SERVICES, 'default', 'api'))[AFFINITY], 'cookie');

  const after = await run(api, ['upgrade-check', '--to', 'v12.0.0']);
  assert.equal(after.code, 0, after.stdout + after.stderr);
  const written = patches(api).length;
  const again = await run(api, ['migrate', '--to', 'v12.0.0']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), 'unchanged');
  assert.equal(patches(api).length, written);
});

test('migrate with a missing target writes nothing', async () => {
  const api = shop();
  const ran = await run(api, ['migrate', '--to', 'v12.0.0', 'ingress/shop', 'svc/nope']);
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /services "nope" not found/);
  assert.deepEqual(patches(api), []);
});

test('render: the backends of the live Ingress, with its servers from the Endpoints', async () => {
  const api = shop();
  const ran = await run(api, ['render', 'ingress/shop']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^backend cart\.default:80$/m);
  assert.match(ran.stdout, /^\tcookie SHOPID insert indirect nocache$/m);
  assert.match(ran.stdout, /^\tserver pod-web-0 10\.0\.1\.11:8080\b/m);
  assert.deepEqual(patches(api), []);
});

test('status --watch: the table, then the rows a write changes, until the signal ends it', async () => {
  const api = shop();
  const stop = new AbortController();
  const guard = setTimeout(() => stop.abort(), 20_000);
  let stdout = '';
  const seen = () => {
    if (/^shop\s+shop\.example\.com\/cart\s+cart\S*\s+no\b/m.test(stdout)) stop.abort();
  };
  const io: Io = {
    out: (text) => {
      stdout += `${text}\n`;
      seen();
    },
    write: (text) => {
      stdout += text;
      seen();
    },
    err: () => {},
    stdin: () => '',
  };
  const running = main(['status', '--watch'], { io, connect: api.connector(), signal: stop.signal }, { version: '0.0.0-test', width: 100 });
  // The write goes in once every collection is watched, as a user's would while the table stands.
  while (api.calls.filter((c) => c.verb === 'watch').length < 4 && !stop.signal.aborted) await new Promise((r) => setTimeout(r, 10));
  await api.mergePatch(
    INGRESSES,
    'default',
    'shop',
    { metadata: { annotations: { 'ingress.appscode.com/sticky-session': null } } },
    { dryRun: false, fieldManager: 'x' },
  );
  const code = await running;
  clearTimeout(guard);
  assert.equal(code, 0);
  assert.match(stdout, /^shop\s+shop\.example\.com\/cart\s+cart\S*\s+yes\b/m, 'the table first');
  assert.match(stdout, /^shop\s+shop\.example\.com\/cart\s+cart\S*\s+no\b/m, 'then the changed row');
  const changed = stdout.split('\n').slice(4);
  assert.ok(changed.some((line) => /^shop\b/.test(line)));
  assert.ok(!changed.some((line) => /^api\b/.test(line)), 'an unchanged row is not printed again');
});

test('status at 9.0+: only the Endpoints of backend Services without a selector are read, by name; an absent one leaves its backend out', async () => {
  const objects = objectsOf(`
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: fx, annotations: {ingress.appscode.com/affinity: cookie}}
spec:
  rules:
  - host: x.example.com
    http:
      paths:
      - {path: /hand, backend: {serviceName: hand, servicePort: '80'}}
      - {path: /sel, backend: {serviceName: sel, servicePort: '80'}}
      - {path: /ok, backend: {serviceName: ok, servicePort: '80'}}
---
{apiVersion: v1, kind: Service, metadata: {name: hand, namespace: fx}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: sel, namespace: fx}, spec: {selector: {app: sel}, ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: ok, namespace: fx}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Endpoints, metadata: {name: ok, namespace: fx}, subsets: []}
`);
  const api = new MemoryApi({ objects, namespace: 'fx' });
  const ran = await run(api, ['status', ...V12, '-o', 'json']);
  assert.equal(ran.code, 0, ran.stderr);
  const items = (JSON.parse(ran.stdout) as { items: { backend: { host: string; path: string }; sticky: boolean }[] }).items;
  assert.deepEqual(
    items.map((i) => [`${i.backend.host}${i.backend.path}`, i.sticky]),
    [
      ['x.example.com/hand', false],
      ['x.example.com/sel', true],
      ['x.example.com/ok', true],
    ],
  );
  assert.match(ran.stderr, /leaves backend x\.example\.com\/hand out of haproxy\.cfg: endpoints "hand" not found/);
  const endpointCalls = api.calls.filter((c) => c.type.startsWith('endpoints'));
  assert.deepEqual(endpointCalls.map((c) => [c.verb, c.name]).sort(), [
    ['get', 'hand'],
    ['get', 'ok'],
  ]);
});

test('enable at 9.0+ (a write: no diffs, so no Endpoints needed) still reads those of Services without a selector, by name: its effect agrees with status', async () => {
  const objects = objectsOf(`
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: fx}
spec:
  rules:
  - host: x.example.com
    http:
      paths:
      - {path: /hand, backend: {serviceName: hand, servicePort: '80'}}
      - {path: /sel, backend: {serviceName: sel, servicePort: '80'}}
---
{apiVersion: v1, kind: Service, metadata: {name: hand, namespace: fx}, spec: {ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Service, metadata: {name: sel, namespace: fx}, spec: {selector: {app: sel}, ports: [{port: 80}]}}
`);
  const api = new MemoryApi({ objects, namespace: 'fx' });
  const ran = await run(api, ['enable', 'svc/hand', 'svc/sel', ...V12]);
  assert.equal(ran.code, 0, ran.stderr);
  // hand has no Endpoints: the operator leaves its backend out, sticky or not (status says so too).
  assert.match(ran.stdout, /^fx\s+web\s+x\.example\.com\/hand\s+hand\.fx\s+no\s+no$/m);
  assert.match(ran.stdout, /^fx\s+web\s+x\.example\.com\/sel\s+sel\.fx\s+no\s+yes$/m);
  const endpointCalls = api.calls.filter((c) => c.type.startsWith('endpoints'));
  assert.deepEqual(
    endpointCalls.map((c) => [c.verb, c.name]),
    [['get', 'hand']],
  );
});

test('status reads Secret names only (a metadata-only list) where the operator needs a Secret: a missing frontendRules one means no config', async () => {
  const ingress = (secret: string) => `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: fa, annotations: {ingress.appscode.com/affinity: cookie}}
spec:
  frontendRules:
  - port: 80
    auth: {basic: {secretName: ${secret}}}
  rules:
  - host: x.example.com
    http: {paths: [{path: /, backend: {serviceName: s1, servicePort: '80'}}]}
---
{apiVersion: v1, kind: Service, metadata: {name: s1, namespace: fa}, spec: {selector: {app: s1}, ports: [{port: 80}]}}
---
{apiVersion: v1, kind: Secret, metadata: {name: pass, namespace: fa}, data: {auth: c2VjcmV0}}
`;
  const stickyOf = (stdout: string) => (JSON.parse(stdout) as { items: { sticky: boolean }[] }).items.map((i) => i.sticky);
  const missing = new MemoryApi({ objects: objectsOf(ingress('gone')), namespace: 'fa' });
  const ran = await run(missing, ['status', ...V12, '-o', 'json']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(stickyOf(ran.stdout), [false]);
  assert.match(ran.stderr, /Secret fa\/gone not found/);
  const secretCalls = missing.calls.filter((c) => c.type === 'secrets');
  assert.deepEqual(
    secretCalls.map((c) => [c.verb, c.namespace]),
    [['names', 'fa']],
  );
  assert.doesNotMatch(ran.stdout + ran.stderr, /c2VjcmV0/);
  const present = new MemoryApi({ objects: objectsOf(ingress('pass')), namespace: 'fa' });
  const ok = await run(present, ['status', ...V12, '-o', 'json']);
  assert.deepEqual(stickyOf(ok.stdout), [true], ok.stderr);
});

test("status -f at v13.0.0-rc.0: an Ingress its CRD's schema refuses counts for nothing, with the API server's error; v12.0.0 reads it", async () => {
  const stdin = `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: cv, namespace: default, annotations: {ingress.appscode.com/affinity: cookie}}
spec:
  configVolumes:
  - {name: conf, configMap: {name: conf}}
  backend: {serviceName: s1, servicePort: '80'}
---
{apiVersion: v1, kind: Service, metadata: {name: s1, namespace: default}, spec: {selector: {app: s1}, ports: [{port: 80}]}}
`;
  const v13 = await runSticky(['status', '-f', '-', '--voyager-version', 'v13.0.0-rc.0'], { stdin });
  assert.equal(v13.code, 0, v13.stderr);
  assert.equal(v13.stdout, '');
  assert.match(
    v13.stderr,
    /^Warning: ingress\/default\/cv: the Ingress CRD of Voyager v13\.0\.0-rc\.0 has a full schema and the API server rejects this Ingress \(The Ingress "cv" is invalid: spec\.configVolumes\[0\]\.mountPath: Required value\)/m,
  );
  const v12 = await runSticky(['status', '-f', '-', ...V12], { stdin });
  assert.match(v12.stdout, /^cv\s+\(default\)\s+s1:80\s+yes\b/m);
});

test("render reads the backends' endpoint Pods by name for weight and maxconn; status reads no Pods", async () => {
  const objects = objectsOf(`
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: fp}
spec:
  rules:
  - host: x.example.com
    http: {paths: [{path: /, backend: {serviceName: s1, servicePort: '80'}}]}
---
{apiVersion: v1, kind: Service, metadata: {name: s1, namespace: fp}, spec: {selector: {app: s1}, ports: [{port: 80}]}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: s1, namespace: fp}
subsets: [{addresses: [{ip: 10.4.0.1, targetRef: {kind: Pod, name: s1-0}}, {ip: 10.4.0.2, targetRef: {kind: Pod, name: s1-1}}], ports: [{port: 80}]}]
---
{apiVersion: v1, kind: Pod, metadata: {name: s1-0, namespace: fp, annotations: {ingress.appscode.com/backend-weight: '3', ingress.appscode.com/max-connections: '9'}}}
---
{apiVersion: v1, kind: Pod, metadata: {name: s1-1, namespace: fp}}
`);
  const api = new MemoryApi({ objects, namespace: 'fp' });
  const ran = await run(api, ['render', 'ingress/web', ...V12]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^\tserver pod-s1-0 10\.4\.0\.1:80 maxconn 9 weight 3$/m);
  assert.match(ran.stdout, /^\tserver pod-s1-1 10\.4\.0\.2:80$/m);
  assert.deepEqual(
    api.calls.filter((c) => c.type === 'pods').map((c) => [c.verb, c.name]),
    [
      ['get', 's1-0'],
      ['get', 's1-1'],
    ],
  );
  const status = new MemoryApi({ objects, namespace: 'fp' });
  await run(status, ['status', ...V12, '-o', 'wide']);
  assert.deepEqual(
    status.calls.filter((c) => c.type === 'pods'),
    [],
  );
});
