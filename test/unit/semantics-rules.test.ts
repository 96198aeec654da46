// The rules of src/core/semantics.ts one by one, as tables: version order (pre-releases against
// releases), the version and image-tag patterns, which key makes what sticky at each version, the
// cookie settings and the Event reasons. Written against the survivors of the mutation test
// (docs/development.md, "Mutation testing"); the expected values come from Voyager's code at the
// tag named beside each case (repository appscode/voyager).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptsValue,
  chooseSemantics,
  cookieSourceRole,
  describeProfile,
  enableText,
  eventReasons,
  ingressAnnotation,
  ingressKeys,
  isNewerThanKnown,
  keysRead,
  operatorVersion,
  profileFor,
  readCookie,
  reasonsOfAnyVersion,
  retired,
  retiredSince,
  stickyReading,
  type ObjectKind,
  type Profile,
  type VersionRules,
} from '../../src/core/semantics.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok, version);
  return result.profile;
}

test('pre-releases sort before their release and by number, not text (semver precedence of the tags)', () => {
  // [version, profile id]: the bounds are 4.0.0-alpha.1, 5.0.0-rc.11, 6.0.0-rc.0 and 9.0.0.
  const table: [string, string][] = [
    ['9.0.0-rc.1', '6.0'],
    ['9.0.0-rc.10', '6.0'],
    ['9.0.0-alpha.0', '6.0'],
    ['9.0.0', '9.0'],
    ['9.0.1-rc.0', '9.0'],
    ['5.0.0-rc.9', '4.0'],
    ['5.0.0-rc.1', '4.0'],
    ['5.0.0-rc.12', '5.0'],
    ['5.0.0-rc.100', '5.0'],
    ['5.0.0-beta.12', '4.0'],
    ['5.0.0-rc', '4.0'],
    ['5.0.0-rc.11.1', '5.0'],
    ['6.0.0-beta.3', '5.0'],
    ['6.0.0-rc', '5.0'],
    ['6.0.0-rc.0', '6.0'],
    ['6.0.0-rc.1', '6.0'],
    // Alphanumeric identifiers sort after numeric ones (semver 11.4.3).
    ['6.0.0-rc.a', '6.0'],
    ['6.0.0-rc.a1', '6.0'],
    ['6.0.0-rc.0a', '6.0'],
    ['4.0.0-alpha.1', '4.0'],
    ['4.0.0-alpha', '3.2'],
    ['4.0.0-alpha.0', '3.2'],
    ['4.0.0-beta.0', '4.0'],
    ['4.0.0', '4.0'],
    ['3.2.0', '3.2'],
    ['3.3', '3.2'],
    ['4', '4.0'],
    ['v5.0', '5.0'],
    ['  6.1.0  ', '6.0'],
    ['4.10.0', '4.0'],
    ['5.0.10', '5.0'],
    ['10.0.0', '9.0'],
    // Only alpha, beta and rc are pre-releases: anything else is a build flavour of the release.
    ['9.0.0-xrc.1', '9.0'],
    ['9.0.0-ubi8', '9.0'],
  ];
  for (const [version, expected] of table) assert.equal(profile(version).id, expected, version);
  assert.equal(profile('  6.1.0  ').version, '6.1.0', 'the version as given, trimmed');
  // The cookie hash (4.0.0-rc.0) and pod server names (4.0.0-rc.2) compare the same way.
  assert.deepEqual(
    ['4.0.0-rc.0', '4.0.0-rc.1', '4.0.0-rc.2', '4.0.0-rc.10', '4.0.0-beta.9'].map((v) => [profile(v).cookieHash, profile(v).podServerNames]),
    [
      [true, false],
      [true, false],
      [true, true],
      [true, true],
      [false, false],
    ],
  );
});

