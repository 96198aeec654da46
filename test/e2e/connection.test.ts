// The transport against the real apiserver: the watch primitive (status --watch is built on it),
// and kubectl's connection flags and failure wording through the real kubectl.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectTcp, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import type { WatchEvent } from '../../src/kube/api.ts';
import { CONFIGMAPS, EVENTS } from '../../src/kube/api.ts';
import { connect } from '../../src/kube/client.ts';
import { FaultProxy, PASS, kubeconfigFor, silentServer } from '../support/fault-proxy.ts';
import { kubectlAsync, stickyAsync } from '../support/spawn.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { TEAM_A } from './fixtures.ts';
import { kubectl, mustKubectl, sticky } from './run.ts';

const NS = 'conn';

let cluster: Cluster;

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  // The limited user's and --token's reads of team-a find this Ingress (status.test.ts applies it too).
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, TEAM_A);
});

function api() {
  return connect({ kubeconfig: cluster.kubeconfig, namespace: NS, timeoutMs: 10_000, verbosity: 0, log: () => {} });
}

/** The first event `accept` takes, with the stream aborted after it. */
async function firstEvent(events: AsyncIterable<WatchEvent>, controller: AbortController, accept: (e: WatchEvent) => boolean): Promise<WatchEvent | null> {
  for await (const event of events) {
    if (accept(event)) {
      controller.abort();
      return event;
    }
  }
  return null;
}

test('watch from a list: a patch arrives as MODIFIED; aborting ends the stream quietly', async () => {
  mustKubectl(['delete', 'configmap', 'watched', '-n', NS, '--ignore-not-found'], cluster.kubeconfig);
  mustKubectl(['create', 'configmap', 'watched', '-n', NS, '--from-literal=a=1'], cluster.kubeconfig);
  const kube = await api();
  const { items, resourceVersion } = await kube.listAt(CONFIGMAPS, NS, { fieldSelector: 'metadata.name=watched' });
  assert.equal(items.length, 1);
  assert.match(resourceVersion, /^\d+$/);
  const controller = new AbortController();
  const events = kube.watch(CONFIGMAPS, NS, { resourceVersion, fieldSelector: 'metadata.name=watched', allowWatchBookmarks: true }, controller.signal);
  const seen = firstEvent(events, controller, (e) => e.type === 'MODIFIED');
  // Patched while the watch may still be connecting: it is seen all the same, since the watch
  // starts from the list's resourceVersion.
  await kube.mergePatch(CONFIGMAPS, NS, 'watched', { data: { a: '2' } }, { dryRun: false, fieldManager: 'test' });
  const event = await seen;
  assert.ok(event && event.type === 'MODIFIED', JSON.stringify(event));
  assert.equal(event.type === 'MODIFIED' ? (event.object['data'] as Record<string, string>)['a'] : '', '2');
  assert.equal(event.type === 'MODIFIED' ? event.object['kind'] : '', 'ConfigMap');

  // An already-aborted signal: no events, no error.
  const none: WatchEvent[] = [];
  for await (const e of kube.watch(CONFIGMAPS, NS, { resourceVersion }, AbortSignal.abort())) none.push(e);
  assert.deepEqual(none, []);
});

