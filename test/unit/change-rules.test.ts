// The rules of src/core/change.ts one by one, as tables: what planChange refuses and writes, what
// applyPatch and withPatches leave alone, and which warnings effectOf adds. Written against the
// survivors of the mutation test (docs/development.md, "Mutation testing"): each case separates a
// rule from the mutant that would break it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPatch,
  effectOf,
  isEmptyPatch,
  planChange,
  withPatches,
  type AnnotationPatch,
  type ChangeRequest,
  type ChangeTarget,
  type Refusal,
} from '../../src/core/change.ts';
import { objectsFrom, type ObjectSet } from '../../src/core/objects.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok);
  return result.profile;
}

const request = (over: Partial<ChangeRequest>): ChangeRequest => ({
  action: 'enable',
  role: 'service',
  cookieName: null,
  cookieHash: null,
  overwrite: false,
  purge: false,
  ...over,
});

function refusalOf(version: string, annotations: Record<string, string>, over: Partial<ChangeRequest>): Refusal | null {
  const plan = planChange(profile(version), annotations, request(over));
  return plan.ok ? null : plan.refusal;
}

test('planChange refuses a cookie name that is not an RFC 6265 token, whole value, and accepts every token character', () => {
  // Each bad value has token characters on both ends, so a pattern anchored at one end only passes it.
  for (const value of ['a b', 'A;B', 'A=B', 'A,B', 'A"B', 'A\\B', 'Aé', 'A/B', '(A)', 'A\tB']) {
    assert.deepEqual(refusalOf('v12.0.0', {}, { cookieName: value }), { kind: 'bad-cookie-name', value }, value);
  }
  const token = "!#$%&'*+-.^_`|~09AZaz";
  assert.equal(refusalOf('v12.0.0', {}, { cookieName: token }), null);
  const plan = planChange(profile('v12.0.0'), {}, request({ cookieName: token }));
  assert.deepEqual(plan, { ok: true, patch: { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': token } });
  // The hash is checked against Voyager's hashes, not the token rule: a token that is no hash is refused as a hash.
  assert.deepEqual(refusalOf('v12.0.0', {}, { cookieHash: 'sha1' }), { kind: 'bad-cookie-hash', value: 'sha1' });
  assert.deepEqual(refusalOf('v12.0.0', {}, { cookieHash: 'a b' }), { kind: 'bad-cookie-hash', value: 'a b' });
});

test('planChange refuses cookie settings given to disable, either one alone, and writes nothing', () => {
  for (const over of [{ cookieName: 'A' }, { cookieHash: 'md5' }, { cookieName: 'A', cookieHash: 'md5' }]) {
    assert.deepEqual(refusalOf('v12.0.0', { 'ingress.appscode.com/affinity': 'cookie' }, { action: 'disable', ...over }), { kind: 'cookie-with-disable' });
  }
});

test('planChange: where each version reads the cookie name and hash (semantics.STICKY_KEYS), per role', () => {
  // [version, role, what, refusal kind or the key written]
  const cases: [string, 'ingress' | 'service', 'name' | 'hash', string][] = [
    ['3.2.0', 'ingress', 'name', 'cookie-fixed'],
    ['3.2.0', 'service', 'hash', 'cookie-fixed'],
    // 4.0.0-alpha.1 reads ingress.kubernetes.io/session-cookie-name, the hash only from 4.0.0-rc.0.
    ['4.0.0-alpha.1', 'ingress', 'name', 'ingress.kubernetes.io/session-cookie-name'],
    ['4.0.0-alpha.1', 'ingress', 'hash', 'no-cookie-hash'],
    ['4.0.0-alpha.1', 'service', 'name', 'cookie-on-ingress-only'],
    ['4.0.0-rc.0', 'ingress', 'hash', 'ingress.kubernetes.io/session-cookie-hash'],
    ['8.0.1', 'service', 'hash', 'cookie-on-ingress-only'],
    ['8.0.1', 'ingress', 'name', 'ingress.appscode.com/session-cookie-name'],
    ['9.0.0', 'service', 'hash', 'ingress.appscode.com/session-cookie-hash'],
    ['v12.0.0', 'ingress', 'hash', 'ingress.appscode.com/session-cookie-hash'],
  ];
  for (const [version, role, what, expected] of cases) {
    const value = what === 'name' ? 'APP' : 'md5';
    const plan = planChange(profile(version), {}, request({ role, cookieName: what === 'name' ? value : null, cookieHash: what === 'hash' ? value : null }));
    const got = plan.ok ? Object.keys(plan.patch).find((key) => key.includes('session-cookie')) : plan.refusal.kind;
    assert.equal(got, expected, `${version} ${role} ${what}`);
    if (plan.ok) assert.equal(plan.patch[expected], value);
  }
});

test('disable removes the sticky keys present; --purge adds only the cookie keys present', () => {
  const annotations = { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-hash': 'md5', owner: 'team' };
  assert.deepEqual(planChange(profile('v12.0.0'), annotations, request({ action: 'disable' })), { ok: true, patch: { 'ingress.appscode.com/affinity': null } });
  assert.deepEqual(planChange(profile('v12.0.0'), annotations, request({ action: 'disable', purge: true })), {
    ok: true,
    patch: { 'ingress.appscode.com/affinity': null, 'ingress.appscode.com/session-cookie-hash': null },
  });
});

test('isEmptyPatch: no key at all; a removal or a value is a change', () => {
  const cases: [AnnotationPatch, boolean][] = [
    [{}, true],
    [{ a: null }, false],
    [{ a: 'x' }, false],
    [{ a: 'x', b: null }, false],
  ];
  for (const [patch, empty] of cases) assert.equal(isEmptyPatch(patch), empty, JSON.stringify(patch));
});

test('applyPatch sets and removes only the patched keys and keeps every other annotation as it was', () => {
  const annotations = { owner: 'team', 'ingress.appscode.com/affinity': 'cookie', note: '' };
  assert.deepEqual(applyPatch(annotations, { 'ingress.appscode.com/affinity': null, 'ingress.appscode.com/session-cookie-name': 'A' }), {
    owner: 'team',
    note: '',
    'ingress.appscode.com/session-cookie-name': 'A',
  });
  assert.deepEqual(applyPatch(annotations, {}), annotations);
  assert.deepEqual(annotations, { owner: 'team', 'ingress.appscode.com/affinity': 'cookie', note: '' }, 'the input is not changed');
});

const AFFINITY = 'ingress.appscode.com/affinity';
const COOKIE_NAME = 'ingress.appscode.com/session-cookie-name';

const voyagerIngress = (namespace: string, name: string, services: string[], annotations: Record<string, string> = {}) => ({
  apiVersion: 'voyager.appscode.com/v1beta1',
  kind: 'Ingress',
  metadata: { namespace, name, annotations },
  spec: {
    rules: [{ host: `${name}.example.com`, http: { paths: services.map((s, i) => ({ path: `/${i}`, backend: { serviceName: s, servicePort: 80 } })) } }],
  },
});
const networkingIngress = (namespace: string, name: string, service: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace, name, annotations: { 'kubernetes.io/ingress.class': 'voyager' } },
  spec: {
    rules: [
      { host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } },
    ],
  },
});
const service = (namespace: string, name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name, annotations },
  spec: { selector: { app: name }, ports: [{ port: 80 }] },
});
const endpoints = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { namespace, name },
  subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
});

