// The probe's verdicts in the core: the prediction against what the wire showed, case by case,
// and which backends of an Ingress it probes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import {
  judge,
  persistenceCookie,
  probeBackends,
  probeExitCode,
  type Exchange,
  type Observation,
  type Predicted,
  type ProbeItem,
  type StickyProbe,
  type Verdict,
} from '../../src/core/probe.ts';
import { cookieValue } from '../../src/core/render.ts';
import { profileFor, type CookieHash } from '../../src/core/semantics.ts';
import { parseAddress, serviceAddress } from '../../src/probe/address.ts';

const ok = (setCookies: [string, string][] = [], server: string | null = null, status = 200): Exchange => ({
  status,
  setCookies: setCookies.map(([name, value]) => ({ name, value })),
  server,
});

/** N requests without a cookie: round-robin over `values` of cookie `name` (null: no cookie set). */
function fresh(name: string | null, values: string[], n = 4): Exchange[] {
  return Array.from({ length: n }, (_, i) => ok(name === null ? [] : [[name, values[i % values.length] ?? '']]));
}

function observation(name: string | null, values: string[], withCookie: Exchange[] = []): Observation {
  const f = fresh(name, values);
  const sent = name === null ? null : { name, value: values[0] ?? '' };
  return { requests: 4, fresh: f, sent, withCookie: sent ? (withCookie.length > 0 ? withCookie : Array.from({ length: 4 }, () => ok())) : [] };
}

const cookie = (name: string, hash: CookieHash | null = null, values: string[] = []): Predicted => ({
  sticky: true,
  mode: 'cookie',
  cookie: { name, hash },
  values,
});
const plain: Predicted = { sticky: false, mode: null, cookie: null, values: [] };
const sourceIp: Predicted = { sticky: true, mode: 'source-ip', cookie: null, values: [] };
const md5 = [cookieValue('pod-web-0', 0, 'md5'), cookieValue('pod-web-1', 1, 'md5')];

const CASES: { name: string; predicted: Predicted; obs: Observation; header?: string; verdict: string; reason: RegExp; pinned?: number | null }[] = [
  {
    name: 'cookie predicted and pinned',
    predicted: cookie('SERVERID'),
    obs: observation('SERVERID', ['a', 'b']),
    verdict: 'agrees',
    reason: /^cookie SERVERID pinned 4\/4/,
    pinned: 4,
  },
  {
    name: 'cookie predicted, none on the wire',
    predicted: cookie('SERVERID'),
    obs: observation(null, []),
    verdict: 'disagrees',
    reason: /no persistence cookie came in 4 responses/,
  },
  {
    name: 'another cookie name',
    predicted: cookie('CARTID'),
    obs: observation('SERVERID', ['a', 'b']),
    verdict: 'disagrees',
    reason: /^HAProxy sets persistence cookie SERVERID, status predicts CARTID$/,
  },
  { name: 'not sticky, no cookie', predicted: plain, obs: observation(null, []), verdict: 'agrees', reason: /^not sticky, and no persistence cookie/ },
  {
    name: 'not sticky, a persistence cookie',
    predicted: plain,
    obs: observation('SERVERID', ['a', 'b']),
    verdict: 'disagrees',
    reason: /predicts no stickiness, yet HAProxy sets persistence cookie SERVERID \(2 servers\)/,
  },
  {
    name: 'md5 values match the servers',
    predicted: cookie('SERVERID', 'md5', md5),
    obs: observation('SERVERID', md5),
    verdict: 'agrees',
    reason: /pinned 4\/4/,
  },
  {
    name: 'md5 predicted, raw names',
    predicted: cookie('SERVERID', 'md5', md5),
    obs: observation('SERVERID', ['pod-web-0', 'pod-web-1']),
    verdict: 'disagrees',
    reason: /^cookie value pod-web-0, pod-web-1 is not one/,
  },
  {
    name: 'md5 predicted, servers unknown, md5-shaped',
    predicted: cookie('SERVERID', 'md5'),
    obs: observation('SERVERID', md5),
    verdict: 'agrees',
    reason: /pinned/,
  },
  {
    name: 'index predicted, servers unknown, names',
    predicted: cookie('SERVERID', 'index'),
    obs: observation('SERVERID', ['pod-a']),
    verdict: 'disagrees',
    reason: /they should be index hashes/,
  },
  {
    name: 'one re-dispatch, then held',
    predicted: cookie('SERVERID'),
    obs: observation('SERVERID', ['a', 'b'], [ok(), ok([['SERVERID', 'b']]), ok(), ok()]),
    verdict: 'agrees',
    reason: /re-dispatched the client after request 2: the server of SERVERID=a stopped answering, the new cookie SERVERID=b held/,
    pinned: 1,
  },
  {
    name: 'a new value every time',
    predicted: cookie('SERVERID'),
    obs: observation('SERVERID', ['a', 'b'], [ok([['SERVERID', 'b']]), ok([['SERVERID', 'a']]), ok([['SERVERID', 'b']]), ok([['SERVERID', 'a']])]),
    verdict: 'disagrees',
    reason: /did not hold: HAProxy moved the client 4 times in 4 requests/,
    pinned: 0,
  },
  {
    name: '503 for the cookie of a stopped server',
    predicted: cookie('SERVERID'),
    obs: observation('SERVERID', ['a', 'b'], [ok(), ok([], null, 503), ok([], null, 503), ok([], null, 503)]),
    verdict: 'disagrees',
    reason: /3\/4 requests with SERVERID=a failed/,
  },
  { name: 'source-IP without --server-header', predicted: sourceIp, obs: observation(null, []), verdict: 'unobservable', reason: /--server-header/ },
  {
    name: 'source-IP, one server',
    predicted: sourceIp,
    obs: { requests: 3, fresh: [ok([], 'a'), ok([], 'a'), ok([], 'a')], sent: null, withCookie: [] },
    header: 'x-pod',
    verdict: 'agrees',
    reason: /^3\/3 connections from one address reached x-pod a$/,
    pinned: 3,
  },
  {
    name: 'source-IP, two servers',
    predicted: sourceIp,
    obs: { requests: 3, fresh: [ok([], 'a'), ok([], 'b'), ok([], 'a')], sent: null, withCookie: [] },
    header: 'x-pod',
    verdict: 'disagrees',
    reason: /reached 2 servers \(a, b\)/,
  },
  {
    name: 'every response an error',
    predicted: cookie('SERVERID'),
    obs: { requests: 2, fresh: [ok([], null, 503), ok([], null, 503)], sent: null, withCookie: [] },
    verdict: 'disagrees',
    reason: /every response was an error \(HTTP 503\)/,
  },
];

