// The requests enable/disable sends, from its -v=6 lines, through the real kubectl: the Ingresses
// in all namespaces (only when a Service is a target), then the Services and Endpoints of the
// affected Ingresses' backends by GET, or one namespace list for a namespace with many; never a
// cluster-wide list of Services or Endpoints, and no Events.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EFFECT_OBJECTS, EFFECT_TEAM_A, EFFECT_TEAM_A_NAMES } from './fixtures.ts';
import { ensureCluster, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

let cluster: Cluster;
const A = 'e2e-effect-a';
const B = 'e2e-effect-b';
const C = 'e2e-effect-c';

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `${EFFECT_OBJECTS}\n---\n${EFFECT_TEAM_A}`);
});

// Other tests assert what team-a holds (npm test runs the e2e files one at a time).
after(() => {
  mustKubectl(['delete', ...EFFECT_TEAM_A_NAMES], cluster.kubeconfig);
});

/**
 * `METHOD /path?query STATUS` of every request in the -v=6 lines (`GET https://host/path?q 200
 * in 12ms`), the query sorted and without the paging parameters; a list's later pages (with
 * `continue`, when the plane also holds the benchmark's objects) count as that list.
 */
function requests(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const match = /^(GET|PATCH|POST|PUT|DELETE) (https?:\/\/\S+) (\d{3})\b/.exec(line);
    if (!match) continue;
    const url = new URL(match[2] ?? '');
    if (url.searchParams.has('continue')) continue;
    const query = [...url.searchParams].filter(([key]) => key !== 'limit' && key !== 'continue').sort(([a], [b]) => (a < b ? -1 : 1));
    out.push(`${match[1]} ${url.pathname}${query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''} ${match[3]}`);
  }
  return out.sort();
}

function run(args: string[], kubeconfig = cluster.kubeconfig): string[] {
  const result = sticky([...args, '-v=6'], { kubeconfig });
  assert.equal(result.code, 0, result.stderr);
  const sent = requests(result.stderr);
  assert.ok(sent.length > 0, `no -v=6 request lines in:\n${result.stderr}`);
  for (const request of sent) {
    assert.doesNotMatch(request, /^GET \/api\/v1\/(services|endpoints)[? ]/, 'a cluster-wide list of Services or Endpoints');
    assert.doesNotMatch(request, /\/events\b/, 'Events are not read');
  }
  return sent;
}

const core = (namespace: string, plural: string, name?: string) => `/api/v1/namespaces/${namespace}/${plural}${name ? `/${name}` : ''}`;
const DISCOVERY = 'GET /apis/voyager.appscode.com 200';
const INGRESS_LISTS = ['GET /apis/voyager.appscode.com/v1beta1/ingresses 200', 'GET /apis/networking.k8s.io/v1/ingresses 200'];
const OPERATOR_LISTS = [
  'GET /apis/apps/v1/deployments?labelSelector=app.kubernetes.io/name=voyager 200',
  'GET /apis/apps/v1/deployments?labelSelector=app=voyager 200',
];
const dryPatch = (path: string) => `PATCH ${path}?dryRun=All&fieldManager=kubectl-sticky 200`;

test('enable svc --dry-run=server: the Ingresses everywhere, then only the Services and Endpoints their backends name', () => {
  // svc/app is used by shop (a: app, api), partner (b: app.e2e-effect-a, local, missing) and
  // wide (c: 20 Services, more than are fetched one by one, and app.e2e-effect-a).
  // 5.0 writes sticky-session, which mutate-effect's writes of svc/app (8.0) never leave behind.
  const sent = run(['enable', 'svc/app', '-n', A, '--dry-run=server', '--voyager-version', '5.0.0']);
  const expected = [
    DISCOVERY,
    `GET ${core(A, 'services', 'app')} 200`,
    ...INGRESS_LISTS,
    `GET ${core(A, 'services', 'api')} 200`,
    `GET ${core(B, 'services', 'local')} 200`,
    `GET ${core(B, 'services', 'missing')} 404`,
    `GET ${core(C, 'services')} 200`,
    `GET ${core(A, 'endpoints', 'app')} 200`,
    `GET ${core(A, 'endpoints', 'api')} 200`,
    `GET ${core(B, 'endpoints', 'local')} 200`,
    `GET ${core(B, 'endpoints', 'missing')} 404`,
    `GET ${core(C, 'endpoints')} 200`,
    dryPatch(core(A, 'services', 'app')),
  ].sort();
  assert.deepEqual(sent, expected);
});

test('enable ingress --dry-run=server: no list of Ingresses, the Services and Endpoints of its backends by GET; the operator Deployments for the semantics', () => {
  const sent = run(['enable', 'ingress/shop', '-n', A, '--dry-run=server']);
  const expected = [
    DISCOVERY,
    ...OPERATOR_LISTS,
    `GET /apis/voyager.appscode.com/v1beta1/namespaces/${A}/ingresses/shop 200`,
    `GET /apis/networking.k8s.io/v1/namespaces/${A}/ingresses/shop 404`,
    `GET ${core(A, 'services', 'app')} 200`,
    `GET ${core(A, 'services', 'api')} 200`,
    `GET ${core(A, 'endpoints', 'app')} 200`,
    `GET ${core(A, 'endpoints', 'api')} 200`,
    dryPatch(`/apis/voyager.appscode.com/v1beta1/namespaces/${A}/ingresses/shop`),
  ].sort();
  assert.deepEqual(sent, expected);
});

test('a write on 9.0 reads no Endpoints (no diffs to show); an unchanged object is not patched', () => {
  const sent = run(['disable', 'svc/lonely', '-n', A, '--voyager-version', 'v12.0.0']);
  assert.deepEqual(sent, [DISCOVERY, `GET ${core(A, 'services', 'lonely')} 200`, ...INGRESS_LISTS].sort());
});

test('forbidden in all namespaces: the Ingresses of the namespace, and a forbidden Service namespace is asked by GET only', () => {
  const sent = run(['enable', 'svc/effect-web', '-n', 'team-a', '--dry-run=server', '--voyager-version', 'v12.0.0'], cluster.limitedKubeconfig);
  const expected = [
    DISCOVERY,
    `GET ${core('team-a', 'services', 'effect-web')} 200`,
    'GET /apis/voyager.appscode.com/v1beta1/ingresses 403',
    'GET /apis/networking.k8s.io/v1/ingresses 403',
    'GET /apis/voyager.appscode.com/v1beta1/namespaces/team-a/ingresses 200',
    'GET /apis/networking.k8s.io/v1/namespaces/team-a/ingresses 200',
    `GET ${core(B, 'services', 'local')} 403`,
    `GET ${core('team-a', 'endpoints', 'effect-web')} 200`,
    `GET ${core(B, 'endpoints', 'local')} 403`,
    dryPatch(core('team-a', 'services', 'effect-web')),
  ].sort();
  assert.deepEqual(sent, expected);
});