const annotationsOf = (set: ObjectSet) => ({
  ingresses: set.ingresses.map((i) => [`${i.flavor}/${i.meta.namespace}/${i.meta.name}`, i.meta.annotations]),
  services: set.services.map((s) => [`${s.meta.namespace}/${s.meta.name}`, s.meta.annotations]),
});

test('withPatches patches exactly the targeted objects: by role, namespace, name and Ingress flavor, several at once', () => {
  const set = objectsFrom(
    [
      voyagerIngress('a', 'web', ['web']),
      networkingIngress('a', 'web', 'web'),
      voyagerIngress('b', 'web', ['web']),
      voyagerIngress('a', 'shop', ['web']),
      service('a', 'web', { owner: 'team' }),
      service('b', 'web'),
      service('a', 'shop'),
    ],
    'default',
  );
  const on = { [AFFINITY]: 'cookie' };
  const cases: { targets: ChangeTarget[]; patched: string[] }[] = [
    { targets: [{ role: 'service', namespace: 'a', name: 'web' }], patched: ['service a/web'] },
    { targets: [{ role: 'ingress', flavor: 'voyager', namespace: 'a', name: 'web' }], patched: ['ingress voyager/a/web'] },
    { targets: [{ role: 'ingress', flavor: 'networking', namespace: 'a', name: 'web' }], patched: ['ingress networking/a/web'] },
    { targets: [{ role: 'service', namespace: 'b', name: 'web' }], patched: ['service b/web'] },
    { targets: [{ role: 'ingress', flavor: 'voyager', namespace: 'a', name: 'shop' }], patched: ['ingress voyager/a/shop'] },
    {
      targets: [
        { role: 'service', namespace: 'a', name: 'shop' },
        { role: 'ingress', flavor: 'voyager', namespace: 'b', name: 'web' },
      ],
      patched: ['ingress voyager/b/web', 'service a/shop'],
    },
    { targets: [{ role: 'service', namespace: 'a', name: 'nobody' }], patched: [] },
  ];
  const before = annotationsOf(set);
  for (const { targets, patched } of cases) {
    const after = annotationsOf(
      withPatches(
        set,
        targets.map((target) => ({ target, patch: on })),
      ),
    );
    const changed = [
      ...after.ingresses.filter(([, a], i) => JSON.stringify(a) !== JSON.stringify(before.ingresses[i]?.[1])).map(([id]) => `ingress ${id}`),
      ...after.services.filter(([, a], i) => JSON.stringify(a) !== JSON.stringify(before.services[i]?.[1])).map(([id]) => `service ${id}`),
    ];
    assert.deepEqual(changed, patched, JSON.stringify(targets));
  }
  const patched = withPatches(set, [{ target: { role: 'service', namespace: 'a', name: 'web' }, patch: on }]);
  assert.deepEqual(patched.services[0]?.meta.annotations, { owner: 'team', [AFFINITY]: 'cookie' }, 'the other annotations stay');
  assert.equal(patched.endpoints, set.endpoints, 'the rest of the set is the same');
});