for (const c of CASES) {
  test(`judge: ${c.name}`, () => {
    const judgement = judge(c.predicted, c.obs, c.header ?? null);
    assert.equal(judgement.verdict, c.verdict, judgement.reason);
    assert.match(judgement.reason, c.reason);
    if (c.pinned !== undefined) assert.equal(judgement.observed.pinned, c.pinned);
  });
}

test('persistenceCookie: the predicted name; else one whose values repeat or is SERVERID; never a per-response session cookie', () => {
  const session = Array.from({ length: 4 }, (_, i) => ok([['JSESSIONID', `s${i}`]]));
  assert.equal(persistenceCookie(session, null), null);
  assert.equal(persistenceCookie(session, 'JSESSIONID'), 'JSESSIONID');
  assert.equal(persistenceCookie(fresh('SHOPID', ['a', 'b']), null), 'SHOPID');
  assert.equal(persistenceCookie([ok([['SERVERID', 'a']])], 'CARTID'), 'SERVERID');
});

test('probeExitCode: 1 when any backend disagrees, else 0 (unobservable included)', () => {
  const item = (verdict: Verdict): ProbeItem => ({
    ingress: { namespace: 'ns', name: 'shop' },
    backend: { host: 'a.example', path: '/', port: 80 },
    service: { namespace: 'ns', name: 'web', port: '80' },
    address: '127.0.0.1:80',
    url: 'http://a.example/',
    predicted: plain,
    observed: { cookie: null, values: [], pinned: null, requests: 1, redispatched: 0, servers: [] },
    verdict,
    reason: '',
  });
  const doc = (verdicts: Verdict[]): StickyProbe => ({
    apiVersion: 'kubectl-sticky/v1alpha1',
    kind: 'StickyProbe',
    semantics: { voyagerVersion: 'v12.0.0', profile: '9.0', source: 'flag' },
    items: verdicts.map(item),
    warnings: [],
  });
  assert.equal(probeExitCode(doc(['agrees', 'unobservable'])), 0);
  assert.equal(probeExitCode(doc(['agrees', 'disagrees'])), 1);
});

