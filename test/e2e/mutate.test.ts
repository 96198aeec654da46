// `kubectl sticky enable|disable` against the real control plane, through the real kubectl.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { MUTATE_OBJECTS as OBJECTS } from './fixtures.ts';
import { ensureCluster, type Cluster } from './cluster.ts';
import { kubectl, mustKubectl, sticky } from './run.ts';

let cluster: Cluster;
const A = 'e2e-mutate-a';

function annotations(kind: string, name: string, namespace = A): Record<string, string> {
  const object = JSON.parse(mustKubectl(['get', kind, name, '-n', namespace, '-o', 'json'], cluster.kubeconfig));
  return object.metadata.annotations ?? {};
}

function resetService(extra: Record<string, string> = {}): void {
  const patch = {
    metadata: {
      annotations: {
        'ingress.appscode.com/affinity': null,
        'ingress.appscode.com/sticky-session': null,
        'ingress.kubernetes.io/affinity': null,
        'ingress.appscode.com/stickySession': null,
        'ingress.appscode.com/session-cookie-name': null,
        'ingress.appscode.com/session-cookie-hash': null,
        ...extra,
      },
    },
  };
  mustKubectl(['patch', 'svc', 's1', '-n', A, '--type', 'merge', '-p', JSON.stringify(patch)], cluster.kubeconfig);
}

const run = (args: string[]) => sticky([...args, '-n', A], { kubeconfig: cluster.kubeconfig });

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, OBJECTS);
  resetService();
});

test('enable writes affinity: cookie on 9.0, touches nothing else, and shows every affected backend in every namespace', () => {
  resetService();
  const result = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0']);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.equal(lines[0], 'service/s1 annotated');
  assert.ok(
    lines.some((l) => /^e2e-mutate-a\s+web\s+a\.example\.com\s+s1\.e2e-mutate-a\s+no\s+yes$/.test(l)),
    result.stdout,
  );
  assert.ok(
    lines.some((l) => /^e2e-mutate-b\s+other-team\s+b\.example\.com\s+s1\.e2e-mutate-a\s+no\s+yes$/.test(l)),
    result.stdout,
  );
  const after = annotations('svc', 's1');
  assert.equal(after['ingress.appscode.com/affinity'], 'cookie');
  assert.equal(after['owner'], 'team-shop');
  const object = JSON.parse(mustKubectl(['get', 'svc', 's1', '-n', A, '-o', 'json', '--show-managed-fields'], cluster.kubeconfig));
  assert.equal(object.metadata.labels.team, 'shop');
  const managers = object.metadata.managedFields.map((m: { manager: string }) => m.manager);
  assert.ok(managers.includes('kubectl-sticky'), managers.join(','));

  const again = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.split('\n')[0], 'service/s1 unchanged');
});

test('enable on 3.2 writes sticky-session "true"; -o name prints the object name', () => {
  resetService();
  // The fixture's Endpoints of s1 are empty, and 3.2 leaves a backend with no ready endpoints out
  // (and with none at all writes no config): here s1 gets a server, and the fixture's object back after.
  const endpoints = (subsets: string) => `apiVersion: v1\nkind: Endpoints\nmetadata: {name: s1, namespace: ${A}}\nsubsets: ${subsets}\n`;
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, endpoints('[{addresses: [{ip: 10.9.1.1}], ports: [{port: 80}]}]'));
  try {
    const result = run(['enable', 'svc/s1', '--voyager-version', '3.2.0', '-o', 'name']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split('\n')[0], 'service/s1');
    assert.equal(annotations('svc', 's1')['ingress.appscode.com/sticky-session'], 'true');
    assert.match(result.stderr, /does not re-render HAProxy when a Service changes/);
  } finally {
    mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, endpoints('[]'));
  }
});

test('--dry-run (client and server) writes nothing and shows the object and HAProxy diffs', () => {
  resetService();
  const client = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--dry-run']);
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.split('\n')[0], 'service/s1 annotated (dry run)');
  assert.match(client.stdout, /^\+ {4}ingress\.appscode\.com\/affinity: cookie$/m);
  assert.match(client.stdout, /^--- a\/haproxy\.cfg of ingress e2e-mutate-b\/other-team$/m);
  assert.match(client.stdout, /^\+\tcookie SERVERID insert indirect nocache$/m);
  const server = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--dry-run=server']);
  assert.equal(server.code, 0, server.stderr);
  assert.equal(server.stdout.split('\n')[0], 'service/s1 annotated (server dry run)');
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], undefined);
});

test('a different existing value needs --overwrite; a refused change writes nothing', () => {
  resetService({ 'ingress.appscode.com/affinity': 'true' });
  const refused = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0']);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^error: service\/s1: --overwrite is false but found the following declared annotation\(s\): 'ingress\.appscode\.com\/affinity' already has a value \(true\)$/m,
  );
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], 'true');
  const forced = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--overwrite']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], 'cookie');
});

