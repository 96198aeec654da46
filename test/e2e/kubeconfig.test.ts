// Kubeconfig and namespace rules as kubectl applies them, and plugin discovery, on the real plane.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { ensureCluster, type Cluster } from './cluster.ts';
import { kubectl, mustKubectl, sticky } from './run.ts';

let cluster: Cluster;
let dir: string;

interface Config {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  'current-context': string;
}

before(async () => {
  cluster = await ensureCluster();
  dir = mkdtempSync(join(tmpdir(), 'sticky-kubeconfig-'));
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `
apiVersion: v1
kind: Namespace
metadata: {name: e2e-kc}
---
apiVersion: v1
kind: Namespace
metadata: {name: e2e-kc-other}
---
apiVersion: v1
kind: Service
metadata: {name: shared, namespace: e2e-kc-other, annotations: {ingress.appscode.com/sticky-session: 'true'}}
spec: {ports: [{port: 80}]}
---
# Listed whole, Endpoints are the truth: without one, Voyager 3.2 writes no config for kc.
apiVersion: v1
kind: Endpoints
metadata: {name: shared, namespace: e2e-kc-other}
subsets: [{addresses: [{ip: 10.9.0.21}], ports: [{port: 80}]}]
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: kc, namespace: e2e-kc}
spec:
  rules:
  - host: kc.example.com
    http:
      paths:
      - backend: {serviceName: shared.e2e-kc-other, servicePort: '80'}
`,
  );
});

function admin(): Config {
  return parse(readFileSync(cluster.kubeconfig, 'utf8')) as Config;
}

function write(name: string, config: Config): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

/** A second file whose names clash with the first and whose current context points nowhere. */
function decoy(): Config {
  const real = admin();
  return {
    clusters: [
      { name: real.clusters[0]?.name ?? '', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } },
      { name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } },
    ],
    users: [{ name: 'nobody', user: { token: 'decoy' } }],
    contexts: [{ name: 'decoy', context: { cluster: 'nowhere', user: 'nobody', namespace: 'e2e-kc' } }],
    'current-context': 'decoy',
  };
}

const names = (stdout: string) =>
  JSON.parse(stdout).items.map((i: { ingress: { namespace: string; name: string } }) => `${i.ingress.namespace}/${i.ingress.name}`);

test('KUBECONFIG with several files: missing files skipped, the first file wins names and current context', () => {
  const first = write('first', admin());
  const second = write('second', decoy());
  const result = sticky(['status', '-n', 'e2e-kc', '-o', 'json'], { env: { KUBECONFIG: `${join(dir, 'missing')}:${first}:${second}` } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(names(result.stdout), ['e2e-kc/kc']);
});

test('--context picks a context from a later file; --cluster and --user override it', () => {
  const first = write('first', admin());
  const real = admin();
  const second: Config = {
    ...decoy(),
    contexts: [{ name: 'real-in-second', context: { cluster: real.clusters[0]?.name ?? '', user: real.users[0]?.name ?? '', namespace: 'e2e-kc' } }],
  };
  const file = write('second-real', second);
  const env = { KUBECONFIG: `${first}:${file}` };
  const viaContext = sticky(['status', '--context', 'real-in-second', '-o', 'json'], { env });
  assert.equal(viaContext.code, 0, viaContext.stderr);
  assert.deepEqual(names(viaContext.stdout), ['e2e-kc/kc'], 'namespace comes from the context');
  const badUser = sticky(['status', '--context', 'real-in-second', '--user', 'nobody'], { env });
  assert.equal(badUser.code, 1);
  assert.equal(badUser.stderr.trim().split('\n').pop(), 'error: You must be logged in to the server (Unauthorized)');
  const missingContext = sticky(['status', '--context', 'nope'], { env });
  assert.equal(missingContext.code, 1);
  assert.equal(missingContext.stderr.trim(), 'error: context "nope" does not exist');
});

test('namespace: -n wins over the context namespace; without either it is default', () => {
  const real = admin();
  const withNamespace: Config = { ...real, contexts: real.contexts.map((c) => ({ ...c, context: { ...c.context, namespace: 'e2e-kc' } })) };
  const file = write('ns', withNamespace);
  const fromContext = sticky(['status', '-o', 'json'], { kubeconfig: file });
  assert.deepEqual(names(fromContext.stdout), ['e2e-kc/kc']);
  const fromFlag = sticky(['status', '-n', 'e2e-kc-other'], { kubeconfig: file });
  assert.equal(fromFlag.code, 0);
  assert.equal(fromFlag.stderr.trim().split('\n').pop(), 'No resources found in e2e-kc-other namespace.');
  mustKubectl(['apply', '--validate=false', '-f', 'examples/seed/'], cluster.kubeconfig);
  const neither = sticky(['status', '-o', 'json'], { kubeconfig: cluster.kubeconfig });
  const namespaces = new Set(JSON.parse(neither.stdout).items.map((i: { ingress: { namespace: string } }) => i.ingress.namespace));
  assert.deepEqual([...namespaces], ['default']);
});

test('a Service referenced from another namespace (name.namespace) is fetched and judged', () => {
  const result = sticky(['status', '-n', 'e2e-kc', '-o', 'json'], { kubeconfig: cluster.kubeconfig });
  const item = JSON.parse(result.stdout).items[0];
  assert.deepEqual(item.service, { namespace: 'e2e-kc-other', name: 'shared', port: '80', found: true });
  assert.equal(item.sticky, true);
  assert.deepEqual(item.sources, ['service']);
});

test('kubectl discovers the plugin in dist/', () => {
  const result = kubectl(['plugin', 'list'], { kubeconfig: cluster.kubeconfig });
  assert.match(result.stdout, /\/dist\/kubectl-sticky$/m, result.stdout + result.stderr);
});
