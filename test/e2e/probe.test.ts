// `kubectl sticky probe` with real parts: the Ingresses, Services and Endpoints on the real
// kube-apiserver, a real haproxy running the backend sections Voyager writes for them (rendered
// by the core where the wire should agree, edited by hand where it should not), loopback HTTP
// servers as the pods. The plugin runs through the real kubectl, in a child process, while this
// process serves the pods.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { objectsFrom } from '../../src/core/objects.ts';
import { cookieValue, formatBackends, renderIngress } from '../../src/core/render.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { freeNodePort, freePort, haproxyMissing, selfSignedPem, silentServer, startHaproxy, startPod, type Haproxy, type Pod } from '../support/probe-parts.ts';
import { stickyAsync } from '../support/spawn.ts';
import { ensureCluster, type Cluster } from './cluster.ts';
import { mustKubectl } from './run.ts';

const NS = 'e2e-probe';
const VERSION = 'v12.0.0';
const SERVICES = ['cart', 'catalog', 'checkout', 'hashed', 'secure'] as const;
type ServiceName = (typeof SERVICES)[number];

const annotations: Record<ServiceName, Record<string, string>> = {
  cart: { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'CARTID' },
  catalog: {},
  checkout: { 'ingress.appscode.com/affinity': 'cookie' },
  hashed: {},
  secure: {},
};

const rule = (host: string, service: ServiceName) => ({ host, http: { paths: [{ path: '/', backend: { serviceName: service, servicePort: '80' } }] } });

/** Two pods a Service, at 10.0.0.x on the API server (it refuses loopback endpoints), at loopback ports in haproxy.cfg. */
const podIp = (service: ServiceName, i: number) => `10.0.${SERVICES.indexOf(service) + 1}.${10 + i}`;

const OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  {
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'shop', namespace: NS },
    spec: { rules: [rule('cart.shop.example', 'cart'), rule('catalog.shop.example', 'catalog'), rule('checkout.shop.example', 'checkout')] },
  },
  {
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: {
      name: 'hashed',
      namespace: NS,
      annotations: { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-hash': 'md5' },
    },
    spec: { rules: [rule('hashed.shop.example', 'hashed')] },
  },
  {
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'secure', namespace: NS, annotations: { 'ingress.appscode.com/affinity': 'cookie' } },
    spec: { tls: [{ hosts: ['secure.shop.example'], secretName: 'secure-tls' }], rules: [rule('secure.shop.example', 'secure')] },
  },
  {
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'tcp-only', namespace: NS },
    spec: { rules: [{ tcp: { port: '5432', backend: { serviceName: 'catalog', servicePort: '80' } } }] },
  },
  ...SERVICES.flatMap((name) => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, annotations: annotations[name] }, spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: NS },
      subsets: [
        { addresses: [0, 1].map((i) => ({ ip: podIp(name, i), targetRef: { kind: 'Pod', name: `${name}-${i}`, namespace: NS } })), ports: [{ port: 8080 }] },
      ],
    },
  ]),
];

