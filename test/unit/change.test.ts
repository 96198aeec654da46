// enable/disable planning in the core: which annotations a change writes, per Voyager version.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectOf, planChange, withPatches, type AnnotationPatch, type ChangeRequest, type ChangeTarget } from '../../src/core/change.ts';
import { objectsFrom, type ObjectSet } from '../../src/core/objects.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { effectLines, purgeHint, refusalMessage } from '../../src/output/effect.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok);
  return result.profile;
}

const enable = (over: Partial<ChangeRequest> = {}): ChangeRequest => ({
  action: 'enable',
  role: 'service',
  cookieName: null,
  cookieHash: null,
  overwrite: false,
  purge: false,
  ...over,
});

function plan(version: string, annotations: Record<string, string>, request: ChangeRequest) {
  const result = planChange(profile(version), annotations, request);
  return result.ok ? result.patch : `refused: ${refusalMessage(result.refusal)}`;
}

test('enable writes the key of the version: sticky-session "true" up to 5.x, affinity: cookie from 6.0', () => {
  for (const version of ['3.2.0', '4.0.0', '5.0.0']) assert.deepEqual(plan(version, {}, enable()), { 'ingress.appscode.com/sticky-session': 'true' }, version);
  for (const version of ['6.0.0', 'v12.0.0']) assert.deepEqual(plan(version, {}, enable()), { 'ingress.appscode.com/affinity': 'cookie' }, version);
  assert.deepEqual(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'cookie' }, enable()), {}, 'already sticky: nothing to write');
});

test('a different existing value needs --overwrite', () => {
  assert.match(
    String(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'true' }, enable())),
    /^refused: --overwrite is false .*'ingress\.appscode\.com\/affinity' already has a value \(true\)/,
  );
  assert.deepEqual(plan('v12.0.0', { 'ingress.appscode.com/affinity': 'true' }, enable({ overwrite: true })), { 'ingress.appscode.com/affinity': 'cookie' });
});

test('cookie flags: written where the version reads them from that object, refused with the reason elsewhere', () => {
  assert.match(String(plan('3.2.0', {}, enable({ role: 'ingress', cookieName: 'A' }))), /always uses cookie SERVERID/);
  assert.match(String(plan('6.0.0', {}, enable({ cookieName: 'A' }))), /reads cookie settings from the Ingress only/);
  assert.match(String(plan('4.0.0-alpha.1', {}, enable({ role: 'ingress', cookieHash: 'md5' }))), /no cookie hash/);
  assert.deepEqual(plan('4.0.0', {}, enable({ role: 'ingress', cookieName: 'A', cookieHash: 'md5' })), {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.kubernetes.io/session-cookie-name': 'A',
    'ingress.kubernetes.io/session-cookie-hash': 'md5',
  });
  assert.deepEqual(plan('v12.0.0', {}, enable({ cookieName: 'A' })), {
    'ingress.appscode.com/affinity': 'cookie',
    'ingress.appscode.com/session-cookie-name': 'A',
  });
  assert.match(String(plan('v12.0.0', {}, enable({ cookieHash: 'sha1' }))), /invalid --cookie-hash "sha1"/);
});

test('5.x reads two spellings of the cookie keys: the one present is the one changed, under the --overwrite rule', () => {
  const existing = { 'ingress.appscode.com/session-cookie-name': 'OLD' };
  assert.match(
    String(plan('5.0.0', existing, enable({ role: 'ingress', cookieName: 'NEW' }))),
    /'ingress\.appscode\.com\/session-cookie-name' already has a value \(OLD\)/,
  );
  assert.deepEqual(plan('5.0.0', existing, enable({ role: 'ingress', cookieName: 'NEW', overwrite: true })), {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.appscode.com/session-cookie-name': 'NEW',
  });
});

