import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseSemantics, enableAnnotation, keysRead, parseGoBool, profileFor, type ProfileId } from '../../src/core/semantics.ts';
import { matchesSelector, parseSelector } from '../../src/core/selector.ts';
import { parseTarget } from '../../src/cli/targets.ts';

function id(version: string): ProfileId | string {
  const result = profileFor(version);
  return result.ok ? result.profile.id : `error: ${result.message}`;
}

test('operator versions map to the reference table rows, boundaries included', () => {
  const table: [string, ProfileId][] = [
    ['3.2.0', '3.2'],
    ['3.2.2', '3.2'],
    ['4.0.0-alpha.0', '3.2'],
    ['4.0.0-alpha.1', '4.0'],
    ['4.0.0-rc.0', '4.0'],
    ['5.0.0-rc.10', '4.0'],
    ['5.0.0-rc.11', '5.0'],
    ['5.0.0', '5.0'],
    ['6.0.0-rc.0', '6.0'],
    ['7.4.0', '6.0'],
    ['8.0.1', '6.0'],
    ['9.0.0', '9.0'],
    ['v10.0.0', '9.0'],
    ['v12.0.0', '9.0'],
    ['v13.0.1', '9.0'],
    ['v2021.09.15', '9.0'],
    ['v2026.1.20', '9.0'],
    ['6.0', '6.0'],
    ['9.0.0-alpine', '9.0'],
    ['5.0.0-ubi', '5.0'],
    ['6.0.0-rc.0-alpine', '6.0'],
  ];
  for (const [version, expected] of table) assert.equal(id(version), expected, version);
  assert.match(String(id('3.1.0')), /no sticky sessions/);
  assert.match(String(id('latest')), /invalid Voyager version/);
});

test('cookie hash and pod server names start at their exact releases', () => {
  const at = (v: string) => {
    const r = profileFor(v);
    assert.ok(r.ok);
    return [r.profile.cookieHash, r.profile.podServerNames];
  };
  assert.deepEqual(at('4.0.0-beta.1'), [false, false]);
  assert.deepEqual(at('4.0.0-rc.0'), [true, false]);
  assert.deepEqual(at('4.0.0-rc.2'), [true, true]);
  assert.deepEqual(at('3.2.0'), [false, false]);
});

test("Go's ParseBool words, and only those", () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true, t);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false, f);
  for (const other of ['yes', 'on', ' true', '', 'tRUE']) assert.equal(parseGoBool(other), null, other);
});

test('semantics: flag, then operator image, then discovery, then 3.2', () => {
  const operator = {
    object: 'deployment/kube-system/voyager',
    labels: { 'app.kubernetes.io/name': 'voyager' } as Record<string, string>,
    images: ['ghcr.io/voyagermesh/voyager:v12.0.0'],
  };
  const pick = (flag: string | null, deployments = [operator], served: string[] | null = ['v1beta1', 'v1']) => {
    const r = chooseSemantics({ flag, deployments, servedVersions: served });
    assert.ok(r.ok);
    return [r.choice.profile.id, r.choice.source];
  };
  assert.deepEqual(pick('5.0.0'), ['5.0', 'flag']);
  assert.deepEqual(pick(null), ['9.0', 'operator']);
  assert.deepEqual(pick(null, [{ ...operator, images: ['appscode/voyager:6.0.0'] }]), ['6.0', 'operator']);
  assert.deepEqual(pick(null, [{ ...operator, labels: { app: 'other' } }]), ['9.0', 'discovery']);
  assert.deepEqual(pick(null, [], ['v1beta1']), ['3.2', 'default']);
  assert.equal(chooseSemantics({ flag: 'nope', deployments: [], servedVersions: null }).ok, false);
});

test('label selectors as kubectl -l reads them', () => {
  const labels = { app: 'web', tier: 'front' };
  const sel = (text: string) => {
    const r = parseSelector(text);
    assert.ok(r.ok, text);
    return matchesSelector(r.requirements, labels);
  };
  assert.equal(sel('app=web'), true);
  assert.equal(sel('app==web,tier!=back'), true);
  assert.equal(sel('app in (api, web)'), true);
  assert.equal(sel('tier notin (front)'), false);
  assert.equal(sel('!canary'), true);
  assert.equal(sel('canary'), false);
  assert.equal(parseSelector('a b c').ok, false);
});

