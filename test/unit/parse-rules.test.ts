// The rules of src/core/parse.ts one by one, as tables over parseIngress: the server options read
// from Service and Pod annotations, the rewrite-target rule, and the Ingress-wide refusals. Written
// against the survivors of the mutation test (docs/development.md, "Mutation testing"); the
// expected values come from Voyager's code at the tag named beside each case (appscode/voyager).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectsFrom } from '../../src/core/objects.ts';
import { parseIngress, readsSecrets, type IngressConfig, type TemplateBackend, type TemplateEndpoint } from '../../src/core/parse.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  assert.ok(result.ok, version);
  return result.profile;
}

interface Shape {
  ingressAnnotations?: Record<string, string>;
  backend?: Record<string, unknown>;
  serviceSpec?: Record<string, unknown>;
  extra?: unknown[];
  serviceAnnotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  spec?: Record<string, unknown>;
  path?: string;
}

function parse(version: string, shape: Shape): IngressConfig {
  const objects = objectsFrom(
    [
      {
        apiVersion: 'voyager.appscode.com/v1beta1',
        kind: 'Ingress',
        metadata: { namespace: 'shop', name: 'front', annotations: shape.ingressAnnotations ?? {} },
        spec: {
          rules: [
            { host: 'shop.example.com', http: { paths: [{ path: shape.path ?? '/app', backend: { serviceName: 'web', servicePort: 80, ...shape.backend } }] } },
          ],
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
        subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'web-1' } }], ports: [{ port: 80 }] }],
      },
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', name: 'web-1', annotations: shape.podAnnotations ?? {} } },
      ...(shape.extra ?? []),
    ],
    'default',
  );
  return parseIngress(objects.ingresses[0] ?? assert.fail('no Ingress'), objects, profile(version), []);
}

function backend(config: IngressConfig): TemplateBackend {
  assert.ok(config.written, JSON.stringify(config));
  const [first] = config.backends;
  assert.ok(first);
  return first;
}

function server(config: IngressConfig): TemplateEndpoint {
  const [first] = backend(config).endpoints;
  assert.ok(first);
  return first;
}

test('send-proxy: v1, v2, v2-ssl and v2-ssl-cn, anything else writes nothing (v12.0.0 apis/voyager/v1beta1/annotations.go:359-367 ProxyProtocolCommand)', () => {
  const cases: [string, string][] = [
    ['v1', 'send-proxy'],
    ['v2', 'send-proxy-v2'],
    ['v2-ssl', 'send-proxy-v2-ssl'],
    ['v2-ssl-cn', 'send-proxy-v2-ssl-cn'],
    ['v3', ''],
    ['V1', ''],
    ['', ''],
  ];
  for (const [value, written] of cases) {
    assert.equal(server(parse('v12.0.0', { serviceAnnotations: { 'ingress.appscode.com/send-proxy': value } })).sendProxy, written, value);
  }
});

test("a Pod's backend-weight and max-connections, as Atoi reads them; weight 0 is written from v11 on (v11.0.0 parser.go:137)", () => {
  // [version, backend-weight, weight written]
  const weights: [string, string | undefined, number | null][] = [
    ['v12.0.0', '5', 5],
    ['v12.0.0', '0', 0],
    ['v12.0.0', '-1', null],
    ['v12.0.0', '+3', 3],
    ['v12.0.0', 'x', 0],
    ['v12.0.0', '5x', 0],
    ['v12.0.0', undefined, null],
    ['10.0.0', '5', 5],
    ['10.0.0', '0', null],
    ['10.0.0', 'x', null],
    ['10.0.0', '-2', -2],
    ['10.0.0', undefined, null],
  ];
  for (const [version, weight, written] of weights) {
    const podAnnotations: Record<string, string> = weight === undefined ? {} : { 'ingress.appscode.com/backend-weight': weight };
    assert.equal(server(parse(version, { podAnnotations })).weight, written, `${version} ${weight}`);
  }
  const maxconn: [string, number][] = [
    ['10', 10],
    ['-2', -2],
    ['x', 0],
    ['1.5', 0],
    ['', 0],
  ];
  for (const [value, written] of maxconn) {
    assert.equal(server(parse('v12.0.0', { podAnnotations: { 'ingress.appscode.com/max-connections': value } })).maxconn, written, value);
  }
});