test('disable removes every key that turns stickiness on in any version; --purge also the cookie keys', () => {
  const annotations = {
    'ingress.appscode.com/sticky-session': 'true',
    'ingress.kubernetes.io/affinity': 'cookie',
    'ingress.appscode.com/session-cookie-name': 'A',
    owner: 'team',
  };
  const disable: ChangeRequest = { ...enable(), action: 'disable' };
  assert.deepEqual(plan('v12.0.0', annotations, disable), { 'ingress.appscode.com/sticky-session': null, 'ingress.kubernetes.io/affinity': null });
  assert.deepEqual(plan('v12.0.0', annotations, { ...disable, purge: true }), {
    'ingress.appscode.com/sticky-session': null,
    'ingress.kubernetes.io/affinity': null,
    'ingress.appscode.com/session-cookie-name': null,
  });
  assert.deepEqual(plan('3.2.0', { owner: 'team' }, disable), {});
});

const storefront = (ingressAnnotations: Record<string, string>, serviceAnnotations: Record<string, string>) =>
  objectsFrom(
    [
      {
        apiVersion: 'voyager.appscode.com/v1beta1',
        kind: 'Ingress',
        metadata: { namespace: 'shop', name: 'storefront', annotations: ingressAnnotations },
        spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/checkout', backend: { serviceName: 'checkout', servicePort: 80 } }] } }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'shop', name: 'checkout', annotations: serviceAnnotations },
        spec: { ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { namespace: 'shop', name: 'checkout' },
        subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
      },
    ],
    'default',
  );

function effectOfPatch(version: string, before: ObjectSet, target: ChangeTarget, patch: AnnotationPatch, action: 'enable' | 'disable') {
  const after = withPatches(before, [{ target, patch }]);
  return effectOf(before, after, [target], { profile: profile(version), source: 'flag', ingressClass: null }, action);
}

test('the effect names the cookie before and after where it changes (enable on the Ingress takes over the Service cookie CHK)', () => {
  const before = storefront({}, { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'CHK' });
  const target: ChangeTarget = { role: 'ingress', flavor: 'voyager', namespace: 'shop', name: 'storefront' };
  const patch = { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-hash': 'md5' };
  const effect = effectOfPatch('v12.0.0', before, target, patch, 'enable');
  assert.deepEqual(
    effect.backends.map((b) => [b.before, b.after, b.cookieBefore, b.cookieAfter]),
    [[true, true, 'CHK', 'SERVERID']],
  );
  assert.match(effectLines(effect)[1] ?? '', /yes \(cookie CHK\)\s+yes \(cookie SERVERID\)$/);
  assert.match(effect.configs[0]?.after ?? '', /cookie SERVERID insert/);
  // The same name before and after: the cells stay plain.
  const same = effectOfPatch(
    'v12.0.0',
    before,
    target,
    { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'CHK' },
    'enable',
  );
  assert.match(effectLines(same)[1] ?? '', /yes\s+yes$/);
});

test('disable without --purge reports the cookie keys it leaves that nothing reads; with --purge, none', () => {
  const before = storefront({}, { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'WEBID' });
  const target: ChangeTarget = { role: 'service', namespace: 'shop', name: 'checkout' };
  const annotations = before.services[0]?.meta.annotations ?? {};
  for (const purge of [false, true]) {
    const planned = planChange(profile('v12.0.0'), annotations, { ...enable(), action: 'disable', purge });
    assert.ok(planned.ok);
    const effect = effectOfPatch('v12.0.0', before, target, planned.patch, 'disable');
    assert.deepEqual(
      effect.backends.map((b) => b.after),
      [false],
    );
    assert.deepEqual(effect.idleCookieKeys, purge ? [] : [{ object: 'service/shop/checkout', keys: ['ingress.appscode.com/session-cookie-name'] }]);
    assert.deepEqual(
      purgeHint(effect),
      purge
        ? []
        : [
            'hint: disable left ingress.appscode.com/session-cookie-name on service/shop/checkout, which nothing reads now; disable --purge removes cookie keys too',
          ],
    );
  }
  // Before 9.0 a sticky Service uses the Ingress's cookie keys: disabling the Ingress leaves them in use.
  const old = storefront(
    { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'SHOP' },
    { 'ingress.appscode.com/affinity': 'cookie' },
  );
  const ingressTarget: ChangeTarget = { role: 'ingress', flavor: 'voyager', namespace: 'shop', name: 'storefront' };
  const effect = effectOfPatch('8.0.1', old, ingressTarget, { 'ingress.appscode.com/affinity': null }, 'disable');
  assert.deepEqual(effect.idleCookieKeys, []);
});
