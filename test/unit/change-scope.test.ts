// What enable/disable reads (cli/gather.ts gatherForChange) rests on the core helpers here and on
// one property: the effect of a change depends only on the Ingresses it touches and the Services
// and Endpoints of their backends. Checked on the benchmark's synthetic cluster (every annotation
// variety, `name.namespace` references, missing Services) under three versions' semantics.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canExist, ingressesUsing, mayUse, serviceKey, servicesNeeded } from '../../src/core/backends.ts';
import { effectOf, planChange, withPatches, type ChangeTarget } from '../../src/core/change.ts';
import { objectsFrom, type JsonObject, type ObjectSet } from '../../src/core/objects.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { namespaceObjects } from '../../bench/generate.ts';

const ingress = (namespace: string, name: string, services: string[]) => ({
  apiVersion: 'voyager.appscode.com/v1beta1',
  kind: 'Ingress',
  metadata: { namespace, name },
  spec: {
    rules: [{ host: `${name}.example.com`, http: { paths: services.map((s, i) => ({ path: `/${i}`, backend: { serviceName: s, servicePort: '80' } })) } }],
  },
});

test('ingressesUsing finds an Ingress by any backend, across namespaces by `name.namespace`; servicesNeeded lists every backend Service once', () => {
  const set = objectsFrom([ingress('a', 'web', ['s1', 's2']), ingress('b', 'other', ['s1.a', 'local']), ingress('c', 'none', ['s1'])], 'default');
  const using = ingressesUsing(set.ingresses, [{ namespace: 'a', name: 's1' }]);
  assert.deepEqual(
    using.map((i) => `${i.meta.namespace}/${i.meta.name}`),
    ['a/web', 'b/other'],
  );
  assert.deepEqual(
    servicesNeeded(using).map((s) => serviceKey(s.namespace, s.name)),
    ['a/s1', 'a/s2', 'b/local'],
  );
  assert.deepEqual(ingressesUsing(set.ingresses, [{ namespace: 'a', name: 'nobody' }]), []);
});

test('mayUse keeps every raw Ingress that uses the Services, and drops most others', () => {
  // As the API server sends them: plain JSON.
  const raws: JsonObject[] = JSON.parse(
    JSON.stringify([0, 1, 2].flatMap((ns) => namespaceObjects('v1beta1', ns, 3, 'bench-')).filter((o) => o.kind === 'Ingress')),
  );
  const views = objectsFrom(raws, 'default').ingresses;
  const key = (i: { meta: { namespace: string; name: string } }) => `${i.meta.namespace}/${i.meta.name}`;
  for (const targets of [
    [{ namespace: 'bench-00', name: 'svc-016' }],
    [
      { namespace: 'bench-01', name: 'svc-003' },
      { namespace: 'bench-02', name: 'svc-199' },
    ],
    [{ namespace: 'bench-00', name: 'missing-0028' }],
  ]) {
    const kept = raws.filter((raw) => mayUse(raw, targets));
    const exact = ingressesUsing(views, targets).map(key);
    assert.ok(exact.length > 0, JSON.stringify(targets));
    assert.deepEqual(ingressesUsing(objectsFrom(kept, 'default').ingresses, targets).map(key), exact);
    // Only those in the Service's namespace, or that name it with its namespace.
    assert.ok(kept.length <= 2 * exact.length, `${kept.length} of ${raws.length} kept`);
  }
  const ing = (serviceName: string, namespace?: string) => ({
    ...(namespace ? { metadata: { namespace } } : {}),
    spec: { rules: [{ http: { paths: [{ backend: { serviceName, servicePort: 80 } }] } }] },
  });
  const s1 = [{ namespace: 'a', name: 's1' }];
  assert.ok(mayUse(ing('s1', 'a'), s1));
  assert.ok(mayUse(ing('s1.a', 'a'), s1));
  assert.ok(mayUse(ing('s1.a', 'b'), s1));
  assert.ok(!mayUse(ing('s1', 'b'), s1), 's1 of namespace b');
  assert.ok(!mayUse(ing('s1.other', 'a'), s1));
  assert.ok(!mayUse(ing('s1.a.b', 'b'), s1), 'namespace a.b');
  assert.ok(!mayUse(ing('s10', 'a'), s1));
  assert.ok(!mayUse(ing('xs1', 'a'), s1));
  // Without a namespace: any reference by that name.
  assert.ok(mayUse(ing('s1'), s1));
  assert.ok(mayUse(ing('s1.other'), s1));
  assert.ok(!mayUse(ing('s10'), s1));
  assert.ok(mayUse({ metadata: { namespace: 'a' }, spec: { defaultBackend: { service: { name: 's1', port: { number: 80 } } } } }, s1));
  assert.ok(!mayUse({}, s1));
});