test('watch from a resourceVersion the server no longer has: an ERROR event with code 410', async () => {
  const kube = await api();
  // Events bypass the apiserver's watch cache, so a watch of them reads etcd; once etcd has
  // compacted past a revision, watching from it is 410 Gone. The plane is young and never
  // compacts on its own: compact now, through etcd's HTTP gateway (no other test watches).
  const { resourceVersion } = await kube.listAt(EVENTS, NS);
  const etcdPort = /^ETCD_PORT=(\d+)$/m.exec(readFileSync(resolve(repoRoot, '.cluster/ready'), 'utf8'))?.[1];
  assert.ok(etcdPort, 'ETCD_PORT in .cluster/ready');
  const compacted = await fetch(`http://127.0.0.1:${etcdPort}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: resourceVersion }) });
  const answer = await compacted.text();
  // Already compacted there (a re-run with no write in between) is as good.
  assert.ok(compacted.status === 200 || /compacted/.test(answer), answer);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  const events: WatchEvent[] = [];
  for await (const event of kube.watch(EVENTS, NS, { resourceVersion: '1' }, controller.signal)) {
    events.push(event);
    if (event.type === 'ERROR') break;
  }
  clearTimeout(timer);
  const error = events.find((e) => e.type === 'ERROR');
  assert.ok(error && error.type === 'ERROR', `no ERROR event in ${JSON.stringify(events).slice(0, 300)}`);
  assert.deepEqual(error.status, { code: 410, reason: 'Expired', message: 'The resourceVersion for the provided watch is too old.' });
});

/** The admin token and the plane's CA file, for flag-only connections. */
function credentials(): { token: string; ca: string } {
  const token = mustKubectl(['config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.token}'], cluster.kubeconfig).trim();
  return { token, ca: resolve(repoRoot, '.cluster/pki/ca.crt') };
}

function emptyKubeconfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sticky-conn-')), 'empty');
  writeFileSync(file, '');
  return file;
}

test('--as impersonates: team-a-user is Forbidden in default, as kubectl is, and reads team-a', () => {
  const denied = sticky(['status', '--as', 'team-a-user', '-n', 'default'], { kubeconfig: cluster.kubeconfig });
  assert.equal(denied.code, 1);
  assert.match(
    denied.stderr,
    /^Error from server \(Forbidden\): .* User "team-a-user" cannot list resource "\w+" in API group "[^"]*" in the namespace "default"$/m,
  );
  const real = kubectl(['get', 'services', '--as', 'team-a-user', '-n', 'default'], { kubeconfig: cluster.kubeconfig });
  assert.equal(real.code, 1);
  assert.match(real.stderr, /Forbidden/);

  const allowed = sticky(['status', '--as', 'team-a-user', '-n', 'team-a'], { kubeconfig: cluster.kubeconfig });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^INGRESS\s+BACKEND/);

  // Groups and uid go as one header line each; without --as they are kubectl's error.
  const logged = sticky(['status', '--as', 'someone', '--as-group', 'g1,x', '--as-group', 'g2', '--as-uid', 'u-1', '-v=8'], { kubeconfig: cluster.kubeconfig });
  const headers = logged.stderr.split('\n').filter((line) => /^\s+Impersonate-/.test(line));
  assert.deepEqual(
    [...new Set(headers.map((h) => h.trim()))],
    ['Impersonate-Group: g1,x', 'Impersonate-Group: g2', 'Impersonate-Uid: u-1', 'Impersonate-User: someone'],
  );
  const groupOnly = sticky(['status', '--as-group', 'g1'], { kubeconfig: cluster.kubeconfig });
  assert.equal(groupOnly.code, 1);
  assert.equal(groupOnly.stderr.trim(), 'error: requesting uid, groups or user-extra for admin without impersonating a user');
});

test('-s, --token and --certificate-authority (or --insecure-skip-tls-verify) work with an empty kubeconfig, the token masked', () => {
  const { token, ca } = credentials();
  const empty = emptyKubeconfig();
  const flags = ['-s', cluster.server, '--token', token, '-n', 'team-a'];
  const real = kubectl(['get', 'services', ...flags, '--certificate-authority', ca], { kubeconfig: empty });
  assert.equal(real.code, 0, real.stderr);

  const verified = sticky(['status', ...flags, '--certificate-authority', ca, '-v=8'], { kubeconfig: empty });
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stdout, /team-web/);
  assert.ok(!verified.stderr.includes(token) && !verified.stdout.includes(token), 'the --token value is never printed');
  assert.match(verified.stderr, /^\s+Authorization: Bearer <masked>$/m);
  assert.match(verified.stderr, /^\s+Accept-Encoding: gzip$/m);

  const insecure = sticky(['status', ...flags, '--insecure-skip-tls-verify', '--disable-compression', '-v=8'], { kubeconfig: empty });
  assert.equal(insecure.code, 0, insecure.stderr);
  assert.match(insecure.stdout, /team-web/);
  assert.doesNotMatch(insecure.stderr, /Accept-Encoding/);

  // Both is kubectl's error, in its words.
  const both = [...flags, '--insecure-skip-tls-verify', '--certificate-authority', ca];
  const realBoth = kubectl(['get', 'services', ...both], { kubeconfig: empty });
  const stickyBoth = sticky(['status', ...both], { kubeconfig: empty });
  assert.equal(stickyBoth.code, 1);
  assert.equal(stickyBoth.stderr.trim(), realBoth.stderr.trim());
  assert.equal(stickyBoth.stderr.trim(), 'error: specifying a root certificates file with the insecure flag is not allowed');

  // --token replaces the kubeconfig user's credentials: a bad one is Unauthorized even with the admin kubeconfig.
  const wrong = sticky(['status', '--token', 'not-the-token-at-all'], { kubeconfig: cluster.kubeconfig });
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
  assert.ok(!wrong.stderr.includes('not-the-token-at-all'));
});

test('--tls-server-name is the name the certificate is checked against', () => {
  const { token, ca } = credentials();
  const flags = ['-s', cluster.server.replace('127.0.0.1', 'localhost'), '--token', token, '--certificate-authority', ca, '-n', 'team-a'];
  const named = sticky(['status', ...flags, '--tls-server-name', 'kubernetes.default'], { kubeconfig: emptyKubeconfig() });
  assert.equal(named.code, 0, named.stderr);
  const wrongName = sticky(['status', ...flags, '--tls-server-name', 'bogus.example'], { kubeconfig: emptyKubeconfig() });
  assert.equal(wrongName.code, 1);
  assert.equal(
    wrongName.stderr.trim(),
    'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, kubernetes, kubernetes.default, kubernetes.default.svc, not bogus.example',
  );
});

/** A CA certificate that did not sign the apiserver's. */
function strangerCa(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-ca-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt')].concat(
      ['-subj', '/CN=stranger-ca', '-days', '1'],
    ),
    { stdio: 'ignore' },
  );
  return join(dir, 'ca.crt');
}

/** kubectl logs each failed attempt first; the last line is its verdict. */
function verdict(stderr: string): string {
  return stderr.trim().split('\n').at(-1) ?? '';
}

test('connection failures in kubectl words, the same as real kubectl prints: wrong CA, name mismatch, refused, DNS, silent server', async () => {
  const { token, ca } = credentials();
  const empty = emptyKubeconfig();
  const silent = await silentServer();
  const refusedPort = await new Promise<number>((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => ok(port));
    });
  });
  try {
    const cases: { what: string; flags: string[]; expected: string }[] = [
      {
        what: 'a CA that did not sign the server certificate',
        flags: ['-s', cluster.server, '--certificate-authority', strangerCa()],
        expected: 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority',
      },
      {
        what: 'a name the certificate is not valid for',
        flags: ['-s', cluster.server, '--certificate-authority', ca, '--tls-server-name', 'bogus.example'],
        expected:
          'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, kubernetes, kubernetes.default, kubernetes.default.svc, not bogus.example',
      },
      {
        what: 'nothing listening',
        flags: ['-s', `https://127.0.0.1:${refusedPort}`, '--insecure-skip-tls-verify'],
        expected: `The connection to the server 127.0.0.1:${refusedPort} was refused - did you specify the right host or port?`,
      },
      {
        what: 'a host name that does not resolve',
        flags: ['-s', 'https://no-such-host.invalid:6443', '--insecure-skip-tls-verify'],
        expected: '',
      },
      {
        what: 'a server that accepts and never speaks, --request-timeout 2s',
        flags: ['-s', silent.url, '--insecure-skip-tls-verify', '--request-timeout', '2s'],
        expected: 'Unable to connect to the server: context deadline exceeded',
      },
    ];
    const runs = await Promise.all(
      cases.map(async (c) => {
        const flags = [...c.flags, '--token', token];
        const [ours, real] = await Promise.all([
          stickyAsync(['status', ...flags], { kubeconfig: empty }),
          kubectlAsync(['get', 'services', ...flags], { kubeconfig: empty }),
        ]);
        return { ...c, ours, real };
      }),
    );
    for (const { what, expected, ours, real } of runs) {
      assert.equal(ours.code, 1, `${what}: ${ours.stderr}`);
      assert.equal(real.code, 1, `${what}: kubectl: ${real.stderr}`);
      assert.equal(ours.stderr.trim().split('\n').length, 1, `${what}: one line: ${ours.stderr}`);
      // kubectl words a request timeout two ways, by where it caught the request.
      const realVerdict = verdict(real.stderr).replace(
        /^Unable to connect to the server: net\/http: request canceled while waiting for connection \(Client\.Timeout exceeded while awaiting headers\)$/,
        'Unable to connect to the server: context deadline exceeded',
      );
      assert.equal(ours.stderr.trim(), realVerdict, `${what}: the same words as kubectl`);
      if (expected) assert.equal(ours.stderr.trim(), expected, what);
      else assert.match(ours.stderr.trim(), /^Unable to connect to the server: dial tcp: lookup no-such-host\.invalid( on \S+)?: no such host$/, what);
      assert.ok(!ours.stderr.includes(token), `${what}: the token is masked`);
    }
    const timed = runs.find((r) => r.flags.includes('2s'));
    assert.ok(timed && timed.ours.ms >= 2000 && timed.ours.ms < 6000, `--request-timeout 2s took ${timed?.ours.ms}ms`);

    // Without --request-timeout, client-go's 10s TLS handshake bound ends it first, in its words
    // (kubectl retries discovery 4 times: 45s, too long to run here as well).
    const handshake = await stickyAsync(['status', '-s', silent.url, '--insecure-skip-tls-verify', '--token', token], { kubeconfig: empty });
    assert.equal(handshake.code, 1);
    assert.equal(handshake.stderr.trim(), 'Unable to connect to the server: net/http: TLS handshake timeout');
    assert.ok(handshake.ms >= 10_000 && handshake.ms < 15_000, `took ${handshake.ms}ms`);
  } finally {
    await silent.close();
  }
});