/** Two Ingresses in two namespaces, each using its namespace's Services web and api. */
function cluster(ingressAnnotations: Record<string, string>, webAnnotations: Record<string, string>, apiAnnotations: Record<string, string> = {}) {
  return objectsFrom(
    [
      voyagerIngress('a', 'front', ['web', 'api'], ingressAnnotations),
      voyagerIngress('b', 'front', ['web']),
      service('a', 'web', webAnnotations),
      service('a', 'api', apiAnnotations),
      service('b', 'web', webAnnotations),
      endpoints('a', 'web'),
      endpoints('a', 'api'),
      endpoints('b', 'web'),
    ],
    'default',
  );
}

function effect(version: string, before: ObjectSet, targets: ChangeTarget[], patch: AnnotationPatch, action: 'enable' | 'disable') {
  const after = withPatches(
    before,
    targets.map((target) => ({ target, patch })),
  );
  return effectOf(before, after, targets, { profile: profile(version), source: 'flag', ingressClass: null }, action);
}

const WEB_A: ChangeTarget = { role: 'service', namespace: 'a', name: 'web' };
const FRONT_A: ChangeTarget = { role: 'ingress', flavor: 'voyager', namespace: 'a', name: 'front' };

test('effectOf lists every backend the targets touch, each with its own before and after, and only those', () => {
  const before = cluster({}, {}, { [AFFINITY]: 'cookie', [COOKIE_NAME]: 'API' });
  const byService = effect('v12.0.0', before, [WEB_A], { [AFFINITY]: 'cookie' }, 'enable');
  assert.deepEqual(byService.backends, [
    {
      ingress: { namespace: 'a', name: 'front', apiVersion: 'voyager.appscode.com/v1beta1' },
      backend: 'front.example.com/0',
      service: { namespace: 'a', name: 'web' },
      before: false,
      after: true,
      cookieBefore: null,
      cookieAfter: 'SERVERID',
      sourcesAfter: ['service'],
    },
  ]);
  assert.deepEqual(byService.warnings, []);
  assert.deepEqual(byService.idleCookieKeys, []);
  assert.deepEqual(
    byService.configs.map((c) => c.ingress),
    ['a/front'],
  );
  const byIngress = effect('v12.0.0', before, [FRONT_A], { [AFFINITY]: 'cookie' }, 'enable');
  assert.deepEqual(
    byIngress.backends.map((b) => [b.service.name, b.before, b.after, b.cookieBefore, b.cookieAfter]),
    [
      ['web', false, true, null, 'SERVERID'],
      ['api', true, true, 'API', 'SERVERID'],
    ],
  );
  // A new Ingress (not in the set before): nothing before, no config before.
  const created = effectOf(objectsFrom([], 'default'), before, [FRONT_A], { profile: profile('v12.0.0'), source: 'flag', ingressClass: null }, 'enable');
  assert.deepEqual(
    created.backends.map((b) => [b.before, b.cookieBefore]),
    [
      [null, null],
      [null, null],
    ],
  );
  assert.equal(created.configs[0]?.before, '');
  assert.match(created.configs[0]?.after ?? '', /^backend /m);
});

