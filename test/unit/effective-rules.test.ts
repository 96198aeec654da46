// The rules of src/core/effective.ts one by one, as tables: a backendRules `cookie` line, the
// application session-cookie names, and the annotation warnings of each version. Written against
// the survivors of the mutation test (docs/development.md, "Mutation testing"); the expected
// values come from Voyager's code at the tag named beside each case (repository appscode/voyager).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotationWarnings, computeStatus, type StatusItem } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok, version);
  return result.profile;
}

interface Shape {
  ingressAnnotations?: Record<string, string>;
  serviceAnnotations?: Record<string, string>;
  backend?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  extra?: unknown[];
  serviceSpec?: Record<string, unknown>;
  unreadable?: string[];
}

function status(version: string, shape: Shape) {
  const objects = objectsFrom(
    [
      {
        apiVersion: 'voyager.appscode.com/v1beta1',
        kind: 'Ingress',
        metadata: { namespace: 'shop', name: 'front', annotations: shape.ingressAnnotations ?? {} },
        spec: {
          rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: 80, ...shape.backend } }] } }],
          ...shape.spec,
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'shop', name: 'web', annotations: shape.serviceAnnotations ?? {} },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...shape.serviceSpec },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { namespace: 'shop', name: 'web' },
        subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
      },
      ...(shape.extra ?? []),
    ],
    'default',
  );
  return computeStatus(objects, { profile: profile(version), source: 'flag', ingressClass: null, unreadableServiceNamespaces: shape.unreadable });
}

const only = (items: StatusItem[]): StatusItem => {
  assert.equal(items.length, 1);
  const [item] = items;
  assert.ok(item);
  return item;
};

const STICKY = { 'ingress.appscode.com/affinity': 'cookie' };

test('a backendRules `cookie NAME` line overrides the cookie: HAProxy keeps the last cookie line, which Voyager writes after its own', () => {
  // v12.0.0 hack/docker/voyager/templates/http-backend.cfg:13-16: `cookie {{ StickyCookieName }} insert indirect nocache`, then each backendRules line.
  const cases: [string[], string][] = [
    [['cookie MYAPP insert indirect nocache'], 'MYAPP'],
    [['  cookie   SPACED  insert '], 'SPACED'],
    [['cookie FIRST insert', 'acl x path /', 'cookie LAST prefix'], 'LAST'],
    [['acl x path /', 'http-request deny if x'], 'SERVERID'],
    [['cookie'], 'SERVERID'],
    [['cookies X'], 'SERVERID'],
    [['xcookie X'], 'SERVERID'],
    [['# cookie X'], 'SERVERID'],
  ];
  for (const [backendRules, cookie] of cases) {
    const result = status('v12.0.0', { ingressAnnotations: STICKY, backend: { backendRules } });
    const item = only(result.items);
    assert.deepEqual(item.cookie, { name: cookie, hash: null }, JSON.stringify(backendRules));
    const warned = item.warnings.filter((w) => w.message.includes('the backendRules line'));
    if (cookie === 'SERVERID') assert.deepEqual(warned, [], JSON.stringify(backendRules));
    else {
      const line = [...backendRules].reverse().find((l) => l.trim().startsWith('cookie')) ?? '';
      assert.deepEqual(warned, [
        {
          object: 'ingress/shop/front',
          message: `backend shop.example.com/: the backendRules line "${line.trim()}" comes after Voyager's "cookie SERVERID insert indirect nocache", and HAProxy uses the last cookie line: the sticky cookie is ${cookie}, as that line sets it`,
        },
      ]);
      assert.ok(result.warnings.some((w) => w.message === warned[0]?.message));
    }
  }
  // Not sticky: no cookie to override, and the line makes no sticky backend.
  const plain = only(status('v12.0.0', { backend: { backendRules: ['cookie MYAPP insert'] } }).items);
  assert.deepEqual([plain.sticky, plain.cookie, plain.warnings], [false, null, []]);
});