test("the server's Warning headers: printed once each as `Warning: text`, as kubectl prints them", async () => {
  const group = 'conn.example.com';
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            deprecated: true,
            deprecationWarning: `${group}/v1 Gadget is deprecated; use ${group}/v2`,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
          { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        ],
      },
    }),
  );
  mustKubectl(['wait', '--for=condition=Established', `crd/gadgets.${group}`, '--timeout=30s'], cluster.kubeconfig);
  const apply = `apiVersion: ${group}/v2\nkind: Gadget\nmetadata: {name: g1, namespace: ${NS}}\n`;
  // A fresh CRD version can take a moment to be served.
  for (let i = 0; i < 50 && kubectl(['apply', '-f', '-'], { kubeconfig: cluster.kubeconfig, input: apply }).code !== 0; i++)
    await new Promise((r) => setTimeout(r, 200));

  const real = kubectl(['get', `gadgets.v1.${group}`, '-n', NS], { kubeconfig: cluster.kubeconfig });
  assert.equal(real.code, 0, real.stderr);
  const expected = `Warning: ${group}/v1 Gadget is deprecated; use ${group}/v2`;
  assert.equal(real.stderr.trim(), expected);

  const lines: string[] = [];
  const kube = await connect({ kubeconfig: cluster.kubeconfig, namespace: NS, timeoutMs: 10_000, verbosity: 0, log: (line) => lines.push(line) });
  const gadgets = { group, version: 'v1', plural: 'gadgets', kind: 'Gadget' };
  assert.equal((await kube.list(gadgets, NS)).length, 1);
  assert.ok(await kube.get(gadgets, NS, 'g1'));
  await kube.list(gadgets, '');
  assert.deepEqual(lines, [expected], 'three deprecated reads, one warning');
  await kube.list({ ...gadgets, version: 'v2' }, NS);
  assert.deepEqual(lines, [expected], 'v2 is not deprecated');
});