function profile() {
  const result = profileFor(VERSION);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

/** The backend sections Voyager writes for the Ingresses (core render), pods' addresses swapped for loopback ones. */
function sections(pods: ReadonlyMap<string, Pod>): { text: string; names: Map<string, string> } {
  const set = objectsFrom(OBJECTS, NS);
  let text = '';
  const names = new Map<string, string>();
  for (const ingress of set.ingresses.filter((i) => i.meta.name !== 'tcp-only')) {
    const backends = renderIngress(ingress, set, profile()).backends;
    for (const b of backends) if (b.host) names.set(b.host, b.name);
    text += formatBackends(backends);
  }
  for (const [ip, pod] of pods) text = text.replaceAll(`${ip}:8080`, `127.0.0.1:${pod.port}`);
  return { text, names };
}

interface ConfigOptions {
  /** Hand edits of the sections: the deployed config that differs from the annotations. */
  edit?: (sections: string) => string;
  tls?: { port: number; pem: string };
}

function haproxyConfig(pods: ReadonlyMap<string, Pod>, options: ConfigOptions = {}): (port: number) => string {
  const { text, names } = sections(pods);
  const routes = [...names].map(([host, backend]) => `\tuse_backend ${backend} if { hdr(host) -i ${host} }`);
  const tls = options.tls
    ? [
        'frontend https',
        `\tbind 127.0.0.1:${options.tls.port} ssl crt ${options.tls.pem}`,
        `\tuse_backend ${names.get('secure.shop.example')} if { ssl_fc_sni -i secure.shop.example }`,
        '\thttp-request deny if !{ ssl_fc_sni -i secure.shop.example }',
      ]
    : [];
  return (port) =>
    [
      'global',
      '\tmaxconn 256',
      'defaults',
      '\tmode http',
      '\ttimeout connect 2s',
      '\ttimeout client 10s',
      '\ttimeout server 10s',
      // A connection failure to the cookie's server goes to another one (not checked against
      // Voyager's own defaults section: without it the probe reports the failed requests instead).
      '\toption redispatch',
      '\tretries 1',
      'frontend http',
      `\tbind 127.0.0.1:${port}`,
      ...routes,
      ...tls,
      (options.edit ?? ((s: string) => s))(text),
    ].join('\n');
}

async function startPods(onRequest?: (pod: Pod) => void): Promise<Map<string, Pod>> {
  const pods = new Map<string, Pod>();
  for (const service of SERVICES) for (const i of [0, 1]) pods.set(podIp(service, i), await startPod(`${service}-${i}`, onRequest));
  return pods;
}

/** The checkout section as deployed without its cookie line: annotations say sticky, HAProxy is not. */
const withoutCheckoutCookie = (text: string) =>
  text.replace(
    /(backend checkout\.[^\n]*\n)((?:\t[^\n]*\n?)*)/,
    (_m, head: string, body: string) => head + body.replace(/\tcookie [^\n]*\n/, '').replace(/ cookie \S+/g, ''),
  );

let cluster: Cluster;
let pods: Map<string, Pod>;
let haproxy: Haproxy;

const probe = (args: string[], timeoutMs = 60_000) =>
  stickyAsync(['probe', ...args, '-n', NS, '--voyager-version', VERSION], { kubeconfig: cluster.kubeconfig, timeoutMs });

const hits = () => [...pods.values()].reduce((sum, pod) => sum + pod.hits(), 0);

before(async () => {
  const missing = haproxyMissing();
  if (missing) assert.fail(missing);
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: OBJECTS }));
  pods = await startPods();
  haproxy = await startHaproxy(haproxyConfig(pods, { edit: withoutCheckoutCookie }));
});

after(async () => {
  await haproxy?.stop();
  await Promise.all([...(pods?.values() ?? [])].map((p) => p.stop()));
});

interface Item {
  backend: { host: string };
  predicted: { sticky: boolean; cookie: { name: string; hash: string | null } | null };
  observed: { cookie: string | null; values: string[]; pinned: number | null; requests: number; redispatched: number };
  verdict: string;
  reason: string;
}

function items(stdout: string): Map<string, Item> {
  const doc = JSON.parse(stdout) as { apiVersion: string; kind: string; items: Item[] };
  assert.equal(doc.kind, 'StickyProbe');
  assert.equal(doc.apiVersion, 'kubectl-sticky/v1alpha1');
  return new Map(doc.items.map((i) => [i.backend.host, i]));
}

test('probe -o json: the cookie and plain backends agree, the one deployed without its cookie line disagrees (exit 1)', { timeout: 90_000 }, async () => {
  const result = await probe(['ingress/shop', '--address', `127.0.0.1:${haproxy.port}`, '-o', 'json']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`^Probing 3 backends of ingress/shop at 127\\.0\\.0\\.1:${haproxy.port} \\(from --address\\): 10 requests each`, 'm'));
  const byHost = items(result.stdout);
  const cart = byHost.get('cart.shop.example');
  assert.equal(cart?.verdict, 'agrees', cart?.reason);
  assert.equal(cart?.observed.cookie, 'CARTID');
  assert.deepEqual([...(cart?.observed.values ?? [])].sort(), ['pod-cart-0', 'pod-cart-1']);
  assert.equal(cart?.observed.pinned, 10);
  const catalog = byHost.get('catalog.shop.example');
  assert.equal(catalog?.verdict, 'agrees', catalog?.reason);
  assert.equal(catalog?.observed.cookie, null);
  const checkout = byHost.get('checkout.shop.example');
  assert.equal(checkout?.verdict, 'disagrees');
  assert.equal(checkout?.predicted.cookie?.name, 'SERVERID');
  assert.equal(checkout?.observed.cookie, null);
  assert.match(checkout?.reason ?? '', /no persistence cookie came in 10 responses/);
});