test("a cookie name that an application sets itself is warned about, whatever its case (HAProxy's indirect takes it over)", () => {
  const names = [
    'JSESSIONID',
    'PHPSESSID',
    'ASP.NET_SessionId',
    'connect.sid',
    'laravel_session',
    'sessionid',
    '_session_id',
    'rack.session',
    'SESSION',
    'csrftoken',
  ];
  for (const name of [...names, 'jsessionid', 'Session']) {
    const item = only(status('v12.0.0', { ingressAnnotations: { ...STICKY, 'ingress.appscode.com/session-cookie-name': name } }).items);
    assert.equal(item.cookie?.name, name);
    assert.deepEqual(
      item.warnings.filter((w) => w.message.startsWith('cookie name')),
      [
        {
          object: 'ingress/shop/front',
          message: `cookie name ${name} is an application's session cookie: with "indirect", HAProxy takes it over and strips it before the request reaches the app`,
        },
      ],
      name,
    );
  }
  // From 9.0 the Service's own cookie name, warned on the Service.
  const byService = only(status('9.0.0', { serviceAnnotations: { ...STICKY, 'ingress.appscode.com/session-cookie-name': 'PHPSESSID' } }).items);
  assert.deepEqual(
    byService.warnings.filter((w) => w.message.startsWith('cookie name')).map((w) => w.object),
    ['service/shop/web'],
  );
  for (const name of ['SERVERID', 'WEBID', 'JSESSIONID2', 'SESSIONS']) {
    const item = only(status('v12.0.0', { ingressAnnotations: { ...STICKY, 'ingress.appscode.com/session-cookie-name': name } }).items);
    assert.deepEqual(
      item.warnings.filter((w) => w.message.startsWith('cookie name')),
      [],
      name,
    );
  }
});