test('version text: anchored patterns, so extra text before or after is not a version', () => {
  for (const text of ['x9.0.0', '9.0.0x', 'vv9.0.0', '9.0.0-', '9.0.0 extra', '9..0', '-9.0.0', 'v', '', 'v2021.09.15x', 'x2021.09.15']) {
    const result = profileFor(text);
    assert.equal(result.ok, false, JSON.stringify(text));
    if (!result.ok) assert.match(result.message, /^invalid Voyager version/);
  }
  for (const text of ['3.1.9', '3.2.0-rc.3', '2', 'v0.9']) {
    const result = profileFor(text);
    assert.deepEqual(result, { ok: false, message: `Voyager ${text} has no sticky sessions: they arrived in 3.2.0` });
  }
});

test('calendar releases get the newest rules and keys: every VERSION_RULES row in force, the keys still read', () => {
  // Calendar releases are ordered by their date among the calendar bounds: v2021.09.15 (as v13.0.0)
  // still reads a v1 backend's rewriteRules/headerRules, removed from v1 in v2021.10.16.
  for (const tag of ['v2021.09.15', 'v13.0.0']) {
    const p = profile(tag);
    assert.equal(p.id, '9.0');
    assert.equal(p.version, tag);
    assert.deepEqual(p.rules, { ...profile('v2026.3.23').rules, v1WithoutRewriteHeaderRules: false }, tag);
  }
  for (const tag of ['v2021.10.16', '2026.3.23', 'v2024.1.1-rc.0']) {
    const p = profile(tag);
    assert.equal(p.id, '9.0');
    assert.equal(p.version, tag);
    assert.ok(
      Object.values(p.rules).every((on) => on === true),
      tag,
    );
    assert.deepEqual(p.keys, profile('v13.0.0').keys);
    assert.deepEqual(p.retiredKeys, profile('v13.0.0').retiredKeys);
    assert.equal(p.cookieHash, true);
    assert.equal(p.podServerNames, true);
    assert.deepEqual(p.basis, { code: 'v13.0.0-rc.0', assumed: true });
  }
  // A five-digit year is a plain version, not a calendar tag.
  assert.equal(profile('12021.09.15').version, '12021.09.15');
});

test('each VERSION_RULES row holds from its release on, not before', () => {
  const rows: [keyof VersionRules, string, string][] = [
    ['skipsBrokenBackends', '5.0.0', '6.0.0-rc.0'],
    ['tcpRulesShareFrontend', '6.0.0', '7.0.0-rc.0'],
    ['collisionSeedHasAddress', '7.2.0', '7.3.0'],
    ['writesBackendsWithoutEndpoints', '9.0.0-rc.1', '9.0.0'],
    ['namedServicePorts', '8.0.1', '9.0.0'],
    ['balanceAlpnProto', '8.0.1', '9.0.0'],
    ['agentCheck', '10.0.0', 'v11.0.0'],
    ['stableBackendNames', '5.0.0', '6.0.0-rc.0'],
    ['defaultBackendCookieName', '5.0.0', '6.0.0-rc.0'],
    ['rerendersOnServiceChange', '5.0.0', '6.0.0-rc.0'],
    ['weightFromMinusOne', '10.0.0', 'v11.0.0'],
    ['crdSchema', 'v12.0.0', 'v13.0.0-rc.0'],
  ];
  for (const [rule, before, since] of rows) {
    assert.equal(profile(before).rules[rule], false, `${rule} at ${before}`);
    assert.equal(profile(since).rules[rule], true, `${rule} at ${since}`);
  }
});

test('isNewerThanKnown: past v13 or past the calendar year 2026, and nothing else', () => {
  const cases: [string, boolean][] = [
    ['v13.0.0', false],
    ['v13.9.9', false],
    ['v14.0.0', true],
    ['14', true],
    ['v2026.3.23', false],
    ['v2027.1.1', true],
    ['2027.01.01', true],
    [' v2027.1.1 ', true],
    [' v14.0.0 ', true],
    ['x2027.1.1', false],
    ['9.0.0', false],
    ['nonsense', false],
  ];
  for (const [version, newer] of cases) assert.equal(isNewerThanKnown(version), newer, version);
});