function shop(extra: object[] = []) {
  const set = objectsFrom(
    [
      {
        apiVersion: 'voyager.appscode.com/v1beta1',
        kind: 'Ingress',
        metadata: {
          name: 'shop',
          namespace: 'ns',
          annotations: { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-hash': 'md5' },
        },
        spec: {
          backend: { serviceName: 'web', servicePort: '80' },
          tls: [{ hosts: ['secure.example'], secretName: 's' }],
          rules: [
            { host: 'a.example', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: '80' } }] } },
            { host: 'secure.example', http: { paths: [{ path: '/pay', backend: { serviceName: 'web', servicePort: '80' } }] } },
            { host: '*.wild.example', http: { port: '8080', paths: [{ backend: { serviceName: 'web', servicePort: '80' } }] } },
            { tcp: { port: '5432', backend: { serviceName: 'web', servicePort: '80' } } },
          ],
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'web', namespace: 'ns' },
        subsets: [{ addresses: [{ ip: '10.0.0.11', targetRef: { kind: 'Pod', name: 'web-0' } }], ports: [{ port: 80 }] }],
      },
      ...extra,
    ],
    'ns',
  );
  const result = profileFor('v12.0.0');
  assert.ok(result.ok);
  const { status, configs } = analyse(set, { profile: result.profile, source: 'flag', ingressClass: null });
  const ingress = set.ingresses[0];
  assert.ok(ingress);
  return (filter: { host?: string; path?: string }) => probeBackends(ingress, status.items, configs.get(ingress), { host: filter.host, path: filter.path });
}

test('probeBackends: the rule backends, with frontend port, TLS, Host, path and the predicted cookie values; not the default backend', () => {
  const backends = shop()({});
  assert.ok(Array.isArray(backends));
  assert.deepEqual(
    backends.map((b) => [b.host, b.path, b.frontendPort, b.tls, b.predicted.mode]),
    [
      ['a.example', '/', 80, false, 'cookie'],
      ['secure.example', '/pay', 443, true, 'cookie'],
      ['probe.wild.example', '/', 8080, false, 'cookie'],
      [null, '/', 5432, false, 'source-ip'],
    ],
  );
  assert.deepEqual(backends[0]?.predicted.values, [cookieValue('pod-web-0', 0, 'md5')]);
  assert.deepEqual(backends[3]?.predicted.values, []);
});

test('probeBackends: --host and --path pick; a filter that picks nothing is the error', () => {
  const pick = shop();
  const secure = pick({ host: 'SECURE.example' });
  assert.ok(Array.isArray(secure));
  assert.deepEqual(
    secure.map((b) => b.path),
    ['/pay'],
  );
  assert.equal(
    pick({ host: 'a.example', path: '/pay' }),
    'no backend of ingress/shop matches --host a.example --path /pay (its rules: a.example/, secure.example/pay, *.wild.example, *)',
  );
});

test('parseAddress and serviceAddress: HOST:PORT, the LoadBalancer, else a node port', () => {
  assert.deepEqual(parseAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseAddress('[::1]:443'), { host: '::1', port: 443 });
  assert.deepEqual(parseAddress('lb.example.com:80'), { host: 'lb.example.com', port: 80 });
  for (const bad of ['127.0.0.1', ':80', 'host:0', 'host:70000', 'a b:1', '::1:80']) assert.equal(typeof parseAddress(bad), 'string', bad);
  const ingress = { name: 'shop', namespace: 'ns', type: 'LoadBalancer' };
  const ports = { spec: { ports: [{ port: 80, nodePort: 30080 }] } };
  const lb = serviceAddress(ingress, { ...ports, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }, [], 80);
  assert.deepEqual(lb.address, { host: '203.0.113.7', port: 80 });
  const nodes = [{ status: { addresses: [{ type: 'InternalIP', address: '192.168.1.5' }] } }];
  const np = serviceAddress({ ...ingress, type: 'NodePort' }, ports, nodes, 80);
  assert.deepEqual(np.address, { host: '192.168.1.5', port: 30080 });
  assert.throws(() => serviceAddress(ingress, ports, nodes, 443), /service\/voyager-shop has no port 443/);
  assert.throws(() => serviceAddress(ingress, null, nodes, 80), /not found in namespace ns; give one with --address/);
});