test('annotation warnings, per version and object kind: each mistake named once, correct annotations say nothing', () => {
  // [version, role, annotations, the warnings' text]
  const cases: [string, 'ingress' | 'service', Record<string, string>, string[]][] = [
    ['v12.0.0', 'ingress', { 'ingress.appscode.com/affinity': 'cookie' }, []],
    [
      'v12.0.0',
      'ingress',
      { 'ingress.appscode.com/affinity': 'true' },
      [
        'ingress.appscode.com/affinity is "true": only the exact value "cookie" makes backends sticky in Voyager v12.0.0 (9.0 semantics); this value does nothing',
      ],
    ],
    ['v12.0.0', 'ingress', { 'ingress.appscode.com/affinity': 'source-ip' }, []],
    [
      '5.0.0',
      'service',
      { 'ingress.appscode.com/sticky-session': 'yes' },
      [
        'ingress.appscode.com/sticky-session is "yes": Voyager 5.0.0 (5.0 semantics) reads it as a Go boolean (true, True, TRUE, t, T, 1), so this value means false',
      ],
    ],
    ['5.0.0', 'service', { 'ingress.appscode.com/sticky-session': 'false' }, []],
    [
      '5.0.0',
      'ingress',
      { 'ingress.kubernetes.io/affinity': 'none' },
      ['ingress.kubernetes.io/affinity is "none", yet Voyager 5.0.0 (5.0 semantics) makes the Ingress sticky for ANY non-empty value'],
    ],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': 'cookie' }, []],
    ['5.0.0', 'ingress', { 'ingress.kubernetes.io/affinity': '' }, []],
    ['5.0.0', 'ingress', { 'ingress.appscode.com/affinity': 'none' }, []],
    [
      '6.0.0',
      'ingress',
      { 'ingress.kubernetes.io/session-cookie-name': 'A' },
      [
        'ingress.kubernetes.io/session-cookie-name is ignored since Voyager 6.0 (stickiness comes from ingress.appscode.com/affinity: cookie); this key does nothing',
      ],
    ],
    [
      '4.0.0-alpha.1',
      'ingress',
      { 'ingress.appscode.com/session-cookie-name': 'A' },
      [
        'ingress.appscode.com/session-cookie-name is ignored: Voyager 4.0.0-alpha.1 (4.0 semantics) does not read this spelling (it reads ingress.kubernetes.io/session-cookie-name)',
      ],
    ],
    [
      '5.0.0',
      'ingress',
      { 'ingress.appscode.com/session-cookie-hash': 'sha1' },
      ['ingress.appscode.com/session-cookie-hash "sha1" is not a Voyager hash (md5, sha = SHA-512, index): cookie values will be the raw server names'],
    ],
    [
      '5.0.0',
      'service',
      { 'ingress.kubernetes.io/affinity': 'cookie' },
      ['ingress.kubernetes.io/affinity is not read on a Service by Voyager 5.0.0 (5.0 semantics); this key does nothing'],
    ],
    [
      '5.0.0',
      'service',
      { 'ingress.appscode.com/affinity': 'cookie' },
      [
        'ingress.appscode.com/affinity is not read on a Service by Voyager 5.0.0 (5.0 semantics) (it arrived in 6.0 on Services); use ingress.appscode.com/sticky-session: "true"',
      ],
    ],
    [
      '4.0.0',
      'ingress',
      { 'ingress.appscode.com/affinity': 'cookie' },
      [
        'ingress.appscode.com/affinity is not read on an Ingress by Voyager 4.0.0 (4.0 semantics) (it arrived in 5.0.0-rc.11 on Ingresses); use ingress.appscode.com/sticky-session: "true"',
      ],
    ],
    [
      '6.0.0',
      'ingress',
      { 'ingress.kubernetes.io/affinity': 'cookie' },
      ['ingress.kubernetes.io/affinity is ignored since Voyager 6.0 (stickiness comes from ingress.appscode.com/affinity: cookie); this key does nothing'],
    ],
    [
      'v12.0.0',
      'service',
      { 'ingress.appscode.com/stickySession': 'true' },
      ['ingress.appscode.com/stickySession is not a Voyager key (the key is ingress.appscode.com/affinity); it does nothing'],
    ],
    [
      '3.2.0',
      'ingress',
      { 'ingress.appscode.com/session-cookie-name': 'A' },
      ['ingress.appscode.com/session-cookie-name is ignored: Voyager 3.2.0 (3.2 semantics) always uses cookie SERVERID and no hash'],
    ],
    [
      '8.0.1',
      'service',
      { 'ingress.appscode.com/session-cookie-name': 'A' },
      [
        "ingress.appscode.com/session-cookie-name is ignored: cookie settings on a Service are read only from Voyager 9.0 on; Voyager 8.0.1 (6.0 semantics) uses the Ingress's",
      ],
    ],
    [
      '4.0.0-alpha.1',
      'ingress',
      { 'ingress.kubernetes.io/session-cookie-hash': 'md5' },
      ['ingress.kubernetes.io/session-cookie-hash is ignored: Voyager 4.0.0-alpha.1 (4.0 semantics) has no cookie hash (it arrived in 4.0.0-rc.0)'],
    ],
    [
      '4.0.0',
      'ingress',
      { 'ingress.appscode.com/session-cookie-name': 'A' },
      [
        'ingress.appscode.com/session-cookie-name is ignored: Voyager 4.0.0 (4.0 semantics) does not read this spelling (it reads ingress.kubernetes.io/session-cookie-name, ingress.kubernetes.io/session-cookie-hash)',
      ],
    ],
    [
      'v12.0.0',
      'ingress',
      { 'ingress.appscode.com/session-cookie-hash': 'sha1' },
      ['ingress.appscode.com/session-cookie-hash "sha1" is not a Voyager hash (md5, sha = SHA-512, index): cookie values will be the raw server names'],
    ],
    ['v12.0.0', 'ingress', { 'ingress.appscode.com/session-cookie-hash': 'sha' }, []],
  ];
  for (const [version, role, annotations, expected] of cases) {
    const object = `${role}/shop/x`;
    assert.deepEqual(
      annotationWarnings(profile(version), role, annotations, object),
      expected.map((message) => ({ object, message })),
      `${version} ${role} ${JSON.stringify(annotations)}`,
    );
  }
});