test('TARGET spellings of kubectl', () => {
  assert.deepEqual(parseTarget('svc/s1'), { kind: 'service', name: 's1' });
  assert.deepEqual(parseTarget('services/s1'), { kind: 'service', name: 's1' });
  assert.deepEqual(parseTarget('ing/web'), { kind: 'ingress', flavor: null, name: 'web' });
  assert.deepEqual(parseTarget('ingresses.voyager.appscode.com/web'), { kind: 'ingress', flavor: 'voyager', name: 'web' });
  assert.deepEqual(parseTarget('ingress.networking.k8s.io/web'), { kind: 'ingress', flavor: 'networking', name: 'web' });
  assert.throws(() => parseTarget('pod/x'), { message: 'kubectl sticky works on services and ingresses, not "pod"' });
  assert.throws(() => parseTarget('s1'), /no resource type/);
  assert.throws(() => parseTarget('svc/Bad_Name'), /invalid resource name/);
});

test('the key table (STICKY_KEYS) gives each version the keys of voyager-sticky.md section 2, in look-up order', () => {
  const read = (v: string, kind: 'ingress' | 'service', role: 'sticky' | 'cookie-name' | 'cookie-hash') => {
    const r = profileFor(v);
    assert.ok(r.ok);
    return keysRead(r.profile, kind, role).map(
      (k) => `${k.key.replace('ingress.appscode.com/', '').replace('ingress.kubernetes.io/', 'k8s:')}=${k.accepts.kind}`,
    );
  };
  assert.deepEqual(read('3.2.0', 'ingress', 'sticky'), ['sticky-session=go-bool']);
  assert.deepEqual(read('4.0.0-alpha.1', 'ingress', 'sticky'), ['k8s:affinity=non-empty', 'sticky-session=go-bool']);
  assert.deepEqual(read('5.0.0', 'ingress', 'sticky'), ['k8s:affinity=non-empty', 'affinity=non-empty', 'sticky-session=go-bool']);
  assert.deepEqual(read('5.0.0', 'service', 'sticky'), ['sticky-session=go-bool']);
  for (const v of ['6.0.0-rc.0', '8.0.1', 'v12.0.0', 'v2026.3.23']) {
    assert.deepEqual(read(v, 'ingress', 'sticky'), ['affinity=exactly'], v);
    assert.deepEqual(read(v, 'service', 'sticky'), ['affinity=exactly'], v);
  }
  assert.deepEqual(read('3.2.0', 'ingress', 'cookie-name'), []);
  assert.deepEqual(read('4.0.0-beta.1', 'ingress', 'cookie-hash'), []);
  assert.deepEqual(read('4.0.0-rc.0', 'ingress', 'cookie-hash'), ['k8s:session-cookie-hash=cookie-hash']);
  assert.deepEqual(read('5.0.0-rc.11', 'ingress', 'cookie-name'), ['k8s:session-cookie-name=cookie-name', 'session-cookie-name=cookie-name']);
  assert.deepEqual(read('8.0.1', 'service', 'cookie-name'), []);
  assert.deepEqual(read('9.0.0', 'service', 'cookie-name'), ['session-cookie-name=cookie-name']);
  assert.deepEqual(read('9.0.0', 'service', 'cookie-hash'), ['session-cookie-hash=cookie-hash']);
});

test('enable writes the sticky key the version reads on both kinds, with its "on" value', () => {
  const on = (v: string) => {
    const r = profileFor(v);
    assert.ok(r.ok);
    return enableAnnotation(r.profile);
  };
  assert.deepEqual(on('5.0.0'), { key: 'ingress.appscode.com/sticky-session', value: 'true' });
  assert.deepEqual(on('6.0.0-rc.0'), { key: 'ingress.appscode.com/affinity', value: 'cookie' });
});