test('canExist: only DNS-1035 Service names in DNS-1123 label namespaces are asked for', () => {
  assert.ok(canExist({ namespace: 'team-a', name: 's1' }));
  assert.ok(canExist({ namespace: '0ns', name: 'a-b' }));
  for (const ref of [
    { namespace: 'a', name: '' },
    { namespace: 'a', name: '..' },
    { namespace: 'a', name: 'S1' },
    { namespace: 'a', name: '1s' },
    { namespace: 'a.b', name: 's' }, // `s.a.b`: the namespace is everything after the first dot
    { namespace: '', name: 's' },
    { namespace: 'a', name: 'x'.repeat(64) },
    { namespace: 'a', name: 'a/b' },
  ]) {
    assert.equal(canExist(ref), false, JSON.stringify(ref));
  }
});

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok);
  return result.profile;
}

/** What gatherForChange reads for these targets, taken out of the whole set. */
function narrowed(all: ObjectSet, targets: readonly ChangeTarget[]): ObjectSet {
  const services = targets.flatMap((t) => (t.role === 'service' ? [{ namespace: t.namespace, name: t.name }] : []));
  const targetIngresses = all.ingresses.filter((i) =>
    targets.some((t) => t.role === 'ingress' && t.flavor === i.flavor && t.namespace === i.meta.namespace && t.name === i.meta.name),
  );
  const ingresses = [...new Set([...targetIngresses, ...ingressesUsing(all.ingresses, services)])];
  const needed = new Set([...services, ...servicesNeeded(ingresses)].filter(canExist).map((s) => serviceKey(s.namespace, s.name)));
  return {
    ...all,
    ingresses: all.ingresses.filter((i) => ingresses.includes(i)),
    services: all.services.filter((s) => needed.has(serviceKey(s.meta.namespace, s.meta.name))),
    endpoints: all.endpoints.filter((e) => needed.has(serviceKey(e.namespace, e.serviceName))),
    events: [],
  };
}

test('the effect of a change on the objects it touches equals its effect on the whole cluster', () => {
  const raws = [0, 1, 2].flatMap((ns) => namespaceObjects('v1beta1', ns, 3, 'bench-'));
  const all = objectsFrom(raws, 'default');
  const cases: ChangeTarget[][] = [
    [{ role: 'service', namespace: 'bench-00', name: 'svc-016' }],
    [{ role: 'service', namespace: 'bench-01', name: 'svc-003' }],
    [{ role: 'service', namespace: 'bench-02', name: 'svc-199' }],
    [{ role: 'ingress', flavor: 'voyager', namespace: 'bench-01', name: 'ing-007' }],
    [
      { role: 'ingress', flavor: 'voyager', namespace: 'bench-00', name: 'ing-000' },
      { role: 'service', namespace: 'bench-00', name: 'svc-150' },
    ],
  ];
  let rows = 0;
  for (const version of ['3.2.0', '5.0.0', 'v12.0.0']) {
    const p = profile(version);
    const options = { profile: p, source: 'flag' as const, ingressClass: null };
    for (const targets of cases) {
      for (const action of ['enable', 'disable'] as const) {
        const annotationsOf = (set: ObjectSet, t: ChangeTarget) =>
          (t.role === 'service'
            ? set.services.find((s) => s.meta.namespace === t.namespace && s.meta.name === t.name)
            : set.ingresses.find((i) => i.meta.namespace === t.namespace && i.meta.name === t.name)
          )?.meta.annotations ?? {};
        const changes = targets.map((target) => {
          const plan = planChange(p, annotationsOf(all, target), {
            action,
            role: target.role,
            cookieName: null,
            cookieHash: null,
            overwrite: true,
            purge: false,
          });
          assert.ok(plan.ok);
          return { target, patch: plan.patch };
        });
        const small = narrowed(all, targets);
        const whole = effectOf(all, withPatches(all, changes), targets, options, action);
        const part = effectOf(small, withPatches(small, changes), targets, options, action);
        assert.deepEqual(part, whole, `${version} ${action} ${JSON.stringify(targets)}`);
        assert.ok(small.ingresses.length < all.ingresses.length / 10);
        rows += whole.backends.length;
      }
    }
  }
  assert.ok(rows > 30, `the cases touch backends (${rows} effect rows)`);
});

test('an Ingress target affects its own flavor only, when a Voyager and a standard Ingress share the name', () => {
  const set = objectsFrom(
    [
      ingress('a', 'dup', ['s1']),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { namespace: 'a', name: 'dup', annotations: { 'kubernetes.io/ingress.class': 'voyager' } },
        spec: { defaultBackend: { service: { name: 's2', port: { number: 80 } } } },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'a', name: 's1' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'a', name: 's2' }, spec: { ports: [{ port: 80 }] } },
    ],
    'default',
  );
  const p = profile('v12.0.0');
  const target: ChangeTarget = { role: 'ingress', flavor: 'voyager', namespace: 'a', name: 'dup' };
  const after = withPatches(set, [{ target, patch: { 'ingress.appscode.com/affinity': 'cookie' } }]);
  const effect = effectOf(set, after, [target], { profile: p, source: 'flag', ingressClass: null }, 'enable');
  assert.deepEqual(
    effect.backends.map((b) => `${b.ingress.apiVersion} ${b.service.name} ${b.before}->${b.after}`),
    ['voyager.appscode.com/v1beta1 s1 false->true'],
  );
});