test('server options from the Service: backend-tls, check and its port, agent-check from v11 (v11.0.0 templates/http-backend.cfg)', () => {
  const a = {
    'ingress.appscode.com/backend-tls': 'ssl verify none',
    'ingress.appscode.com/check': 'true',
    'ingress.appscode.com/check-port': '8080',
    'ingress.appscode.com/agent-port': '5555',
    'ingress.appscode.com/agent-interval': '3s',
  };
  const s = server(parse('v12.0.0', { serviceAnnotations: a }));
  assert.deepEqual(
    [s.tlsOption, s.check, s.agent, s.name, s.address, s.port],
    ['ssl verify none', { port: '8080' }, { port: '5555', interval: '3s' }, 'pod-web-1', '10.0.0.1', '80'],
  );
  const old = server(parse('10.0.0', { serviceAnnotations: a }));
  assert.equal(old.agent, null);
  const plain = server(parse('v12.0.0', { serviceAnnotations: { 'ingress.appscode.com/check': 'True', 'ingress.appscode.com/agent-interval': '3s' } }));
  assert.deepEqual([plain.tlsOption, plain.check, plain.agent], ['', null, null]);
  assert.deepEqual(server(parse('v12.0.0', { serviceAnnotations: { 'ingress.appscode.com/check': 'true' } })).check, { port: '' });
  // Before 4.0.0-rc.2 servers are named by IP.
  assert.equal(server(parse('4.0.0-rc.1', {})).name, 'pod-10.0.0.1');
});

test('rewrite-target: a reqrep rule before the backend rewriteRules (v12.0.0 parser.go:258-276, the same in 5.0.0)', () => {
  // [rewrite-target, path, the first rewrite rule]
  const cases: [string, string, string | undefined][] = [
    ['/', '/app', '^([^\\ :]*)\\ /app/?(.*$) \\1\\ /\\2'],
    ['/new', '/app', '^([^\\ :]*)\\ /app(.*$) \\1\\ /new\\2'],
    ['/new', '/app/', '^([^\\ :]*)\\ /app/(.*$) \\1\\ /new/\\2'],
    ['', '/app', undefined],
  ];
  for (const [target, path, rule] of cases) {
    const ingressAnnotations: Record<string, string> = target === '' ? {} : { 'ingress.appscode.com/rewrite-target': target };
    assert.equal(backend(parse('v12.0.0', { ingressAnnotations, path })).rewriteRules[0], rule, `${target} ${path}`);
  }
});

test('spec.externalIPs: an address that is not an IP fails the Service the operator creates (IPv4 dotted quads, IPv6 with one ::)', () => {
  const ok = ['10.0.0.1', '255.255.255.255', '0.0.0.0', '::1', 'fe80::1', '2001:db8:0:0:0:0:0:1', 'FE80::A'];
  const bad = ['256.0.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', 'abc', '1::2::3', 'host.example.com', '10.0.0.1 ', 'fe80', ' ::1'];
  for (const ip of ok) assert.equal(parse('v12.0.0', { spec: { externalIPs: [ip] } }).written, true, ip);
  for (const ip of bad) {
    const config = parse('v12.0.0', { spec: { externalIPs: ['10.0.0.2', ip] } });
    assert.deepEqual(
      config.written ? null : config.failure,
      {
        event: 'ServiceReconcileFailed',
        message: `spec.externalIPs[1] "${ip}" is not an IP address: the API server refuses the Service the operator creates for this Ingress`,
      },
      ip,
    );
  }
  const before6 = parse('5.0.0', { spec: { externalIPs: ['abc'] } });
  assert.equal(before6.written ? null : before6.failure.event, 'ServiceCreateFailed');
});