test('watch: the stream ends when the server ends it; a refused connect throws as reads do; a 410 at the start is the 410 event', async () => {
  const kube = await api();
  const { resourceVersion } = await kube.listAt(CONFIGMAPS, NS);
  const started = Date.now();
  const events: WatchEvent[] = [];
  for await (const event of kube.watch(CONFIGMAPS, NS, { resourceVersion, timeoutSeconds: 1 }, new AbortController().signal)) events.push(event);
  assert.deepEqual(events, [], 'nothing changed');
  assert.ok(Date.now() - started >= 900, 'ended by the server after timeoutSeconds');

  const port = await new Promise<number>((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const free = (probe.address() as AddressInfo).port;
      probe.close(() => ok(free));
    });
  });
  const { token } = credentials();
  const refused = await connect({
    kubeconfig: emptyKubeconfig(),
    server: `https://127.0.0.1:${port}`,
    token,
    'insecure-skip-tls-verify': true,
    timeoutMs: 5000,
    verbosity: 0,
    log: () => {},
  });
  await assert.rejects(
    async () => {
      for await (const _ of refused.watch(CONFIGMAPS, NS, { resourceVersion }, new AbortController().signal)) assert.fail('no event expected');
    },
    { message: `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?` },
  );

  // A server that answers the watch request itself with 410 Gone (older apiservers did): a fault proxy.
  const proxy = new FaultProxy(cluster.server, resolve(repoRoot, '.cluster/pki'), (r) =>
    r.url.includes('watch=1')
      ? {
          kind: 'status',
          status: 410,
          body: JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
            message: 'too old resource version: 1 (99)',
          }),
        }
      : PASS,
  );
  const url = await proxy.start();
  try {
    const gone = await connect({ kubeconfig: kubeconfigFor(url, resolve(repoRoot, '.cluster/pki'), { token }), timeoutMs: 5000, verbosity: 0, log: () => {} });
    const seen: WatchEvent[] = [];
    for await (const event of gone.watch(CONFIGMAPS, NS, { resourceVersion: '1' }, new AbortController().signal)) seen.push(event);
    assert.deepEqual(seen, [{ type: 'ERROR', status: { code: 410, reason: 'Expired', message: 'too old resource version: 1 (99)' } }]);
  } finally {
    await proxy.stop();
  }
});