test('the operator image: its tag, digest-pinned or not, under any registry, only of appscode/ or voyagermesh/voyager', () => {
  const deployment = (images: string[], labels: Record<string, string> = { app: 'voyager' }) => ({ object: 'deployment/kube-system/voyager', labels, images });
  const cases: [string, string | null][] = [
    ['appscode/voyager:9.0.0', '9.0.0'],
    ['docker.io/appscode/voyager:v12.0.0', 'v12.0.0'],
    ['registry.example.com:5000/mirror/voyagermesh/voyager:v2021.09.15', 'v2021.09.15'],
    ['appscode/voyager:v12.0.0@sha256:0123abcd', 'v12.0.0'],
    ['appscode/voyager@sha256:0123abcd', null],
    ['appscode/voyager', null],
    ['myappscode/voyager:9.0.0', null],
    ['appscode/voyagerx:9.0.0', null],
    ['appscode/voyager-haproxy:9.0.0', null],
    ['appscode/voyager:9.0.0 extra', null],
    ['appscode/haproxy:1.9.6', null],
  ];
  for (const [image, tag] of cases) {
    assert.deepEqual(operatorVersion([deployment([image])]), tag === null ? null : { object: 'deployment/kube-system/voyager', tag }, image);
  }
  // The first image with a tag wins; a Deployment is the operator by either label.
  assert.deepEqual(operatorVersion([deployment(['appscode/haproxy:1.9', 'appscode/voyager:8.0.1'])])?.tag, '8.0.1');
  assert.equal(operatorVersion([deployment(['appscode/voyager:8.0.1'], { 'app.kubernetes.io/name': 'voyager' })])?.tag, '8.0.1');
  assert.equal(operatorVersion([deployment(['appscode/voyager:8.0.1'], { app: 'other', 'app.kubernetes.io/name': 'other' })]), null);
  assert.equal(
    operatorVersion([deployment(['appscode/voyager:8.0.1'], { app: 'other' }), deployment(['appscode/voyager:9.0.0'])])?.tag,
    '9.0.0',
    'a Deployment that is not the operator is passed over',
  );
});

test('chooseSemantics: a bad flag is an error; a bad operator tag falls back to 3.2, saying which tag; v1 served means the newest', () => {
  const operator = (tag: string) => ({ object: 'deployment/voyager/voyager-operator', labels: { app: 'voyager' }, images: [`appscode/voyager:${tag}`] });
  assert.deepEqual(chooseSemantics({ flag: '3.0.0', deployments: [], servedVersions: null }), {
    ok: false,
    message: 'Voyager 3.0.0 has no sticky sessions: they arrived in 3.2.0',
  });
  const badTag = chooseSemantics({ flag: null, deployments: [operator('canary')], servedVersions: ['v1beta1'] });
  assert.ok(badTag.ok);
  assert.deepEqual(
    [badTag.choice.source, badTag.choice.profile.version, badTag.choice.source === 'default' && badTag.choice.badTag],
    ['default', '3.2', 'canary'],
  );
  const none = chooseSemantics({ flag: null, deployments: [], servedVersions: null });
  assert.ok(none.ok);
  assert.deepEqual(none.choice.source === 'default' && none.choice.badTag, null);
  const operated = chooseSemantics({ flag: null, deployments: [operator('8.0.1')], servedVersions: ['v1'] });
  assert.ok(operated.ok);
  assert.deepEqual(
    [operated.choice.source, operated.choice.source === 'operator' && operated.choice.object],
    ['operator', 'deployment/voyager/voyager-operator'],
  );
  const discovered = chooseSemantics({ flag: null, deployments: [], servedVersions: ['v1beta1', 'v1'] });
  assert.ok(discovered.ok);
  assert.deepEqual(
    [discovered.choice.profile.id, discovered.choice.profile.version, discovered.choice.profile.rules],
    ['9.0', '9.0', profile('v2026.3.23').rules],
  );
  assert.deepEqual(discovered.choice.profile.basis, { code: 'v13.0.0-rc.0', assumed: true });
  const newest = profile('v13.0.0');
  assert.deepEqual(
    [discovered.choice.profile.keys, discovered.choice.profile.retiredKeys, discovered.choice.profile.podServerNames, discovered.choice.profile.cookieHash],
    [newest.keys, newest.retiredKeys, true, true],
  );
});