test('a value that looks like "on" but is not the exact one is warned about, in any case and around spaces; other values say nothing', () => {
  const p = profile('v12.0.0');
  const exact = (value: string) =>
    `ingress.appscode.com/affinity is "${value}": only the exact value "cookie" makes backends sticky in Voyager v12.0.0 (9.0 semantics); this value does nothing`;
  for (const value of ['true', '1', 't', 'yes', 'y', 'on', 'enabled', 'enable', 'sticky', 'Cookie', ' cookie', 'TRUE', ' On ']) {
    assert.deepEqual(
      annotationWarnings(p, 'service', { 'ingress.appscode.com/affinity': value }, 'service/shop/x'),
      [{ object: 'service/shop/x', message: exact(value) }],
      value,
    );
  }
  for (const value of ['cookie', 'false', 'no', 'off', '', 'source-ip', 'stickyish']) {
    assert.deepEqual(annotationWarnings(p, 'service', { 'ingress.appscode.com/affinity': value }, 'service/shop/x'), [], value);
  }
  // 5.x: legacy affinity sticks for any non-empty value; the warning is for values that do not look like "on".
  for (const value of ['cookie', 'true', 'On']) {
    assert.deepEqual(annotationWarnings(profile('5.0.0'), 'ingress', { 'ingress.kubernetes.io/affinity': value }, 'ingress/shop/x'), [], value);
  }
});

test('a Service of a sticky Ingress that says "not sticky" is told it cannot opt out; one that says "on" in another spelling is not', () => {
  const optOut = 'cannot opt out: ingress shop/front makes every backend sticky, whatever the Service says';
  const cases: [Record<string, string>, boolean][] = [
    [{ 'ingress.appscode.com/affinity': 'none' }, true],
    [{ 'ingress.appscode.com/affinity': 'false' }, true],
    [{ 'ingress.appscode.com/sticky-session': 'false' }, true],
    [{ 'ingress.appscode.com/affinity': 'true' }, false],
    [{ 'ingress.appscode.com/affinity': 'cookie' }, false],
    [{ owner: 'team' }, false],
  ];
  for (const [serviceAnnotations, warned] of cases) {
    const item = only(status('v12.0.0', { ingressAnnotations: STICKY, serviceAnnotations }).items);
    assert.equal(item.sticky, true);
    assert.deepEqual(
      item.warnings.filter((w) => w.message.startsWith('cannot opt out')),
      warned ? [{ object: 'service/shop/web', message: optOut }] : [],
      JSON.stringify(serviceAnnotations),
    );
  }
});

const event = (reason: string, message: string, time: string, involved: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { namespace: 'shop', name: `front.${reason}.${time}` },
  involvedObject: { kind: 'Ingress', namespace: 'shop', name: 'front', ...involved },
  reason,
  message,
  lastTimestamp: time,
});

/** The warnings that quote the operator's Events. */
const operatorSays = (version: string, events: unknown[], spec: Record<string, unknown> = {}) =>
  status(version, { ingressAnnotations: STICKY, extra: events, spec })
    .warnings.filter((w) => /^(DISAGREES|the operator (agrees|says))/.test(w.message))
    .map((w) => `${w.object}: ${w.message}`);