test('probe --host limited to the agreeing backend exits 0; the table shows it', { timeout: 60_000 }, async () => {
  const result = await probe(['ingress/shop', '--address', `127.0.0.1:${haproxy.port}`, '--host', 'cart.shop.example', '--requests', '5']);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^INGRESS\s+BACKEND\s+PREDICTED\s+OBSERVED\s+PINNED\s+SERVERS\s+VERDICT$/);
  assert.match(lines[1] ?? '', /^shop\s+cart\.shop\.example\/\s+cookie CARTID\s+cookie CARTID\s+5\/5\s+2\s+agrees$/);
  assert.equal(lines.length, 2);
});

test('a closed port is an error (exit 2) in one line, within the timeout', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const result = await probe(['ingress/shop', '--address', `127.0.0.1:${port}`]);
  assert.equal(result.code, 2, result.stderr);
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.deepEqual(errors, [
    `error: probe of http://cart.shop.example/ at 127.0.0.1:${port}: connection refused - is the address right and the Ingress's HAProxy running?`,
  ]);
  assert.equal(result.stdout, '');
});

test('a silent server is an error within --request-timeout', { timeout: 30_000 }, async () => {
  const silent = await silentServer();
  try {
    const result = await probe(['ingress/shop', '--address', `127.0.0.1:${silent.port}`, '--request-timeout', '1s']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^error: probe of http://cart\\.shop\\.example/ at 127\\.0\\.0\\.1:${silent.port}: no answer within 1s \\(--request-timeout\\)$`, 'm'),
    );
    assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
  } finally {
    await silent.stop();
  }
});