test('effectOf configs: the affected Ingresses only, a standard Ingress named as such', () => {
  const before = objectsFrom(
    [
      networkingIngress('a', 'std', 'web'),
      voyagerIngress('a', 'other', ['api']),
      service('a', 'web'),
      service('a', 'api'),
      endpoints('a', 'web'),
      endpoints('a', 'api'),
    ],
    'default',
  );
  const result = effect('v12.0.0', before, [WEB_A], { [AFFINITY]: 'cookie' }, 'enable');
  assert.deepEqual(
    result.configs.map((c) => c.ingress),
    ['ingress.networking.k8s.io a/std'],
  );
  assert.doesNotMatch(result.configs[0]?.before ?? '', /cookie SERVERID/);
  assert.match(result.configs[0]?.after ?? '', /cookie SERVERID insert/);
});

test('effectOf warns that a backend stays sticky only when disable on a Service leaves it sticky by its Ingress', () => {
  const sticky = { [AFFINITY]: 'cookie' };
  const staysSticky = 'backend front.example.com/0 stays sticky: ingress a/front makes every backend sticky, and a Service cannot opt out';
  const cases: {
    name: string;
    ingress: Record<string, string>;
    targets: ChangeTarget[];
    action: 'enable' | 'disable';
    patch: AnnotationPatch;
    warned: boolean;
  }[] = [
    { name: 'disable the Service of a sticky Ingress', ingress: sticky, targets: [WEB_A], action: 'disable', patch: { [AFFINITY]: null }, warned: true },
    { name: 'disable the Service, the Ingress not sticky', ingress: {}, targets: [WEB_A], action: 'disable', patch: { [AFFINITY]: null }, warned: false },
    { name: 'enable the Service of a sticky Ingress', ingress: sticky, targets: [WEB_A], action: 'enable', patch: {}, warned: false },
    { name: 'disable the Ingress', ingress: sticky, targets: [FRONT_A], action: 'disable', patch: {}, warned: false },
  ];
  for (const c of cases) {
    const result = effect('v12.0.0', cluster(c.ingress, sticky), c.targets, c.patch, c.action);
    assert.deepEqual(result.warnings, c.warned ? [{ object: 'service/a/web', message: staysSticky }] : [], c.name);
  }
});

test('effectOf warns that a Service change does not re-render HAProxy before 6.0, when the change changes a backend', () => {
  const message = (version: string) =>
    `Voyager ${version} (5.0 semantics) does not re-render HAProxy when a Service changes: the new state reaches HAProxy at the next change of the Ingress`;
  const on = { 'ingress.appscode.com/sticky-session': 'true' };
  // 5.x reads sticky-session on Services (voyager-sticky.md §2); 6.0.0-rc.0 re-renders on a Service update (§3).
  assert.deepEqual(effect('5.0.0', cluster({}, {}), [WEB_A], on, 'enable').warnings, [{ object: 'service/a/web', message: message('5.0.0') }]);
  assert.deepEqual(effect('6.0.0', cluster({}, {}), [WEB_A], { [AFFINITY]: 'cookie' }, 'enable').warnings, []);
  assert.deepEqual(effect('5.0.0', cluster({}, on), [WEB_A], on, 'enable').warnings, [], 'already sticky: nothing changes');
  assert.deepEqual(effect('5.0.0', cluster({}, {}), [FRONT_A], on, 'enable').warnings, [], 'an Ingress change re-renders');
});