test("the operator's latest Event against the prediction: agreement is said only where no config is written", () => {
  const wrote = event('ConfigMapReconcileSuccessful', 'Successfully reconciled ConfigMap voyager-front', '2026-01-02T00:00:00Z');
  const failed = event('HAProxyConfigFailed', 'bad config', '2026-01-01T00:00:00Z');
  const bad = { externalIPs: ['abc'] };
  // Written and the operator wrote: nothing to say. The latest Event counts, by time, whatever the list order.
  assert.deepEqual(operatorSays('v12.0.0', [wrote]), []);
  assert.deepEqual(operatorSays('v12.0.0', [wrote, failed]), []);
  assert.deepEqual(operatorSays('v12.0.0', [{ ...failed, lastTimestamp: '2026-01-03T00:00:00Z' }, wrote]), [
    'ingress/shop/front: DISAGREES: the operator\'s latest Event is HAProxyConfigFailed "bad config" (2026-01-03T00:00:00Z), but Voyager v12.0.0 (9.0 semantics) would write a config from the objects read; the cause is outside them (a Secret, the cluster) or the operator runs another version',
  ]);
  // Not written (an externalIP that is no IP): a failure agrees, a success disagrees.
  assert.deepEqual(operatorSays('v12.0.0', [{ ...failed, lastTimestamp: '' }], bad), [
    'ingress/shop/front: the operator agrees: HAProxyConfigFailed "bad config"',
  ]);
  assert.deepEqual(operatorSays('v12.0.0', [wrote], bad), [
    'ingress/shop/front: DISAGREES: the prediction is that no config is written, but the operator\'s latest Event is ConfigMapReconcileSuccessful "Successfully reconciled ConfigMap voyager-front" (2026-01-02T00:00:00Z); is the operator the version assumed here?',
  ]);
  // A Service failure counts only when no config Event is there (the ConfigMap is reconciled first).
  const serviceFailed = event('ServiceReconcileFailed', 'svc', '2026-01-05T00:00:00Z');
  assert.deepEqual(operatorSays('v12.0.0', [wrote, serviceFailed]), []);
  assert.deepEqual(operatorSays('v12.0.0', [serviceFailed]), [
    'ingress/shop/front: DISAGREES: the operator\'s latest Event is ServiceReconcileFailed "svc" (2026-01-05T00:00:00Z), but Voyager v12.0.0 (9.0 semantics) would write a config from the objects read; the cause is outside them (a Secret, the cluster) or the operator runs another version',
  ]);
  // 5.x's reasons are read too (Events outlive upgrades), and an unrelated reason says nothing.
  assert.equal(operatorSays('v12.0.0', [event('HAProxyConfigCreateFailed', 'old', '2026-01-01T00:00:00Z')]).length, 1);
  assert.deepEqual(operatorSays('v12.0.0', [event('Scheduled', 'x', '2026-01-01T00:00:00Z')]), []);
  // Events of other objects are not this Ingress's.
  const others: Record<string, string>[] = [{ name: 'other' }, { namespace: 'elsewhere' }, { kind: 'Service' }];
  for (const involved of others) {
    assert.deepEqual(operatorSays('v12.0.0', [event('HAProxyConfigFailed', 'bad config', '2026-01-01T00:00:00Z', involved)]), [], JSON.stringify(involved));
  }
});