/** [version, kind, annotations, sticky, deciding key] */
type StickyCase = [string, ObjectKind, Record<string, string>, boolean, string | null];

test('which annotation makes an object sticky at each version, as Sticky() / isServiceSticky read it', () => {
  const cases: StickyCase[] = [
    // 5.0.0 apis/voyager/v1beta1/annotations.go:348-356: affinity non-empty (getString, either prefix), else getBool(sticky-session).
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'x' }, true, 'ingress.kubernetes.io/affinity'],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/affinity': 'false' }, true, 'ingress.appscode.com/affinity'],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/sticky-session': 'false' }, false, null],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/sticky-session': 'yes' }, false, null],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/sticky-session': 'T' }, true, 'ingress.appscode.com/sticky-session'],
    // getString (annotations.go:747-754) returns the ingress.kubernetes.io/ value when present, even empty.
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': '', 'ingress.appscode.com/affinity': 'cookie' }, false, null],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': '', 'ingress.appscode.com/sticky-session': 'true' }, true, 'ingress.appscode.com/sticky-session'],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'cookie', 'ingress.appscode.com/affinity': '' }, true, 'ingress.kubernetes.io/affinity'],
    // 4.0.0-alpha.1 to 5.0.0-rc.10: only ingress.kubernetes.io/affinity and sticky-session.
    ['5.0.0-rc.10', 'ingress', { 'ingress.appscode.com/affinity': 'cookie' }, false, null],
    ['4.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'cookie' }, true, 'ingress.kubernetes.io/affinity'],
    ['3.2.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'cookie' }, false, null],
    ['3.2.0', 'service', { 'ingress.appscode.com/sticky-session': 'true' }, true, 'ingress.appscode.com/sticky-session'],
    ['5.0.0', 'service', { 'ingress.appscode.com/affinity': 'cookie' }, false, null],
    // 6.0.0-rc.0 annotations.go:363-368 and 9.0.0 pkg/ingress/parser.go:188-191: affinity == "cookie", exactly.
    ['6.0.0-rc.0', 'ingress', { 'ingress.appscode.com/affinity': 'Cookie' }, false, null],
    ['6.0.0-rc.0', 'ingress', { 'ingress.appscode.com/affinity': 'cookie' }, true, 'ingress.appscode.com/affinity'],
    ['6.0.0-rc.0', 'ingress', { 'ingress.appscode.com/sticky-session': 'true' }, false, null],
    ['6.0.0-rc.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'cookie' }, false, null],
    ['9.0.0', 'service', { 'ingress.appscode.com/affinity': 'cookie' }, true, 'ingress.appscode.com/affinity'],
    ['9.0.0', 'service', { 'ingress.appscode.com/stickySession': 'true' }, false, null],
  ];
  for (const [version, kind, annotations, sticky, key] of cases) {
    assert.deepEqual(stickyReading(profile(version), kind, annotations), { sticky, key }, `${version} ${kind} ${JSON.stringify(annotations)}`);
  }
});

test('acceptsValue: each way of reading a value', () => {
  const cases: [Parameters<typeof acceptsValue>[0], string, boolean][] = [
    [{ kind: 'go-bool' }, 'true', true],
    [{ kind: 'go-bool' }, 'false', false],
    [{ kind: 'go-bool' }, 'on', false],
    [{ kind: 'non-empty' }, 'no', true],
    [{ kind: 'non-empty' }, '', false],
    [{ kind: 'exactly', value: 'cookie' }, 'cookie', true],
    [{ kind: 'exactly', value: 'cookie' }, 'cookie ', false],
    [{ kind: 'cookie-name' }, 'A', true],
    [{ kind: 'cookie-name' }, '', false],
    [{ kind: 'cookie-hash', values: ['md5', 'sha', 'index'] }, 'sha', true],
    [{ kind: 'cookie-hash', values: ['md5', 'sha', 'index'] }, 'sha1', false],
  ];
  for (const [accepts, value, on] of cases) assert.equal(acceptsValue(accepts, value), on, `${JSON.stringify(accepts)} ${value}`);
});