/** A loopback TCP forwarder to the apiserver on the first free port of `ports`; null when all are taken. */
async function forwarder(ports: readonly number[]): Promise<{ port: number; close: () => Promise<void> } | null> {
  const target = new URL(cluster.server);
  for (const port of ports) {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connectTcp(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    const listening = await new Promise<boolean>((ok) => {
      server.once('error', () => ok(false));
      server.listen(port, '127.0.0.1', () => ok(true));
    });
    if (listening) {
      const close = () =>
        new Promise<void>((ok) => {
          for (const s of sockets) s.destroy();
          server.close(() => ok());
        });
      return { port, close };
    }
  }
  return null;
}

test('a server on a port fetch calls "bad port" (6666, behind a loopback forwarder): status works, as kubectl get does', async (t) => {
  // The WHATWG blocked ports that Node's fetch (undici) refuses and Go's client does not.
  const forward = await forwarder([6666, 6665, 6667, 6668, 6669, 6000, 10080]);
  if (!forward) {
    t.skip('every blocked port (6665-6669, 6000, 10080) is in use on this machine');
    return;
  }
  try {
    const url = `https://127.0.0.1:${forward.port}`;
    await assert.rejects(fetch(url), (error: Error) => /bad port/.test(String((error.cause as Error | undefined)?.message ?? error.message)));
    const { token, ca } = credentials();
    const flags = ['-s', url, '--token', token, '--certificate-authority', ca, '-n', 'team-a'];
    const real = await kubectlAsync(['get', 'services', ...flags], { kubeconfig: emptyKubeconfig() });
    assert.equal(real.code, 0, real.stderr);
    const ours = await stickyAsync(['status', ...flags], { kubeconfig: emptyKubeconfig() });
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stdout, /team-web/);
  } finally {
    await forward.close();
  }
});