test('effectOf idle cookie keys: after disable only, on the targets whose cookie keys no sticky cookie backend reads', () => {
  const cookie = { [COOKIE_NAME]: 'APP' };
  const cases: {
    name: string;
    version: string;
    ingress: Record<string, string>;
    web: Record<string, string>;
    api?: Record<string, string>;
    target: ChangeTarget;
    action: 'enable' | 'disable';
    patch: AnnotationPatch;
    idle: string[];
  }[] = [
    {
      name: 'disable the Ingress: its cookie keys are left idle',
      version: 'v12.0.0',
      ingress: { [AFFINITY]: 'cookie', ...cookie },
      web: {},
      target: FRONT_A,
      action: 'disable',
      patch: { [AFFINITY]: null },
      idle: ['ingress/a/front'],
    },
    {
      name: 'disable the Service while its Ingress stays sticky: the Service keys are not read (the Ingress is the source)',
      version: 'v12.0.0',
      ingress: { [AFFINITY]: 'cookie' },
      web: { [AFFINITY]: 'cookie', ...cookie },
      target: WEB_A,
      action: 'disable',
      patch: { [AFFINITY]: null },
      idle: ['service/a/web'],
    },
    {
      name: 'enable the Service: never reported',
      version: 'v12.0.0',
      ingress: { [AFFINITY]: 'cookie' },
      web: cookie,
      target: WEB_A,
      action: 'enable',
      patch: { [AFFINITY]: 'cookie' },
      idle: [],
    },
    {
      name: 'disable a Service that is not there',
      version: 'v12.0.0',
      ingress: {},
      web: {},
      target: { role: 'service', namespace: 'a', name: 'nobody' },
      action: 'disable',
      patch: {},
      idle: [],
    },
    {
      name: 'disable the api Service beside a web Service sticky by its own keys: only the api keys are idle',
      version: 'v12.0.0',
      ingress: {},
      web: { [AFFINITY]: 'cookie', ...cookie },
      api: cookie,
      target: { role: 'service', namespace: 'a', name: 'api' },
      action: 'disable',
      patch: {},
      idle: ['service/a/api'],
    },
  ];
  for (const c of cases) {
    const result = effect(c.version, cluster(c.ingress, c.web, c.api), [c.target], c.patch, c.action);
    assert.deepEqual(
      result.idleCookieKeys.map((k) => k.object),
      c.idle,
      c.name,
    );
  }
});

test("effectOf with several targets: each target's backends, a standard Ingress by its flavor, its own config before", () => {
  const std: ChangeTarget = { role: 'ingress', flavor: 'networking', namespace: 'a', name: 'web' };
  const before = objectsFrom(
    [
      voyagerIngress('a', 'web', ['api'], { [AFFINITY]: 'cookie' }),
      networkingIngress('a', 'web', 'web'),
      service('a', 'web'),
      service('a', 'api'),
      endpoints('a', 'web'),
      endpoints('a', 'api'),
    ],
    'default',
  );
  const onStd = effect('v12.0.0', before, [std], { [AFFINITY]: 'cookie' }, 'enable');
  assert.deepEqual(
    onStd.backends.map((b) => [b.ingress.apiVersion, b.service.name, b.before, b.after]),
    [['networking.k8s.io/v1', 'web', false, true]],
  );
  assert.equal(onStd.configs.length, 1);
  assert.doesNotMatch(onStd.configs[0]?.before ?? '', /cookie/, 'the standard Ingress before, not the sticky Voyager one of that name');
  const both = effect('v12.0.0', before, [std, { role: 'service', namespace: 'a', name: 'api' }], { [AFFINITY]: 'cookie' }, 'enable');
  assert.deepEqual(both.backends.map((b) => `${b.ingress.apiVersion} ${b.service.name}`).sort(), [
    'networking.k8s.io/v1 web',
    'voyager.appscode.com/v1beta1 api',
  ]);
});

test("effectOf with a Service and an Ingress target: disable warns for the Service's backends that stay sticky, re-render once per change", () => {
  const sticky = { [AFFINITY]: 'cookie' };
  const result = effect(
    'v12.0.0',
    cluster(sticky, sticky),
    [WEB_A, { role: 'ingress', flavor: 'voyager', namespace: 'b', name: 'front' }],
    { [AFFINITY]: null },
    'disable',
  );
  assert.deepEqual(
    result.warnings.map((w) => w.object),
    ['service/a/web'],
  );
  // 5.x: two Service targets, one already sticky: the change of the other is enough for the warning.
  const on = { 'ingress.appscode.com/sticky-session': 'true' };
  const objects = objectsFrom(
    [voyagerIngress('a', 'front', ['web', 'api']), service('a', 'web'), service('a', 'api', on), endpoints('a', 'web'), endpoints('a', 'api')],
    'default',
  );
  const twice = effect('5.0.0', objects, [WEB_A, { role: 'service', namespace: 'a', name: 'api' }], on, 'enable');
  assert.deepEqual(
    twice.backends.map((b) => [b.service.name, b.before, b.after]),
    [
      ['web', false, true],
      ['api', true, true],
    ],
  );
  assert.deepEqual(
    twice.warnings.map((w) => w.object),
    ['service/a/web'],
  );
});