test('cookie settings: the first spelling present, SERVERID when empty, a hash only if Voyager knows it', () => {
  // [version, kind, annotations, name, hash, invalidHash]
  const cases: [string, ObjectKind, Record<string, string>, string, string | null, string | null][] = [
    // 5.0.0 annotations.go:358-369: getString(session-cookie-name) or SERVERID; the hash as written.
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/session-cookie-name': 'K', 'ingress.appscode.com/session-cookie-name': 'A' }, 'K', null, null],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/session-cookie-name': 'A', 'ingress.appscode.com/session-cookie-hash': 'md5' }, 'A', 'md5', null],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/session-cookie-name': '' }, 'SERVERID', null, null],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/session-cookie-hash': 'sha1' }, 'SERVERID', null, 'sha1'],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/session-cookie-hash': '' }, 'SERVERID', null, null],
    // 6.0.0-rc.0: only the ingress.appscode.com/ spelling.
    ['6.0.0', 'ingress', { 'ingress.kubernetes.io/session-cookie-name': 'K' }, 'SERVERID', null, null],
    // 9.0.0 parser.go:193-205: the Service's own keys.
    ['9.0.0', 'service', { 'ingress.appscode.com/session-cookie-name': 'S', 'ingress.appscode.com/session-cookie-hash': 'index' }, 'S', 'index', null],
    ['8.0.1', 'service', { 'ingress.appscode.com/session-cookie-name': 'S' }, 'SERVERID', null, null],
  ];
  for (const [version, kind, annotations, name, hash, invalidHash] of cases) {
    assert.deepEqual(readCookie(profile(version), kind, annotations), { name, hash, invalidHash }, `${version} ${kind} ${JSON.stringify(annotations)}`);
  }
  // The Service's cookie keys count only from 9.0 and only when the Ingress is not sticky (9.0.0 parser.go:175-182).
  assert.deepEqual(
    [profile('9.0.0'), profile('8.0.1')].flatMap((p) => [cookieSourceRole(p, false), cookieSourceRole(p, true)]),
    ['service', 'ingress', 'ingress', 'ingress'],
  );
});

test('Ingress annotation look-up: ingress.kubernetes.io/ then ingress.appscode.com/ before 6.0, only the latter from 6.0', () => {
  assert.deepEqual(ingressKeys(profile('5.0.0'), 'replicas'), ['ingress.kubernetes.io/replicas', 'ingress.appscode.com/replicas']);
  assert.deepEqual(ingressKeys(profile('6.0.0-rc.0'), 'replicas'), ['ingress.appscode.com/replicas']);
  const both = { 'ingress.kubernetes.io/replicas': '2', 'ingress.appscode.com/replicas': '3' };
  assert.equal(ingressAnnotation(profile('5.0.0'), both, 'replicas'), '2');
  assert.equal(ingressAnnotation(profile('6.0.0'), both, 'replicas'), '3');
  assert.equal(ingressAnnotation(profile('6.0.0'), {}, 'replicas'), '');
});

test('Event reasons: renamed at 6.0.0-rc.0 (5.0.0 and 6.0.0-rc.0 pkg/eventer/recorder.go), BackendInvalid only from then', () => {
  assert.deepEqual(eventReasons(profile('5.0.0')), {
    invalid: 'IngressInvalid',
    configFailed: 'HAProxyConfigCreateFailed',
    configMapFailed: 'ConfigMapCreateFailed',
    serviceFailed: 'ServiceCreateFailed',
    written: 'ConfigMapCreateSuccessful',
    backendInvalid: null,
  });
  assert.deepEqual(eventReasons(profile('6.0.0-rc.0')), {
    invalid: 'IngressInvalid',
    configFailed: 'HAProxyConfigFailed',
    configMapFailed: 'ConfigMapReconcileFailed',
    serviceFailed: 'ServiceReconcileFailed',
    written: 'ConfigMapReconcileSuccessful',
    backendInvalid: 'BackendInvalid',
  });
  assert.deepEqual([...reasonsOfAnyVersion('configFailed', 'written')].sort(), [
    'ConfigMapCreateSuccessful',
    'ConfigMapReconcileSuccessful',
    'HAProxyConfigCreateFailed',
    'HAProxyConfigFailed',
  ]);
  assert.deepEqual([...reasonsOfAnyVersion('backendInvalid')], ['BackendInvalid']);
});