test('backend fields read under the spelling of the version: backendRule, rewriteRule, headerRule before 6.0, the plural after', () => {
  const fields = { backendRule: ['acl a path /a'], rewriteRule: ['reqrep ^a b'], headerRule: ['X-A a'] };
  const plural = { backendRules: ['acl b path /b'], rewriteRules: ['reqrep ^b c'], headerRules: ['X-B b'] };
  const old = backend(parse('5.0.0', { backend: { ...fields, ...plural } }));
  assert.deepEqual([old.backendRules, old.rewriteRules, old.headerRules], [fields.backendRule, fields.rewriteRule, fields.headerRule]);
  assert.deepEqual(old.notes, [
    'backendRules is not read by Voyager 5.0.0 (the field is backendRule before 6.0)',
    'rewriteRules is not read by Voyager 5.0.0 (the field is rewriteRule before 6.0)',
    'headerRules is not read by Voyager 5.0.0 (the field is headerRule before 6.0)',
  ]);
  const modern = backend(parse('6.0.0', { backend: { ...fields, ...plural } }));
  assert.deepEqual([modern.backendRules, modern.rewriteRules, modern.headerRules], [plural.backendRules, plural.rewriteRules, plural.headerRules]);
  assert.deepEqual(modern.notes, [
    'backendRule is not read by Voyager 6.0.0 (the field is backendRules since 6.0)',
    'rewriteRule is not read by Voyager 6.0.0 (the field is rewriteRules since 6.0)',
    'headerRule is not read by Voyager 6.0.0 (the field is headerRules since 6.0)',
  ]);
  assert.deepEqual(backend(parse('6.0.0', { backend: plural })).notes, []);
});

test('an ExternalName backend without use-dns-resolver and backend rules is redirected, not proxied', () => {
  const note = 'ExternalName without use-dns-resolver: Voyager redirects (301) instead of proxying';
  const external = { type: 'ExternalName', externalName: 'db.example.com' };
  assert.deepEqual(backend(parse('v12.0.0', { serviceSpec: external })).notes, [note]);
  assert.deepEqual(backend(parse('v12.0.0', { serviceSpec: external, backend: { backendRules: ['http-request redirect location /'] } })).notes, []);
  const resolved = backend(parse('v12.0.0', { serviceSpec: external, serviceAnnotations: { 'ingress.appscode.com/use-dns-resolver': 'true' } }));
  assert.deepEqual(resolved.notes, []);
  assert.equal(resolved.endpoints[0]?.address, 'db.example.com');
});

test('before 9.0 a named servicePort makes the Ingress invalid (8.0.1 apis/voyager/v1beta1/validator.go strconv.Atoi)', () => {
  for (const port of ['http', 'h80', '80h']) {
    const config = parse('8.0.1', { backend: { servicePort: port } });
    assert.deepEqual(
      config.written ? null : config.failure,
      {
        event: 'IngressInvalid',
        message: `servicePort "${port}" of backend shop.example.com/app is a port name; Voyager 8.0.1 reads service ports as numbers only (named ports arrived in 9.0.0)`,
      },
      port,
    );
  }
  for (const port of ['80', '0080']) assert.equal(parse('8.0.1', { backend: { servicePort: port } }).written, true, port);
});

