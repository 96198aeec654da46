// `kubectl sticky status` against the real control plane, through the real kubectl.

import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ensureCluster, type Cluster } from './cluster.ts';
import { TEAM_A } from './fixtures.ts';
import { mustKubectl, rows, sticky } from './run.ts';

let cluster: Cluster;

before(async () => {
  cluster = await ensureCluster();
  // kubectl 1.27+ validates fields strictly and rejects the seed's `metadata.annotation` typo;
  // users who hit it and retry with --validate=false get the typo silently dropped.
  mustKubectl(['apply', '--validate=false', '-f', 'examples/seed/'], cluster.kubeconfig);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, TEAM_A);
  // The seed brings no Endpoints; live, all are listed, and a Service without one fails a 3.2
  // Ingress first. With s1's, the cause is the seed's missing s2, as the file alone shows.
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    'apiVersion: v1\nkind: Endpoints\nmetadata: {name: s1, namespace: default}\nsubsets: [{addresses: [{ip: 10.9.0.1}], ports: [{port: 9376}]}]\n',
  );
});

// Voyager 3.2 writes no config for an Ingress with a missing Service (3.2.0 pkg/ingress/parser.go:39-43,
// 283-286): the seed's s2 and tcp-service do not exist, so even s1 is not sticky.
test('status -A through kubectl shows the seed backends', () => {
  const result = sticky(['status', '-A'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const table = rows(result.stdout);
  assert.deepEqual(table[0], ['NAMESPACE', 'INGRESS', 'BACKEND', 'SERVICE', 'STICKY', 'SOURCE']);
  const seed = table.filter((r) => r[0] === 'default' && r[1]?.startsWith('test-ingress'));
  assert.deepEqual(seed, [
    ['default', 'test-ingress', 'foo.bar.com', 's1:80', 'no', '<none>'],
    ['default', 'test-ingress', 'bar.foo.com', 's2:80 (missing)', 'no', '<none>'],
    ['default', 'test-ingress', 'tcp.bar.com:9898', 'tcp-service:50077 (missing)', 'no', '<none>'],
    ['default', 'test-ingress-backend', 'foo.bar.com', 's1:80', 'no', '<none>'],
    ['default', 'test-ingress-backend', 'bar.foo.com', 's2:80 (missing)', 'no', '<none>'],
    ['default', 'test-ingress-backend', 'tcp.bar.com:9898', 'tcp-service:50077 (missing)', 'no', '<none>'],
  ]);
  assert.match(result.stderr, /^Semantics: Voyager 3\.2 assumed/m);
  assert.match(
    result.stderr,
    /ingress\/default\/test-ingress-backend: Voyager 3\.2 writes no haproxy\.cfg for this Ingress \(HAProxyConfigCreateFailed\): service default\/s2 not found/,
  );
});

test('live JSON equals the JSON of the same manifests given with -f', () => {
  const live = sticky(['status', '-n', 'default', '-o', 'json', 'ingress/test-ingress', 'ingress/test-ingress-backend'], { kubeconfig: cluster.kubeconfig });
  const offline = sticky(['status', '-f', 'examples/seed/', '-o', 'json'], { kubeconfig: cluster.kubeconfig });
  assert.equal(live.code, 0, live.stderr);
  assert.equal(offline.code, 0, offline.stderr);
  const a = JSON.parse(live.stdout);
  const b = JSON.parse(offline.stdout);
  assert.deepEqual(a.semantics, b.semantics);
  assert.deepEqual(a.items, b.items);
  assert.ok(a.items.length === 6);
  // The one deliberate difference: the file still shows the seed's `metadata.annotation` typo,
  // which the API server dropped on apply.
  const fileOnly = b.warnings.filter((w: { message: string }) => !a.warnings.some((x: { message: string }) => x.message === w.message));
  assert.deepEqual(
    fileOnly.map((w: { message: string }) => w.message.split(' ')[0]),
    ['metadata.annotation'],
  );
});

test('an RBAC-limited user gets a full answer for its own namespace', () => {
  const result = sticky(['status', '-n', 'team-a', '-o', 'json'], { kubeconfig: cluster.limitedKubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(
    doc.items.map((i: { ingress: { name: string }; sticky: boolean; sources: string[] }) => [i.ingress.name, i.sticky, i.sources]),
    [['team-web', true, ['ingress']]],
  );
});

test('status -A as the limited user fails with one line naming the permission and suggesting -n', () => {
  const result = sticky(['status', '-A'], { kubeconfig: cluster.limitedKubeconfig });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Semantics') && !l.startsWith('Warning'));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^Error from server \(Forbidden\): .*cannot list resource "ingresses".*try -n NAMESPACE/);
});

/** A loopback port nobody listens on (fetch refuses well-known "bad ports" such as 1). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function badKubeconfig(server: string, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-e2e-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: '${server}', insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: ${token}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  return file;
}

test('bad input: one clear error line and exit 1', async () => {
  const cases: [string[], RegExp, string?][] = [
    [['status', '--no-such-flag'], /^error: unknown flag: --no-such-flag$/m],
    [['status', 'pod/x', '-f', 'examples/seed/'], /^error: kubectl sticky works on services and ingresses, not "pod"$/m],
    [['status', '-f', '-'], /^error: error parsing STDIN: /, 'kind: Service\nmetadata: {name: [unclosed\n'],
  ];
  for (const [args, pattern, input] of cases) {
    const result = sticky(args, input === undefined ? { kubeconfig: cluster.kubeconfig } : { kubeconfig: cluster.kubeconfig, input });
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    const errorLines = result.stderr.split('\n').filter((l) => /^error/i.test(l));
    assert.equal(errorLines.length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  }
  const port = await closedPort();
  const unreachable = sticky(['status'], { kubeconfig: badKubeconfig(`https://127.0.0.1:${port}`, 'x') });
  assert.equal(unreachable.code, 1);
  assert.equal(unreachable.stderr.trim(), `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`);
  const expired = sticky(['status'], { kubeconfig: badKubeconfig(cluster.server, 'expired-token-0000') });
  assert.equal(expired.code, 1);
  assert.equal(expired.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
  assert.doesNotMatch(expired.stderr + expired.stdout, /expired-token-0000/);
});

test('status svc/NAME for a Service no Ingress uses says so, through kubectl', () => {
  const NS = 'e2e-status-lonely';
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `apiVersion: v1\nkind: Service\nmetadata: {name: lonely, namespace: ${NS}}\nspec: {ports: [{port: 80}]}\n`,
  );
  const result = sticky(['status', '-n', NS, 'svc/lonely', '--voyager-version', 'v12.0.0'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^no Voyager Ingress uses service\/lonely$/m);
  assert.doesNotMatch(result.stderr, /No resources found/);
});

// The operator GETs a frontendRules basic-auth Secret before it writes (v12.0.0 pkg/ingress/parser.go:687-698):
// status reads the namespace's Secret names by a metadata-only list, never their data.
test('status reads Secret names only, by a metadata-only list: a missing frontendRules Secret means no config', () => {
  const ingress = (name: string, secret: string) =>
    `apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: ${name}, namespace: e2e-auth, annotations: {ingress.appscode.com/affinity: cookie}}\nspec:\n  frontendRules: [{port: 80, auth: {basic: {secretName: ${secret}}}}]\n  rules: [{host: ${name}.example.com, http: {paths: [{backend: {serviceName: web, servicePort: '80'}}]}}]\n`;
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: e2e-auth}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: e2e-auth}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: pass, namespace: e2e-auth}\nstringData: {auth: "user:SECRET-VALUE"}\n',
      ingress('open', 'pass'),
      ingress('closed', 'gone'),
    ].join('---\n'),
  );
  const result = sticky(['status', '-n', 'e2e-auth', '--voyager-version', 'v12.0.0', '-o', 'json', '-v=8'], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.deepEqual(
    doc.items.map((i: { ingress: { name: string }; sticky: boolean }) => [i.ingress.name, i.sticky]),
    [
      ['closed', false],
      ['open', true],
    ],
  );
  assert.match(result.stderr, /Secret e2e-auth\/gone not found/);
  assert.match(result.stderr, /GET https:\/\/\S+\/api\/v1\/namespaces\/e2e-auth\/secrets\?limit=500 200/);
  assert.match(result.stderr, /Accept: application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1/);
  assert.doesNotMatch(result.stdout + result.stderr, /SECRET-VALUE|dXNlcjpTRUNSRVQtVkFMVUU/);
});