test('retired keys and the release that retired them; enable as a manifest line; the profile in words', () => {
  assert.deepEqual(profile('6.0.0').retiredKeys, [
    'ingress.appscode.com/sticky-session',
    'ingress.kubernetes.io/affinity',
    'ingress.kubernetes.io/session-cookie-name',
    'ingress.kubernetes.io/session-cookie-hash',
  ]);
  assert.deepEqual(profile('5.0.0').retiredKeys, []);
  assert.equal(retired(profile('9.0.0'), 'ingress.kubernetes.io/affinity'), true);
  assert.equal(retired(profile('9.0.0'), 'ingress.appscode.com/affinity'), false);
  assert.equal(retiredSince('ingress.kubernetes.io/affinity'), '6.0');
  assert.equal(retiredSince('ingress.appscode.com/sticky-session'), '6.0');
  assert.equal(retiredSince('ingress.appscode.com/stickySession'), '');
  assert.equal(retiredSince('not/a-key'), '');
  assert.equal(enableText(profile('5.0.0')), 'ingress.appscode.com/sticky-session: "true"');
  assert.equal(enableText(profile('6.0.0')), 'ingress.appscode.com/affinity: cookie');
  assert.equal(describeProfile(profile('5.0.0-rc.11')), 'Voyager 5.0.0-rc.11 (5.0 semantics)');
  assert.equal(describeProfile(profile('6.0')), 'Voyager 6.0');
  assert.deepEqual(profile('v12.0.0').basis, { code: 'v12.0.0', assumed: false });
  assert.deepEqual(profile('v13.0.0-rc.0').basis, { code: 'v13.0.0-rc.0', assumed: false });
  assert.deepEqual(profile('v13.0.0').basis, { code: 'v13.0.0-rc.0', assumed: true });
  assert.deepEqual(profile('8.0.1').basis, { code: '8.0.1', assumed: false });
});

test('the keys of a version, exactly: each reading once per object kind, in look-up order', () => {
  const use = (key: string, role: string, on: ObjectKind, accepts: unknown) => ({ key, role, on, accepts });
  assert.deepEqual(profile('3.2.0').keys, [
    use('ingress.appscode.com/sticky-session', 'sticky', 'ingress', { kind: 'go-bool' }),
    use('ingress.appscode.com/sticky-session', 'sticky', 'service', { kind: 'go-bool' }),
  ]);
  const hash = { kind: 'cookie-hash', values: ['md5', 'sha', 'index'] };
  assert.deepEqual(profile('9.0.0').keys, [
    use('ingress.appscode.com/affinity', 'sticky', 'ingress', { kind: 'exactly', value: 'cookie' }),
    use('ingress.appscode.com/affinity', 'sticky', 'service', { kind: 'exactly', value: 'cookie' }),
    use('ingress.appscode.com/session-cookie-name', 'cookie-name', 'ingress', { kind: 'cookie-name' }),
    use('ingress.appscode.com/session-cookie-name', 'cookie-name', 'service', { kind: 'cookie-name' }),
    use('ingress.appscode.com/session-cookie-hash', 'cookie-hash', 'ingress', hash),
    use('ingress.appscode.com/session-cookie-hash', 'cookie-hash', 'service', hash),
  ]);
  // Without a role: every key read on that kind.
  assert.deepEqual(
    keysRead(profile('4.0.0-rc.0'), 'ingress').map((k) => k.key),
    [
      'ingress.kubernetes.io/affinity',
      'ingress.kubernetes.io/session-cookie-name',
      'ingress.kubernetes.io/session-cookie-hash',
      'ingress.appscode.com/sticky-session',
    ],
  );
  assert.deepEqual(
    keysRead(profile('4.0.0-rc.0'), 'service').map((k) => k.key),
    ['ingress.appscode.com/sticky-session'],
  );
});