test('bad input is one clear error and nothing is sent', { timeout: 60_000 }, async () => {
  const before = hits();
  const cases: [string[], RegExp][] = [
    [['ingress/shop', '--address', '127.0.0.1'], /^error: invalid --address "127\.0\.0\.1": use HOST:PORT/m],
    [
      ['ingress/shop', '--address', `127.0.0.1:${haproxy.port}`, '--host', 'nope.example'],
      /^error: no backend of ingress\/shop matches --host nope\.example \(its rules: /m,
    ],
    [['ingress/tcp-only', '--address', `127.0.0.1:${haproxy.port}`], /^error: ingress\/tcp-only has no HTTP rules: nothing to probe$/m],
    [['ingress/shop', '--address', `127.0.0.1:${haproxy.port}`, '--requests', '0'], /^error: invalid --requests "0"/m],
    [['ingress/gone', '--address', `127.0.0.1:${haproxy.port}`], /^Error from server \(NotFound\): ingresses "gone" not found$/m],
  ];
  for (const [args, message] of cases) {
    const result = await probe(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /^Probing/m);
  }
  assert.equal(hits(), before, 'a pod was reached');
});

test('no --address: the Service voyager-NAME is read (here without a reachable address: an error naming port-forward)', { timeout: 60_000 }, async () => {
  const result = await probe(['ingress/shop']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: no address to probe ingress\/shop: service\/voyager-shop not found in namespace e2e-probe; give one with --address \(for example kubectl port-forward svc\/voyager-shop 8080:80, then --address 127\.0\.0\.1:8080\)$/m,
  );
});

test('a different cookie name on the wire disagrees', { timeout: 60_000 }, async () => {
  const renamed = await startHaproxy(haproxyConfig(pods, { edit: (text) => text.replace('cookie CARTID insert', 'cookie SHOPID insert') }));
  try {
    const result = await probe(['ingress/shop', '--address', `127.0.0.1:${renamed.port}`, '--host', 'cart.shop.example', '-o', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const cart = items(result.stdout).get('cart.shop.example');
    assert.equal(cart?.verdict, 'disagrees');
    assert.equal(cart?.observed.cookie, 'SHOPID');
    assert.equal(cart?.reason, 'HAProxy sets persistence cookie SHOPID, status predicts CARTID');
  } finally {
    await renamed.stop();
  }
});

test('session-cookie-hash md5: the values are the md5 of the server names; raw names on the wire disagree', { timeout: 60_000 }, async () => {
  const hashed = await probe(['ingress/hashed', '--address', `127.0.0.1:${haproxy.port}`, '-o', 'json']);
  assert.equal(hashed.code, 0, hashed.stderr);
  const item = items(hashed.stdout).get('hashed.shop.example');
  assert.equal(item?.verdict, 'agrees', item?.reason);
  assert.equal(item?.predicted.cookie?.hash, 'md5');
  assert.deepEqual([...(item?.observed.values ?? [])].sort(), [cookieValue('pod-hashed-0', 0, 'md5'), cookieValue('pod-hashed-1', 1, 'md5')].sort());

  const raw = await startHaproxy(haproxyConfig(pods, { edit: (text) => text.replace(/(server (pod-hashed-\d) \S+ cookie )\S+/g, '$1$2') }));
  try {
    const result = await probe(['ingress/hashed', '--address', `127.0.0.1:${raw.port}`, '-o', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const wrong = items(result.stdout).get('hashed.shop.example');
    assert.equal(wrong?.verdict, 'disagrees');
    assert.match(wrong?.reason ?? '', /^cookie value pod-hashed-[01], pod-hashed-[01] is not one of the server lines' values \(Voyager writes .+, hash md5\)$/);
  } finally {
    await raw.stop();
  }
});

test('a server that stops between requests: HAProxy re-dispatches, and the probe says so instead of "pinned"', { timeout: 60_000 }, async () => {
  // The cart pods only see the probe's requests: 10 without the cookie, then the pinned pod
  // answers 3 with it and stops listening.
  let answered = 0;
  const mortal = await startPods((pod) => {
    answered++;
    if (answered === 13) void pod.stop();
  });
  const proxy = await startHaproxy(haproxyConfig(mortal));
  try {
    const result = await probe(['ingress/shop', '--address', `127.0.0.1:${proxy.port}`, '--host', 'cart.shop.example']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^shop\s+cart\.shop\.example\/\s+cookie CARTID\s+cookie CARTID\s+3\/10 \(re-dispatched 1\)\s+2\s+agrees$/m);
    const json = await probe(['ingress/shop', '--address', `127.0.0.1:${proxy.port}`, '--host', 'cart.shop.example', '-o', 'json']);
    // The stopped pod's server is gone for good now: every cookie-less request goes to the other one.
    const cart = items(json.stdout).get('cart.shop.example');
    assert.equal(cart?.verdict, 'agrees', cart?.reason);
    assert.equal(cart?.observed.values.length, 1);
  } finally {
    await proxy.stop();
    await Promise.all([...mortal.values()].map((p) => p.stop()));
  }
});

test('a TLS host: SNI, and a self-signed certificate is an error unless --insecure-skip-tls-verify', { timeout: 90_000 }, async () => {
  const { pem, dir } = selfSignedPem('secure.shop.example');
  const tlsPort = await freePort();
  // The TLS frontend routes by SNI alone and denies everything else: a cookie back proves SNI was sent.
  const proxy = await startHaproxy(haproxyConfig(pods, { tls: { port: tlsPort, pem } }));
  try {
    const strict = await probe(['ingress/secure', '--address', `127.0.0.1:${tlsPort}`]);
    assert.equal(strict.code, 2, strict.stderr);
    assert.match(
      strict.stderr,
      new RegExp(
        `^error: probe of https://secure\\.shop\\.example/ at 127\\.0\\.0\\.1:${tlsPort}: TLS: self-signed certificate \\(--insecure-skip-tls-verify probes without checking the certificate\\)$`,
        'm',
      ),
    );
    const insecure = await probe(['ingress/secure', '--address', `127.0.0.1:${tlsPort}`, '--insecure-skip-tls-verify', '-o', 'json']);
    assert.equal(insecure.code, 0, insecure.stderr);
    const item = items(insecure.stdout).get('secure.shop.example');
    assert.equal(item?.verdict, 'agrees', item?.reason);
    assert.equal(item?.observed.cookie, 'SERVERID');
    assert.equal(item?.observed.pinned, 10);
  } finally {
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no --address: node ports of Service voyager-NAME on a node (ingress.appscode.com/type: NodePort); a TCP rule is unobservable, or judged by --server-header', {
  timeout: 90_000,
}, async () => {
  const nodePort = await freeNodePort();
  let tcpNodePort = await freeNodePort();
  while (tcpNodePort === nodePort) tcpNodePort = await freeNodePort();
  const objects = [
    {
      apiVersion: 'voyager.appscode.com/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'mixed', namespace: NS, annotations: { 'ingress.appscode.com/type': 'NodePort' } },
      spec: { rules: [rule('mixed.shop.example', 'cart'), { tcp: { port: '5432', backend: { serviceName: 'cart', servicePort: '80' } } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'voyager-mixed', namespace: NS },
      spec: {
        type: 'NodePort',
        ports: [
          { name: 'http', port: 80, nodePort },
          { name: 'tcp', port: 5432, nodePort: tcpNodePort },
        ],
      },
    },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'e2e-probe-node' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } },
  ];
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const routed = haproxyConfig(pods);
  // The TCP rule's section as Voyager writes it for a sticky TCP backend (source IP), or without
  // the stick lines: the pods answer HTTP, so --server-header X-Pod tells them apart.
  const tcpSection = (sticky: boolean) =>
    [
      'frontend tcp-5432',
      '\tmode tcp',
      `\tbind 127.0.0.1:${tcpNodePort}`,
      `\tdefault_backend cart.${NS}:80-tcp`,
      `backend cart.${NS}:80-tcp`,
      '\tmode tcp',
      ...(sticky ? ['\tstick-table type ip size 100k expire 30m', '\tstick on src'] : []),
      ...[0, 1].map((i) => `\tserver pod-cart-${i} 127.0.0.1:${pods.get(podIp('cart', i))?.port}`),
    ].join('\n');
  const mixedConfig = (sticky: boolean) => (port: number) =>
    `${routed(port).replace('frontend http\n', `frontend http\n\tuse_backend cart.${NS}:80 if { hdr(host) -i mixed.shop.example }\n`)}\n${tcpSection(sticky)}\n`;
  let proxy = await startHaproxy(mixedConfig(true), nodePort);
  try {
    const result = await probe(['ingress/mixed', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^Probing 2 backends of ingress/mixed at 127\\.0\\.0\\.1:${nodePort} \\(from node port ${nodePort} of service/voyager-mixed on a node\\)`,
        'm',
      ),
    );
    const doc = JSON.parse(result.stdout) as { items: Item[] };
    assert.deepEqual(
      doc.items.map((i) => i.verdict),
      ['agrees', 'unobservable'],
    );
    assert.equal(doc.items[0]?.observed.cookie, 'CARTID');
    assert.match(doc.items[1]?.reason ?? '', /^source-IP stickiness .*--server-header/);
    assert.equal(doc.items[1]?.observed.requests, 10);

    const named = await probe(['ingress/mixed', '--server-header', 'X-Pod', '-o', 'json']);
    assert.equal(named.code, 0, named.stderr);
    const tcp = (JSON.parse(named.stdout) as { items: Item[] }).items[1];
    assert.equal(tcp?.verdict, 'agrees', tcp?.reason);
    assert.match(tcp?.reason ?? '', /^10\/10 connections from one address reached x-pod cart-[01]$/);

    await proxy.stop();
    proxy = await startHaproxy(mixedConfig(false), nodePort);
    const spread = await probe(['ingress/mixed', '--server-header', 'X-Pod', '-o', 'json']);
    assert.equal(spread.code, 1, spread.stderr);
    const loose = (JSON.parse(spread.stdout) as { items: Item[] }).items[1];
    assert.equal(loose?.verdict, 'disagrees');
    assert.match(loose?.reason ?? '', /^connections from one address reached 2 servers \(cart-[01], cart-[01]\): no source-IP stickiness$/);
  } finally {
    await proxy.stop();
    mustKubectl(['delete', 'node', 'e2e-probe-node'], cluster.kubeconfig);
  }
});