test('readsSecrets: Ingress-wide basic auth with a Secret, TLS auth, stats with a Secret (v12.0.0 parser.go:360-386, :449-459)', () => {
  const cases: [Record<string, string>, boolean][] = [
    [{}, false],
    [{ 'ingress.appscode.com/auth-type': 'basic', 'ingress.appscode.com/auth-secret': 'users' }, true],
    [{ 'ingress.appscode.com/auth-type': 'basic' }, false],
    [{ 'ingress.appscode.com/auth-type': 'digest', 'ingress.appscode.com/auth-secret': 'users' }, false],
    [{ 'ingress.appscode.com/auth-tls-secret': 'ca' }, true],
    [{ 'ingress.appscode.com/stats': 'true', 'ingress.appscode.com/stats-secret-name': 'stats' }, true],
    [{ 'ingress.appscode.com/stats': 'false', 'ingress.appscode.com/stats-secret-name': 'stats' }, false],
    [{ 'ingress.appscode.com/stats': 'true' }, false],
  ];
  for (const [annotations, reads] of cases) {
    const objects = objectsFrom(
      [
        {
          apiVersion: 'voyager.appscode.com/v1beta1',
          kind: 'Ingress',
          metadata: { namespace: 'shop', name: 'front', annotations },
          spec: { backend: { serviceName: 'web', servicePort: 80 } },
        },
      ],
      'default',
    );
    assert.equal(readsSecrets(objects.ingresses[0] ?? assert.fail('no Ingress'), profile('v12.0.0')), reads, JSON.stringify(annotations));
  }
});

const secret = (name: string, keys: string[]) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { namespace: 'shop', name },
  data: Object.fromEntries(keys.map((k) => [k, 'eA=='])),
});

test("a Service's basic auth: its Secret's keys as user lists, sorted; none where the Ingress-wide auth takes over", () => {
  const basic = { 'ingress.appscode.com/auth-type': 'basic', 'ingress.appscode.com/auth-secret': 'users', 'ingress.appscode.com/auth-realm': 'Shop' };
  const users = secret('users', ['bob', 'alice']);
  assert.deepEqual(backend(parse('v12.0.0', { serviceAnnotations: basic, extra: [users] })).basicAuth, {
    realm: 'Shop',
    userLists: ['users-alice', 'users-bob'],
  });
  const { 'ingress.appscode.com/auth-realm': _realm, ...noRealm } = basic;
  assert.deepEqual(backend(parse('v12.0.0', { serviceAnnotations: noRealm, extra: [users] })).basicAuth, {
    realm: '',
    userLists: ['users-alice', 'users-bob'],
  });
  for (const [annotations, extra] of [
    [{ ...basic, 'ingress.appscode.com/auth-type': 'digest' }, [users]],
    [{ 'ingress.appscode.com/auth-type': 'basic' }, [users]],
    [basic, []],
    [basic, [secret('users', [])]],
    [basic, [{ ...users, metadata: { namespace: 'elsewhere', name: 'users' } }]],
  ] as const) {
    const b = backend(parse('v12.0.0', { serviceAnnotations: { ...annotations }, extra: [...extra] }));
    assert.deepEqual([b.basicAuth, b.notes], [null, []], JSON.stringify(annotations));
  }
  // Ingress-wide basic or TLS auth moves auth to the frontend: the backend writes none.
  const global = { 'ingress.appscode.com/auth-type': 'basic', 'ingress.appscode.com/auth-secret': 'global' };
  assert.equal(backend(parse('v12.0.0', { ingressAnnotations: global, serviceAnnotations: basic, extra: [users, secret('global', ['x'])] })).basicAuth, null);
  const tls = { 'ingress.appscode.com/auth-tls-secret': 'ca' };
  assert.equal(backend(parse('v12.0.0', { ingressAnnotations: tls, serviceAnnotations: basic, extra: [users, secret('ca', ['ca.crt'])] })).basicAuth, null);
  // The default backend gets the Ingress-wide auth itself.
  const only = parse('v12.0.0', {
    ingressAnnotations: { ...global, 'ingress.appscode.com/auth-realm': 'All' },
    spec: { rules: [], backend: { serviceName: 'web', servicePort: 80 } },
    extra: [secret('global', ['zed', 'amy'])],
  });
  assert.deepEqual(backend(only).basicAuth, { realm: 'All', userLists: ['global-amy', 'global-zed'] });
});