test('BackendInvalid Events: a disagreement when the prediction leaves nothing out, the last three messages once each', () => {
  const invalid = (message: string, time = '2026-01-01T00:00:00Z') => event('BackendInvalid', message, time);
  assert.deepEqual(operatorSays('v12.0.0', [invalid('service shop/gone not found'), invalid('service shop/gone not found', '2026-01-02T00:00:00Z')]), [
    'ingress/shop/front: DISAGREES: the prediction leaves no backend out, but the operator says: BackendInvalid "service shop/gone not found"',
  ]);
  // From 9.0 a backend without endpoints is written with this Event: no disagreement.
  assert.deepEqual(operatorSays('9.0.0', [invalid('endpoint not found for web')]), [
    'ingress/shop/front: the operator says: BackendInvalid "endpoint not found for web"',
  ]);
  assert.deepEqual(operatorSays('8.0.1', [invalid('endpoint not found for web')]), [
    'ingress/shop/front: DISAGREES: the prediction leaves no backend out, but the operator says: BackendInvalid "endpoint not found for web"',
  ]);
  // A prediction that leaves a backend out (a missing Service) agrees.
  const gone = status('v12.0.0', { ingressAnnotations: STICKY, backend: { serviceName: 'gone' }, extra: [invalid('gone')] });
  assert.ok(gone.warnings.some((w) => w.message === 'the operator says: BackendInvalid "gone"'));
  const many = ['a', 'b', 'c', 'd'].map((m, i) => invalid(m, `2026-01-0${i + 1}T00:00:00Z`));
  assert.deepEqual(
    operatorSays('v12.0.0', many).map((line) => line.slice(-3)),
    ['"b"', '"c"', '"d"'],
  );
});

test('cookie settings that no sticky cookie backend uses are named once, on the object that holds them', () => {
  const NAME = { 'ingress.appscode.com/session-cookie-name': 'APP' };
  const idle = (who: string) =>
    `session-cookie settings do nothing by themselves: no sticky cookie backend uses them (${who} needs ingress.appscode.com/affinity: cookie)`;
  const tcp =
    'session-cookie settings do nothing here: the backends this object makes sticky are TCP or ssl-passthrough, which stick by source IP, not by cookie';
  const said = (shape: Shape, version = 'v12.0.0') =>
    status(version, shape)
      .warnings.filter((w) => w.message.startsWith('session-cookie settings'))
      .map((w) => `${w.object}: ${w.message}`);
  assert.deepEqual(said({ ingressAnnotations: NAME }), [`ingress/shop/front: ${idle('the Ingress')}`]);
  assert.deepEqual(said({ serviceAnnotations: NAME }), [`service/shop/web: ${idle('the Service')}`]);
  assert.deepEqual(said({ ingressAnnotations: { ...STICKY, ...NAME } }), []);
  assert.deepEqual(said({ serviceAnnotations: { ...STICKY, ...NAME } }), []);
  // The Ingress is sticky: the Service's keys are reported per backend, as ignored.
  assert.deepEqual(said({ ingressAnnotations: STICKY, serviceAnnotations: NAME }), [
    'service/shop/web: session-cookie settings are ignored for backend shop.example.com/ of ingress shop/front: the Ingress is sticky, so its cookie settings apply',
  ]);
  // A key the version does not read is reported as such, not as idle.
  assert.deepEqual(said({ serviceAnnotations: NAME }, '8.0.1'), []);
  // ssl-passthrough makes the HTTP rule TCP: source-IP stickiness, the cookie keys do nothing there.
  const passthrough = { 'ingress.appscode.com/ssl-passthrough': 'true' };
  assert.deepEqual(said({ ingressAnnotations: { ...STICKY, ...NAME, ...passthrough } }), [`ingress/shop/front: ${tcp}`]);
  assert.deepEqual(said({ ingressAnnotations: passthrough, serviceAnnotations: { ...STICKY, ...NAME } }), [`service/shop/web: ${tcp}`]);
  const item = only(status('v12.0.0', { ingressAnnotations: { ...STICKY, ...passthrough } }).items);
  assert.deepEqual([item.sticky, item.mode, item.cookie, item.sources], [true, 'source-ip', null, ['ingress']]);
});

test('source-IP stickiness is per HAProxy replica: warned when the Ingress runs more than one', () => {
  const warned = (replicas: string | undefined) =>
    only(
      status('v12.0.0', {
        ingressAnnotations: {
          ...STICKY,
          'ingress.appscode.com/ssl-passthrough': 'true',
          ...(replicas === undefined ? {} : { 'ingress.appscode.com/replicas': replicas }),
        },
      }).items,
    ).warnings.filter((w) => w.message.startsWith('source-IP'));
  assert.deepEqual(warned('3'), [
    {
      object: 'ingress/shop/front',
      message:
        'source-IP stickiness of backend shop.example.com/ of ingress shop/front is per HAProxy replica: 3 replicas keep 3 separate stick tables (no peers), lost on every reload',
    },
  ]);
  for (const replicas of [undefined, '1', '0', 'x']) assert.deepEqual(warned(replicas), [], String(replicas));
});