test('-f with https URLs: read as kubectl reads them; a 404 and a 503 in its words; a silent URL ends at --request-timeout', async () => {
  const pki = resolve(repoRoot, '.cluster/pki');
  const manifest = [
    'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n---',
    'apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata: {name: from-url, namespace: default, annotations: {ingress.appscode.com/affinity: cookie}}',
    'spec: {rules: [{host: a.example.com, http: {paths: [{backend: {serviceName: web, servicePort: 80}}]}}]}',
  ].join('\n');
  let fives = 0;
  const files = createHttpsServer({ cert: readFileSync(join(pki, 'apiserver.crt')), key: readFileSync(join(pki, 'apiserver.key')) }, (req, res) => {
    if (req.url === '/ingress.yaml') res.end(manifest);
    else if (req.url === '/moved.yaml') res.writeHead(302, { location: '/ingress.yaml' }).end();
    else if (req.url === '/busy.yaml') {
      fives++;
      res.writeHead(503).end('busy');
    } else if (req.url !== '/silent.yaml') res.writeHead(404).end('no such file');
  });
  await new Promise<void>((ok) => files.listen(0, '127.0.0.1', ok));
  const base = `https://127.0.0.1:${(files.address() as AddressInfo).port}`;
  // The test CA signed this server's certificate: Node reads extra CAs from NODE_EXTRA_CA_CERTS, Go from SSL_CERT_FILE.
  const env = { NODE_EXTRA_CA_CERTS: join(pki, 'ca.crt'), SSL_CERT_FILE: join(pki, 'ca.crt') };
  try {
    const ok = await stickyAsync(['status', '-f', `${base}/ingress.yaml`, '--voyager-version', '8.0.1'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^from-url\s+a\.example\.com\s+web:80\s+yes/m);
    const moved = await stickyAsync(['status', '-f', `${base}/moved.yaml`, '--voyager-version', '8.0.1'], { env });
    assert.equal(moved.stdout, ok.stdout, moved.stderr);

    const missing = `${base}/missing.yaml`;
    const [ours404, real404] = await Promise.all([
      stickyAsync(['status', '-f', missing, '--voyager-version', '8.0.1'], { env }),
      kubectlAsync(['create', '--dry-run=client', '-o', 'name', '-f', missing], { env, kubeconfig: cluster.kubeconfig }),
    ]);
    assert.equal(ours404.code, 1);
    assert.equal(ours404.stderr.trim(), `error: unable to read URL "${missing}", server reported 404 Not Found, status code=404`);
    assert.equal(ours404.stderr.trim(), verdict(real404.stderr));

    // 5xx is retried as kubectl does: 3 attempts, 1s apart.
    const busy = await stickyAsync(['status', '-f', `${base}/busy.yaml`, '--voyager-version', '8.0.1'], { env });
    assert.equal(busy.stderr.trim(), `error: unable to read URL "${base}/busy.yaml", server reported 503 Service Unavailable, status code=503`);
    assert.equal(fives, 3);
    assert.ok(busy.ms >= 2000, `took ${busy.ms}ms`);

    // kubectl waits forever here; the plugin bounds each attempt by --request-timeout.
    const silent = await stickyAsync(['status', '-f', `${base}/silent.yaml`, '--voyager-version', '8.0.1', '--request-timeout', '1s'], { env });
    assert.equal(silent.code, 1);
    assert.equal(silent.stderr.trim(), 'Unable to connect to the server: context deadline exceeded');
    assert.ok(silent.ms >= 5000 && silent.ms < 12_000, `3 attempts of 1s, 1s apart: took ${silent.ms}ms`);

    // Without the test CA, the certificate is refused as kubectl refuses it.
    const untrusted = await stickyAsync(['status', '-f', `${base}/ingress.yaml`, '--voyager-version', '8.0.1']);
    assert.equal(untrusted.stderr.trim(), 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
  } finally {
    files.closeAllConnections();
    await new Promise((ok) => files.close(ok));
  }
});

test('responses come gzip-compressed as kubectl asks for them, and plain with --disable-compression', async () => {
  // The apiserver compresses only large responses (over 128 KiB).
  mustKubectl(['delete', 'configmap', 'big', '-n', NS, '--ignore-not-found'], cluster.kubeconfig);
  const file = join(mkdtempSync(join(tmpdir(), 'sticky-big-')), 'big');
  writeFileSync(file, 'x'.repeat(200_000));
  mustKubectl(['create', 'configmap', 'big', '-n', NS, `--from-file=big=${file}`], cluster.kubeconfig);
  const read = async (disable: boolean) => {
    const lines: string[] = [];
    const kube = await connect({
      kubeconfig: cluster.kubeconfig,
      namespace: NS,
      timeoutMs: 10_000,
      verbosity: 8,
      log: (l) => lines.push(l),
      'disable-compression': disable,
    });
    const big = (await kube.list(CONFIGMAPS, NS)).find((c) => (c['metadata'] as { name?: string }).name === 'big');
    return { data: (big?.['data'] as Record<string, string> | undefined)?.['big'], lines };
  };
  const gzipped = await read(false);
  assert.equal(gzipped.data?.length, 200_000);
  assert.ok(gzipped.lines.includes('    Accept-Encoding: gzip'));
  assert.ok(
    gzipped.lines.some((l) => /^\s+Content-Encoding: gzip$/i.test(l)),
    'the server compressed the list',
  );
  const plain = await read(true);
  assert.equal(plain.data, gzipped.data);
  assert.ok(!plain.lines.some((l) => /Accept-Encoding|Content-Encoding/i.test(l)));
  mustKubectl(['delete', 'configmap', 'big', '-n', NS], cluster.kubeconfig);
});

test("an error answer that is not a Status: client-go's generic words (plain http to the TLS port)", async () => {
  const { token } = credentials();
  const flags = ['-s', cluster.server.replace('https:', 'http:'), '--token', token];
  const [ours, real] = await Promise.all([
    stickyAsync(['status', ...flags], { kubeconfig: emptyKubeconfig() }),
    kubectlAsync(['get', 'services', ...flags], { kubeconfig: emptyKubeconfig() }),
  ]);
  assert.equal(ours.code, 1);
  assert.equal(ours.stderr.trim(), 'Error from server (BadRequest): the server rejected our request for an unknown reason');
  assert.match(verdict(real.stderr), /the server rejected our request for an unknown reason/);
});

// Impersonation and basic auth side by side with the real kubectl: both go through a recording
// fault proxy in front of the apiserver, and the header lines each sent are compared (Go sends
// its map of user extras in random order, so the lines are compared as sorted sets).
async function sentThrough(proxy: FaultProxy, run: () => Promise<{ code: number; stdout: string; stderr: string }>) {
  const from = proxy.seen.length;
  const result = await run();
  // kubectl 1.32 first sends GET /version?timeout=5s from the kubeconfig without the credential
  // flags (with --password it still carries the kubeconfig's password): left out of the comparison.
  const sent = proxy.seen.slice(from).filter((s) => s.url !== '/version?timeout=5s');
  const lines = sent.flatMap((s) => s.headers.filter((h) => /^(Impersonate-|Authorization:|Accept-Encoding:)/i.test(h)));
  return { ...result, headers: [...new Set(lines)].sort(), requests: sent.length };
}

function proxiedKubeconfig(url: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const file = kubeconfigFor(url, resolve(repoRoot, '.cluster/pki'), user, { namespace: 'team-a' });
  const config = JSON.parse(readFileSync(file, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  Object.assign(config.clusters[0]?.cluster ?? {}, cluster);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const EXTRA_KEY = 'example.com/team%x';

test('impersonation from the kubeconfig (as, as-uid, as-groups, as-user-extra) and the flags over it: the headers kubectl sends', async () => {
  const { token } = credentials();
  const proxy = new FaultProxy(cluster.server, resolve(repoRoot, '.cluster/pki'));
  const url = await proxy.start();
  try {
    const user = {
      token,
      as: 'team-a-user',
      'as-uid': 'uid-1',
      'as-groups': ['g1', 'g,2'],
      'as-user-extra': { scopes: ['view', 'edit'], [EXTRA_KEY]: ['a b'] },
    };
    const kubeconfig = proxiedKubeconfig(url, user);
    const real = await sentThrough(proxy, () => kubectlAsync(['get', 'services'], { kubeconfig }));
    const ours = await sentThrough(proxy, () => stickyAsync(['status'], { kubeconfig }));
    assert.equal(real.code, 0, real.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.ok(ours.requests > 0 && real.requests > 0);
    assert.deepEqual(ours.headers, real.headers);
    assert.deepEqual(
      ours.headers.filter((h) => h.startsWith('Impersonate-')),
      [
        'Impersonate-Extra-Example.com%2fteam%25x: a b',
        'Impersonate-Extra-Scopes: edit',
        'Impersonate-Extra-Scopes: view',
        'Impersonate-Group: g,2',
        'Impersonate-Group: g1',
        'Impersonate-Uid: uid-1',
        'Impersonate-User: team-a-user',
      ],
    );
    // The apiserver took them: it reports the extras back, and the impersonated user may not read default.
    // (Straight to the apiserver: the proxy joins repeated header lines into one.)
    const direct = kubeconfigFor(cluster.server, resolve(repoRoot, '.cluster/pki'), user);
    const whoami = await kubectlAsync(['auth', 'whoami', '-o', 'json'], { kubeconfig: direct });
    assert.equal(whoami.code, 0, whoami.stderr);
    const seen = (JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; uid: string; extra: Record<string, string[]> } } }).status.userInfo;
    assert.deepEqual([seen.username, seen.uid, seen.extra], ['team-a-user', 'uid-1', { scopes: ['view', 'edit'], [EXTRA_KEY]: ['a b'] }]);
    const denied = await stickyAsync(['status', '-n', 'default'], { kubeconfig });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /User "team-a-user" cannot list/);

    // The flags over the kubeconfig: --as, --as-uid and --as-group replace its fields.
    const flags = ['--as', 'team-a-user', '--as-uid', 'uid-2', '--as-group', 'x'];
    const realFlags = await sentThrough(proxy, () => kubectlAsync(['get', 'services', ...flags], { kubeconfig }));
    const oursFlags = await sentThrough(proxy, () => stickyAsync(['status', ...flags], { kubeconfig }));
    assert.equal(oursFlags.code, 0, oursFlags.stderr);
    assert.deepEqual(oursFlags.headers, realFlags.headers);
    assert.ok(oursFlags.headers.includes('Impersonate-Group: x') && !oursFlags.headers.includes('Impersonate-Group: g1'));

    // --as-user-extra merges key by key over the kubeconfig's as-user-extra (client-go's merge of
    // the overrides). kubectl has the flag from 1.35 (cli-runtime 0.35); the plane's kubectl 1.32
    // reads the same map from the kubeconfig, so ours with the flag is compared with kubectl given
    // the merged map. (By hand, a kubectl built from k8s.io/kubectl v0.35.10 with these flags sent
    // the same header lines as ours, and the same error for extras without --as.)
    const extraFlags = ['--as-user-extra', 'scopes=admin', '--as-user-extra', 'other=1', '--as-user-extra', 'other=2'];
    const oursExtra = await sentThrough(proxy, () => stickyAsync(['status', ...extraFlags], { kubeconfig }));
    const merged = proxiedKubeconfig(url, { ...user, 'as-user-extra': { scopes: ['admin'], other: ['1', '2'], [EXTRA_KEY]: ['a b'] } });
    const realExtra = await sentThrough(proxy, () => kubectlAsync(['get', 'services'], { kubeconfig: merged }));
    assert.equal(oursExtra.code, 0, oursExtra.stderr);
    assert.equal(realExtra.code, 0, realExtra.stderr);
    assert.deepEqual(oursExtra.headers, realExtra.headers);
    assert.ok(oursExtra.headers.includes('Impersonate-Extra-Other: 2'));
  } finally {
    await proxy.stop();
  }
});

test('--username/--password and the kubeconfig basic auth: the Authorization header kubectl sends, masked at -v=8', async () => {
  // kube-apiserver has no basic authenticator since 1.19: both requests are anonymous and
  // forbidden (kubectl fails at another request than ours); the header they sent is the proof.
  const proxy = new FaultProxy(cluster.server, resolve(repoRoot, '.cluster/pki'));
  const url = await proxy.start();
  try {
    const basic = proxiedKubeconfig(url, { username: 'bob', password: 'kubeconfig-pass-1' });
    const none = proxiedKubeconfig(url, {});
    const cases: [string, string[]][] = [
      [basic, []],
      [basic, ['--password', 'flag-password-2']],
      [none, ['--username', 'amy', '--password', 'flag-password-3']],
      [none, ['--username', 'amy']],
    ];
    for (const [kubeconfig, flags] of cases) {
      const real = await sentThrough(proxy, () => kubectlAsync(['get', 'services', ...flags, '-v=8'], { kubeconfig }));
      const ours = await sentThrough(proxy, () => stickyAsync(['status', ...flags, '-v=8'], { kubeconfig }));
      assert.ok(
        real.headers.some((h) => h.startsWith('Authorization: Basic ')),
        `${flags.join(' ')}: ${real.headers.join(', ')}`,
      );
      assert.deepEqual(ours.headers, real.headers, flags.join(' '));
      assert.equal(ours.code, 1);
      assert.equal(real.code, 1);
      assert.match(ours.stderr, /^Error from server \(Forbidden\): .*User "system:anonymous" cannot/m);
      assert.match(real.stderr, /^Error from server \(Forbidden\)/m);
      // -v=8 shows the header masked, as kubectl's does; the password never appears.
      assert.match(ours.stderr, /^\s+Authorization: Basic <masked>$/m);
      assert.match(real.stderr, /\]\s+Authorization: Basic <masked>$/m);
      for (const secret of ['kubeconfig-pass-1', 'flag-password-2', 'flag-password-3'])
        assert.ok(!ours.stderr.includes(secret) && !ours.stdout.includes(secret));
    }
    // A token and basic auth together is kubectl's error, in its words, before any request.
    const withToken = ['--token', 'abcdefghijkl-token'];
    const realBoth = await sentThrough(proxy, () => kubectlAsync(['get', 'services', ...withToken], { kubeconfig: basic }));
    const oursBoth = await sentThrough(proxy, () => stickyAsync(['status', ...withToken], { kubeconfig: basic }));
    assert.equal(oursBoth.code, 1);
    assert.equal(oursBoth.stderr.trim(), realBoth.stderr.trim());
    assert.equal(oursBoth.requests, 0);
  } finally {
    await proxy.stop();
  }
});

test("the kubeconfig cluster's disable-compression: no Accept-Encoding, as kubectl; --disable-compression=false does not undo it", async () => {
  const { token } = credentials();
  const proxy = new FaultProxy(cluster.server, resolve(repoRoot, '.cluster/pki'));
  const url = await proxy.start();
  try {
    for (const [fields, flags] of [
      [{}, []],
      [{ 'disable-compression': true }, []],
      [{ 'disable-compression': true }, ['--disable-compression=false']],
    ] as const) {
      const kubeconfig = proxiedKubeconfig(url, { token }, fields);
      const real = await sentThrough(proxy, () => kubectlAsync(['get', 'services', ...flags], { kubeconfig }));
      const ours = await sentThrough(proxy, () => stickyAsync(['status', ...flags], { kubeconfig }));
      assert.equal(ours.code, 0, ours.stderr);
      const encoding = (headers: string[]) => headers.filter((h) => h.startsWith('Accept-Encoding'));
      assert.deepEqual(encoding(ours.headers), encoding(real.headers), JSON.stringify(fields));
      assert.deepEqual(encoding(ours.headers), 'disable-compression' in fields ? [] : ['Accept-Encoding: gzip']);
    }
  } finally {
    await proxy.stop();
  }
});
