// Faults between the plugin and the API server, injected by a loopback TLS proxy in front of the
// real test apiserver (test/support/fault-proxy.ts): the server stops in the middle of a
// multi-target enable, a connection drops, a server never answers, 429/5xx answers. The shared
// plane itself is never stopped: other tests use it.

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultTimeoutMs } from '../../src/timeout.ts';
import { FaultProxy, PASS, kubeconfigFor, silentServer, type Fault } from '../support/fault-proxy.ts';
import { stickyAsync } from '../support/spawn.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { mustKubectl } from './run.ts';

const NS = 'rel-faults';
const PKI = resolve(repoRoot, '.cluster/pki');
const SERVICES = ['a1', 'a2', 'a3'];
const STICKY = 'ingress.appscode.com/sticky-session';
// Pinned, so the written key does not depend on operator Deployments other tests create.
const VERSION = ['--voyager-version', '3.2.0'];

let cluster: Cluster;
let token: string;
let proxy: FaultProxy;
let viaProxy: string;
let proxyPort = 0;

function resetServices(): void {
  const docs = SERVICES.map(
    (name) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${NS}, labels: {rel: faults}}\nspec: {ports: [{port: 80}]}\n`,
  ).join('---\n');
  mustKubectl(['delete', 'svc', '-n', NS, '-l', 'rel=faults', '--ignore-not-found', '--wait=false'], cluster.kubeconfig);
  mustKubectl(['create', '-f', '-'], cluster.kubeconfig, docs);
}

function stickyOf(name: string): string | undefined {
  const svc = JSON.parse(mustKubectl(['get', 'svc', name, '-n', NS, '-o', 'json'], cluster.kubeconfig)) as {
    metadata: { annotations?: Record<string, string> };
  };
  return svc.metadata.annotations?.[STICKY];
}

function resourceVersion(name: string): string {
  return mustKubectl(['get', 'svc', name, '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}'], cluster.kubeconfig);
}

/** A fresh proxy policy, and a clean record of what the proxy saw. */
async function withPolicy(policy: (r: { method: string; path: string; repeat: number }) => Fault): Promise<void> {
  await proxy.stop();
  proxy.seen.length = 0;
  proxy.policy = policy;
  await proxy.start(proxyPort);
}

before(async () => {
  cluster = await ensureCluster();
  token = mustKubectl(['config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.token}'], cluster.kubeconfig).trim();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  proxy = new FaultProxy(cluster.server, PKI);
  const url = await proxy.start();
  proxyPort = Number(new URL(url).port);
  viaProxy = kubeconfigFor(url, PKI, { token }, { namespace: NS });
});

after(async () => {
  await proxy?.stop();
});

test('the apiserver stops in the middle of a 3-target enable: the error names what was and was not written; a re-run completes', async () => {
  resetServices();
  // The first PATCH goes through, then the server is gone: later connections are refused.
  await withPolicy((r) => (r.method === 'PATCH' ? { kind: 'pass-then-stop' } : PASS));
  const result = await stickyAsync(['enable', ...SERVICES.map((s) => `svc/${s}`), ...VERSION], { kubeconfig: viaProxy });
  assert.equal(result.code, 1, result.stderr);
  const port = new URL(proxy.url).port;
  assert.match(
    result.stderr,
    new RegExp(`^The connection to the server 127\\.0\\.0\\.1:${port} was refused - did you specify the right host or port\\?$`, 'm'),
  );
  assert.match(result.stderr, /^error: written: service\/a1; not written: service\/a2, service\/a3 \(run the command again to finish\)$/m);
  assert.equal(result.stdout.trim(), 'service/a1 annotated');
  assert.equal(proxy.count('PATCH'), 1);
  assert.deepEqual(SERVICES.map(stickyOf), ['true', undefined, undefined]);

  const again = await stickyAsync(['enable', ...SERVICES.map((s) => `svc/${s}`), ...VERSION, '-n', NS], { kubeconfig: cluster.kubeconfig });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^service\/a1 unchanged\nservice\/a2 annotated\nservice\/a3 annotated\n/);
  assert.deepEqual(SERVICES.map(stickyOf), ['true', 'true', 'true']);
});

test('a connection dropped during a PATCH: that write is "maybe written", never retried; a re-run completes', async () => {
  resetServices();
  mustKubectl(['annotate', 'svc', '-n', NS, '--all', `${STICKY}=true`], cluster.kubeconfig);
  await withPolicy((r) => (r.method === 'PATCH' && r.path.endsWith('/a2') && r.repeat === 0 ? { kind: 'drop' } : PASS));
  const result = await stickyAsync(['disable', ...SERVICES.map((s) => `svc/${s}`), ...VERSION], { kubeconfig: viaProxy });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^Unable to connect to the server: EOF; the change may or may not have been applied$/m);
  assert.match(result.stderr, /^error: written: service\/a1; maybe written: service\/a2; not written: service\/a3 \(run the command again to finish\)$/m);
  assert.equal(proxy.count('PATCH', '/a2'), 1, 'a write is never retried');
  assert.equal(proxy.count('PATCH'), 2);
  assert.deepEqual(SERVICES.map(stickyOf), [undefined, 'true', 'true']);

  const again = await stickyAsync(['disable', ...SERVICES.map((s) => `svc/${s}`), ...VERSION], { kubeconfig: viaProxy });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(SERVICES.map(stickyOf), [undefined, undefined, undefined]);
});

test('dropped connections and 503s on reads are retried with backoff; the command succeeds', async () => {
  resetServices();
  const list = `/api/v1/namespaces/${NS}/services`;
  await withPolicy((r) => {
    if (r.method === 'GET' && r.path === '/apis/voyager.appscode.com' && r.repeat === 0) return { kind: 'drop' };
    if (r.method === 'GET' && r.path === list && r.repeat < 2) return { kind: 'status', status: 503 };
    return PASS;
  });
  const result = await stickyAsync(['status', ...VERSION], { kubeconfig: viaProxy });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(proxy.count('GET', '/apis/voyager.appscode.com'), 2, 'one drop, one retry');
  assert.equal(proxy.seen.filter((s) => s.method === 'GET' && s.path === list).length, 3, 'two 503s, then the answer');
  // Backoff: the retries of the list came 200ms and 400ms apart at least.
  assert.ok(result.ms >= 600, `took ${result.ms}ms`);
});

test('429 on every read: bounded retries (1 + 3 GETs), each after the Retry-After second, then one clear error', async () => {
  await withPolicy((r) =>
    r.method === 'GET' && r.path === '/apis/voyager.appscode.com' ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : PASS,
  );
  const result = await stickyAsync(['status'], { kubeconfig: viaProxy });
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), 'Error from server (TooManyRequests): injected 429');
  assert.equal(proxy.count('GET', '/apis/voyager.appscode.com'), 4);
  // The server's Retry-After (1s), not the 200+400+800ms backoff.
  assert.ok(result.ms >= 3000, `three waits of 1s, took ${result.ms}ms`);
});

test("a 429 with Retry-After: 2 on a read: the retry waits the server's 2 seconds, then succeeds", async () => {
  // `repeat` counts across tests: this test's own flag says whether its first answer went out.
  let answered = false;
  await withPolicy((r) => {
    if (r.method !== 'GET' || r.path !== '/apis/voyager.appscode.com' || answered) return PASS;
    answered = true;
    return { kind: 'status', status: 429, headers: { 'retry-after': '2' } };
  });
  const result = await stickyAsync(['status', ...VERSION], { kubeconfig: viaProxy });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(proxy.seen.filter((s) => s.method === 'GET' && s.path === '/apis/voyager.appscode.com').length, 2, 'one 429, one retry');
  assert.ok(result.ms >= 2000, `took ${result.ms}ms`);
});

test('503 on a PATCH: exactly one PATCH reaches the server, nothing is written, the error says so', async () => {
  resetServices();
  const before = resourceVersion('a1');
  await withPolicy((r) => (r.method === 'PATCH' ? { kind: 'status', status: 503 } : PASS));
  const result = await stickyAsync(['enable', 'svc/a1', ...VERSION], { kubeconfig: viaProxy });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^Error from server \(ServiceUnavailable\): injected 503$/m);
  assert.match(result.stderr, /^error: nothing was written; not written: service\/a1 \(run the command again to finish\)$/m);
  assert.equal(proxy.count('PATCH'), 1);
  assert.equal(resourceVersion('a1'), before);
});

test('a server that accepts the connection and never answers: --request-timeout 2s ends it within the bound', async () => {
  const silent = await silentServer();
  try {
    const config = kubeconfigFor(silent.url, PKI, { token: 'x-not-a-real-token' });
    const timed = await stickyAsync(['status', '--request-timeout', '2s'], { kubeconfig: config });
    assert.equal(timed.code, 1);
    assert.equal(timed.stderr.trim(), 'Unable to connect to the server: context deadline exceeded');
    assert.ok(timed.ms >= 2000 && timed.ms < 6000, `took ${timed.ms}ms`);

    // Without the flag the default bound still ends it. The default is 60s; the test shortens it
    // with KUBECTL_STICKY_DEFAULT_TIMEOUT, which only replaces the default, never a given flag.
    assert.equal(defaultTimeoutMs({}), 60_000);
    assert.equal(defaultTimeoutMs({ KUBECTL_STICKY_DEFAULT_TIMEOUT: '1500ms' }), 1500);
    assert.equal(defaultTimeoutMs({ KUBECTL_STICKY_DEFAULT_TIMEOUT: 'nonsense' }), 60_000);
    const bounded = await stickyAsync(['status'], { kubeconfig: config, env: { KUBECTL_STICKY_DEFAULT_TIMEOUT: '1500ms' } });
    assert.equal(bounded.code, 1);
    assert.equal(
      bounded.stderr.trim(),
      'Unable to connect to the server: context deadline exceeded (no answer within the default bound of 1.5s; set --request-timeout to wait longer)',
    );
    assert.ok(bounded.ms >= 1500 && bounded.ms < 5500, `took ${bounded.ms}ms`);
  } finally {
    await silent.close();
  }
});

test('a server that reads the request and never answers: reads time out, a PATCH that timed out is "maybe written"', async () => {
  resetServices();
  await withPolicy((r) => (r.method === 'PATCH' ? { kind: 'hang' } : PASS));
  const result = await stickyAsync(['enable', 'svc/a1', 'svc/a2', ...VERSION, '--request-timeout', '2s'], { kubeconfig: viaProxy });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^Unable to connect to the server: context deadline exceeded; the change may or may not have been applied$/m);
  assert.match(result.stderr, /^error: maybe written: service\/a1; not written: service\/a2 \(run the command again to finish\)$/m);
  assert.equal(proxy.count('PATCH'), 1);
  assert.ok(result.ms < 8000, `took ${result.ms}ms`);
});

test('migrate: a connection dropped during its PATCH is "maybe written", as enable says, never "not written"', async () => {
  resetServices();
  const ingress = `apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: mig, namespace: ${NS}}\nspec:\n  rules:\n  - host: mig.example.com\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: a1, servicePort: 80}\n`;
  // a1 has no selector: without an Endpoints object, 5.0 writes no config at all and nothing can stay the same.
  const endpoints = `apiVersion: v1\nkind: Endpoints\nmetadata: {name: a1, namespace: ${NS}}\nsubsets: [{addresses: [{ip: 10.9.2.1}], ports: [{port: 80}]}]\n`;
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `${ingress}---\n${endpoints}`);
  try {
    mustKubectl(['annotate', 'svc', 'a1', '-n', NS, `${STICKY}=true`], cluster.kubeconfig);
    await withPolicy((r) => (r.method === 'PATCH' ? { kind: 'drop' } : PASS));
    const result = await stickyAsync(['migrate', '--to', 'v12.0.0', '--voyager-version', '5.0.0'], { kubeconfig: viaProxy });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^Unable to connect to the server: EOF; the change may or may not have been applied$/m);
    assert.match(result.stderr, /^error: maybe written: service\/a1 \(run the command again to finish\)$/m);
    assert.doesNotMatch(result.stderr, /not written/);
    assert.equal(proxy.count('PATCH'), 1, 'a write is never retried');
  } finally {
    mustKubectl(['delete', 'ingresses.voyager.appscode.com/mig', 'endpoints/a1', '-n', NS, '--ignore-not-found'], cluster.kubeconfig);
  }
});