test('Services that cannot be sticky or be read: ExternalName, spec.sessionAffinity, unreadable, missing', () => {
  const external = only(status('v12.0.0', { ingressAnnotations: STICKY, serviceSpec: { type: 'ExternalName', externalName: 'db.example.com' } }).items);
  assert.deepEqual(
    [external.sticky, external.warnings.map((w) => w.message)],
    [false, ['is an ExternalName Service: Voyager never makes it sticky, whatever the annotations say (backend shop.example.com/ of ingress shop/front)']],
  );
  assert.deepEqual(only(status('v12.0.0', { serviceSpec: { type: 'ExternalName', externalName: 'db.example.com' } }).items).warnings, []);
  const affinity = (value: string) => only(status('v12.0.0', { serviceSpec: { sessionAffinity: value } }).items).warnings.map((w) => w.message);
  assert.deepEqual(affinity('ClientIP'), ["spec.sessionAffinity ClientIP is kube-proxy's setting: Voyager's HAProxy ignores it"]);
  assert.deepEqual(affinity('None'), []);
  for (const unreadable of [['*'], ['shop']]) {
    const item = only(status('v12.0.0', { backend: { serviceName: 'other' }, unreadable }).items);
    assert.deepEqual(
      [item.sticky, item.warnings],
      [
        null,
        [
          {
            object: 'service/shop/other',
            message: 'cannot read Services in namespace shop: stickiness of backend shop.example.com/ of ingress shop/front is unknown',
          },
        ],
      ],
    );
  }
  const missing = only(status('v12.0.0', { ingressAnnotations: STICKY, backend: { serviceName: 'other' }, unreadable: ['elsewhere'] }).items);
  assert.deepEqual(
    [missing.sticky, missing.warnings],
    [false, [{ object: 'service/shop/other', message: 'not found: Voyager skips backend shop.example.com/ of ingress shop/front' }]],
  );
  // Unreadable and no config written: the state stays unknown, not "not sticky".
  const unknown = only(status('v12.0.0', { backend: { serviceName: 'other' }, unreadable: ['*'], spec: { externalIPs: ['abc'] } }).items);
  assert.equal(unknown.sticky, null);
});

test('a backend the operator leaves out is not sticky, with the reason; status lists Ingresses by namespace, then name', () => {
  const noEndpoints = status('8.0.1', {
    ingressAnnotations: STICKY,
    extra: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'shop', name: 'web' }, subsets: [] }],
  });
  const item = only(noEndpoints.items);
  assert.deepEqual([item.sticky, item.mode, item.cookie, item.sources], [false, null, null, []]);
  assert.ok(
    item.warnings.some(
      (w) =>
        w.message ===
        'Voyager 8.0.1 (6.0 semantics) leaves backend shop.example.com/ out of haproxy.cfg: no ready endpoints: Voyager 8.0.1 leaves such backends out (9.0 and later write them)',
    ),
    JSON.stringify(item.warnings),
  );
  const ingress = (namespace: string, name: string) => ({
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: { namespace, name },
    spec: { backend: { serviceName: 'web', servicePort: 80 } },
  });
  const order = status('v12.0.0', { extra: [ingress('shop', 'b'), ingress('a', 'z'), ingress('shop', 'a')] }).items.map(
    (i) => `${i.ingress.namespace}/${i.ingress.name}`,
  );
  assert.deepEqual(order, ['a/z', 'shop/a', 'shop/b', 'shop/front']);
});