test('cookie flags are written where the version reads them and refused where it does not', () => {
  resetService();
  const refused = run(['enable', 'svc/s1', '--voyager-version', '6.0.0', '--cookie-name', 'APP']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /reads cookie settings from the Ingress only/);
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], undefined);
  const written = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--cookie-name', 'APP', '--cookie-hash', 'md5']);
  assert.equal(written.code, 0, written.stderr);
  const after = annotations('svc', 's1');
  assert.equal(after['ingress.appscode.com/session-cookie-name'], 'APP');
  assert.equal(after['ingress.appscode.com/session-cookie-hash'], 'md5');
  const badHash = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--cookie-hash', 'sha1']);
  assert.equal(badHash.code, 1);
  assert.match(badHash.stderr, /invalid --cookie-hash "sha1"/);
});

test('disable removes every key that turns stickiness on in any version; cookie keys stay unless --purge', () => {
  resetService({
    'ingress.appscode.com/affinity': 'cookie',
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.kubernetes.io/affinity': 'cookie',
    'ingress.appscode.com/stickySession': 'true',
    'ingress.appscode.com/session-cookie-name': 'APP',
  });
  const result = run(['disable', 'svc/s1', '--voyager-version', 'v12.0.0']);
  assert.equal(result.code, 0, result.stderr);
  const after = annotations('svc', 's1');
  for (const key of [
    'ingress.appscode.com/affinity',
    'ingress.appscode.com/sticky-session',
    'ingress.kubernetes.io/affinity',
    'ingress.appscode.com/stickySession',
  ]) {
    assert.equal(after[key], undefined, key);
  }
  assert.equal(after['ingress.appscode.com/session-cookie-name'], 'APP');
  assert.equal(after['owner'], 'team-shop');
  const purge = run(['disable', 'svc/s1', '--voyager-version', 'v12.0.0', '--purge']);
  assert.equal(purge.code, 0, purge.stderr);
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/session-cookie-name'], undefined);
});

test('disable on a Service whose Ingress is sticky warns that the backend stays sticky', () => {
  resetService({ 'ingress.appscode.com/affinity': 'cookie' });
  mustKubectl(['annotate', 'ingresses.voyager.appscode.com', 'web', '-n', A, 'ingress.appscode.com/affinity=cookie', '--overwrite'], cluster.kubeconfig);
  try {
    const result = run(['disable', 'svc/s1', '--voyager-version', 'v12.0.0']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^Warning: service\/e2e-mutate-a\/s1: backend a\.example\.com stays sticky: ingress e2e-mutate-a\/web makes every backend sticky/m,
    );
  } finally {
    mustKubectl(['annotate', 'ingresses.voyager.appscode.com', 'web', '-n', A, 'ingress.appscode.com/affinity-'], cluster.kubeconfig);
  }
});

test('ingress/NAME shared by a Voyager and a standard Ingress is refused, naming both forms', () => {
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: dup, namespace: ${A}}
spec: {rules: [{host: d.example.com, http: {paths: [{backend: {serviceName: s1, servicePort: '80'}}]}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: dup, namespace: ${A}}
spec: {defaultBackend: {service: {name: s1, port: {number: 80}}}}
`,
  );
  const result = run(['enable', 'ingress/dup', '--voyager-version', 'v12.0.0']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ingresses\.voyager\.appscode\.com\/dup and ingresses\.networking\.k8s\.io\/dup/);
  const qualified = run(['enable', 'ingresses.voyager.appscode.com/dup', '--voyager-version', 'v12.0.0', '--dry-run']);
  assert.equal(qualified.code, 0, qualified.stderr);
  assert.equal(qualified.stdout.split('\n')[0], 'ingress.voyager.appscode.com/dup annotated (dry run)');
});

test('a stale --resource-version is a Conflict, not a silent overwrite', () => {
  resetService();
  const result = run(['enable', 'svc/s1', '--voyager-version', 'v12.0.0', '--resource-version', '1']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^Error from server \(Conflict\): /m);
  assert.match(result.stderr, /nothing was written; not written: service\/s1/);
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], undefined);
});

test('a missing target is NotFound and nothing is written for the other targets', () => {
  resetService();
  const result = run(['enable', 'svc/s1', 'svc/nope', '--voyager-version', 'v12.0.0']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), 'Error from server (NotFound): services "nope" not found');
  assert.equal(annotations('svc', 's1')['ingress.appscode.com/affinity'], undefined);
  const bad = kubectl(['sticky', 'enable', 'pod/x', '-n', A], { kubeconfig: cluster.kubeconfig });
  assert.equal(bad.code, 1);
});
