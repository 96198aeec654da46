// The conversion core: table-driven cases per target, and the property that carries stickiness
// over: every backend status calls cookie-sticky gets the same cookie in the target (or a warning
// naming it), no other backend gets one. Over the whole corpus at each manifest's tag, and over
// fast-check cases under every profile.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { counterpart, readBack } from '../../src/core/convert-read.ts';
import { backendWhere, convert, judgeIngresses, TARGETS, type ConvertOptions, type ConvertTarget } from '../../src/core/convert.ts';
import { objectsFrom, type JsonObject, type ObjectSet } from '../../src/core/objects.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { corpusFiles, withMissingServices } from '../support/corpus.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

function options(target: ConvertTarget, extra: Partial<ConvertOptions> = {}): ConvertOptions {
  return { target, gatewayClass: 'eg', gateway: null, ingressClassName: 'haproxy', ...extra };
}

function run(objects: ObjectSet, version: string, target: ConvertTarget, extra: Partial<ConvertOptions> = {}) {
  const { status, judged } = judgeIngresses(objects, { profile: profile(version), source: 'flag', ingressClass: null });
  return { status, ...convert(judged, objects.services, options(target, extra)) };
}

function fromYaml(text: string): ObjectSet {
  return objectsFrom(parseManifest(text, 'case.yaml'), 'default');
}

/** `service path cookie` per backend the target serves ('-' for none). */
function served(objects: readonly JsonObject[]): string[] {
  return readBack(objects).map(
    (b) =>
      `${b.service.name} ${b.kind === 'tcp' ? `:${b.port}` : `${b.host}${b.path}`} ${b.sticky === null ? '-' : b.sticky.mode === 'cookie' ? b.sticky.name : 'source-ip'}`,
  );
}

const service = (name: string, annotations = '', extra = '') =>
  `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: default\n  annotations: {${annotations}}\nspec:\n  ports: [{port: 80, name: http}]\n${extra}`;

const ingress = (annotations: string, paths: string, more = '') => `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: ing
  namespace: default
  annotations: {${annotations}}
spec:
${more}  rules:
  - host: a.example.com
    http:
      paths:
${paths}
`;

const path = (p: string, svc: string, port = "'80'") => `      - path: ${p}\n        backend: {serviceName: ${svc}, servicePort: ${port}}\n`;

interface Case {
  name: string;
  version: string;
  yaml: string;
  gateway: string[];
  haproxy: string[];
  /** A warning that must be there (a regular expression), for gateway-api. */
  warns?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'Ingress-wide sticky: every backend, the Ingress cookie',
    version: 'v12.0.0',
    yaml:
      ingress('ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: C1', path('/x', 's1') + path('/', 's2')) +
      service('s1') +
      service('s2'),
    gateway: ['s1 a.example.com/x C1', 's2 a.example.com/ C1'],
    haproxy: ['s1 a.example.com/x C1', 's2 a.example.com/ C1'],
  },
  {
    name: '9.0: a Service sticky alone uses its own cookie name',
    version: '9.0.0',
    yaml:
      ingress('', path('/x', 's1') + path('/', 's2')) +
      service('s1', 'ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: SVC') +
      service('s2'),
    gateway: ['s1 a.example.com/x SVC', 's2 a.example.com/ -'],
    haproxy: ['s1 a.example.com/x SVC', 's2 a.example.com/ -'],
  },
  {
    name: "8.0: a sticky Service uses the Ingress's cookie name (SERVERID when none)",
    version: '8.0.1',
    yaml: ingress('', path('/x', 's1')) + service('s1', 'ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: SVC'),
    gateway: ['s1 a.example.com/x SERVERID'],
    haproxy: ['s1 a.example.com/x SERVERID'],
  },
  {
    name: '3.2: sticky-session true, the fixed SERVERID',
    version: '3.2.0',
    yaml: ingress("ingress.appscode.com/sticky-session: 'true'", path('/x', 's1')) + service('s1'),
    gateway: ['s1 a.example.com/x SERVERID'],
    haproxy: ['s1 a.example.com/x SERVERID'],
  },
  {
    name: 'v12: affinity "true" is not sticky, so nothing is',
    version: 'v12.0.0',
    yaml: ingress("ingress.appscode.com/affinity: 'true'", path('/x', 's1')) + service('s1'),
    gateway: ['s1 a.example.com/x -'],
    haproxy: ['s1 a.example.com/x -'],
  },
  {
    name: 'the Service cannot opt out of an Ingress-wide sticky Ingress',
    version: 'v12.0.0',
    yaml: ingress('ingress.appscode.com/affinity: cookie', path('/x', 's1')) + service('s1', 'ingress.appscode.com/affinity: none'),
    gateway: ['s1 a.example.com/x SERVERID'],
    haproxy: ['s1 a.example.com/x SERVERID'],
  },
  {
    name: 'ExternalName is never sticky; the loss is named',
    version: 'v12.0.0',
    yaml: ingress('ingress.appscode.com/affinity: cookie', path('/x', 'ext')) + service('ext', '', '  type: ExternalName\n  externalName: db.example.org\n'),
    gateway: ['ext a.example.com/x -'],
    haproxy: ['ext a.example.com/x -'],
    warns: /backend a\.example\.com\/x \(service default\/ext\): ExternalName Service/,
  },
  {
    name: 'a missing Service: Voyager leaves the backend out, so does the conversion',
    version: 'v12.0.0',
    yaml: ingress('ingress.appscode.com/affinity: cookie', path('/x', 's1') + path('/y', 'gone')) + service('s1'),
    gateway: ['s1 a.example.com/x SERVERID'],
    haproxy: ['s1 a.example.com/x SERVERID'],
    warns: /backend a\.example\.com\/y \(service default\/gone\) not converted: Voyager leaves it out/,
  },
  {
    name: 'a named servicePort becomes the port number',
    version: 'v12.0.0',
    yaml: ingress('', path('/x', 's1', 'http')) + service('s1'),
    gateway: ['s1 a.example.com/x -'],
    haproxy: ['s1 a.example.com/x -'],
  },
  {
    name: 'ssl-passthrough: the rule is TCP, sticky by source IP, which plain Gateway API loses',
    version: 'v12.0.0',
    yaml: ingress("ingress.appscode.com/affinity: cookie, ingress.appscode.com/ssl-passthrough: 'true'", path('/', 's1')) + service('s1'),
    gateway: ['s1 :80 -'],
    haproxy: [],
    warns: /source-IP stickiness \(stick on src\) is lost/,
  },
];

for (const c of CASES) {
  test(`convert: ${c.name}`, () => {
    const objects = fromYaml(c.yaml);
    const gateway = run(objects, c.version, 'gateway-api');
    assert.deepEqual(served(gateway.objects), c.gateway);
    assert.deepEqual(served(run(objects, c.version, 'haproxy-ingress').objects), c.haproxy);
    if (c.warns)
      assert.ok(
        gateway.warnings.some((w) => c.warns?.test(w.message)),
        JSON.stringify(gateway.warnings, null, 1),
      );
  });
}

test('convert: a Service in another namespace gets a ReferenceGrant; --gateway attaches the routes to it and writes no Gateway', () => {
  const yaml = ingress('', path('/x', 's1.other')) + service('s1').replace('namespace: default', 'namespace: other');
  const { objects } = run(fromYaml(yaml), 'v12.0.0', 'gateway-api', { gateway: { namespace: 'infra', name: 'shared' } });
  assert.deepEqual(
    objects.map((o) => o['kind']),
    ['HTTPRoute', 'ReferenceGrant'],
  );
  const route = objects[0]?.['spec'];
  assert.deepEqual(route && typeof route === 'object' && !Array.isArray(route) ? route['parentRefs'] : null, [{ name: 'shared', namespace: 'infra' }]);
  assert.deepEqual(served(objects), ['s1 a.example.com/x -']);
});

test('convert: more than 16 paths on a host are split over several HTTPRoutes (the CRD allows 16 rules)', () => {
  const many = Array.from({ length: 20 }, (_, i) => path(`/p${i}`, 's1')).join('');
  const { objects } = run(fromYaml(ingress('ingress.appscode.com/affinity: cookie', many) + service('s1')), 'v12.0.0', 'gateway-api');
  const routes = objects.filter((o) => o['kind'] === 'HTTPRoute');
  assert.equal(routes.length, 2);
  assert.equal(served(objects).filter((s) => s.endsWith(' SERVERID')).length, 20);
});

/** The property, for one object set under one version and target: problems, empty when it holds. */
function carriedOver(objects: ObjectSet, version: string, target: ConvertTarget): string[] {
  const { status, objects: produced, warnings } = run(objects, version, target);
  const backends = readBack(produced);
  const problems: string[] = [];
  for (const item of status.items) {
    const where = backendWhere(item);
    const named = warnings.some((w) => w.object === `ingress/${item.ingress.namespace}/${item.ingress.name}` && w.message.includes(where));
    const got = counterpart(item, backends)?.sticky ?? null;
    const label = `${item.ingress.namespace}/${item.ingress.name} ${where}`;
    if (item.sticky && item.mode === 'cookie') {
      const same = got?.mode === 'cookie' && got.name === item.cookie?.name;
      if (!same && !named) problems.push(`${label}: Voyager cookie ${item.cookie?.name}, target ${JSON.stringify(got)}, no warning`);
    } else if (got?.mode === 'cookie') {
      problems.push(`${label}: not cookie-sticky in Voyager, yet the target sets cookie ${got.name}`);
    }
    if (item.sticky && item.mode === 'source-ip' && got?.mode !== 'source-ip' && !named) problems.push(`${label}: source-IP stickiness lost without a warning`);
  }
  return problems;
}

const STICKY_EVERYWHERE = {
  'ingress.appscode.com/affinity': 'cookie',
  'ingress.appscode.com/sticky-session': 'true',
  'ingress.kubernetes.io/affinity': 'cookie',
  'ingress.appscode.com/session-cookie-name': 'CORPUS',
  'ingress.kubernetes.io/session-cookie-name': 'CORPUS',
};

function madeSticky(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('kind' in raw) || raw.kind !== 'Ingress') return raw;
  const meta = 'metadata' in raw && typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {};
  const annotations = 'annotations' in meta && typeof meta.annotations === 'object' ? meta.annotations : {};
  return { ...raw, metadata: { ...meta, annotations: { ...annotations, ...STICKY_EVERYWHERE } } };
}

test('property over the corpus, at each manifest tag: cookie stickiness carried over exactly, for every target', () => {
  const files = corpusFiles();
  assert.ok(files.length >= 200, `only ${files.length} corpus files`);
  const problems: string[] = [];
  let sticky = 0;
  for (const file of files) {
    const tag = (file.split('/').pop() ?? '').split('__')[0] ?? '';
    const raws = parseManifest(readFileSync(file, 'utf8'), file);
    // As written (few corpus manifests are sticky), and with every Ingress made sticky in each version's spelling.
    for (const variant of [raws, raws.map(madeSticky)]) {
      const objects = withMissingServices(objectsFrom(variant, 'default'));
      for (const target of TARGETS) problems.push(...carriedOver(objects, tag, target).map((p) => `${file.split('/').pop()} ${target}: ${p}`));
      sticky += run(objects, tag, 'gateway-api').status.items.filter((i) => i.mode === 'cookie').length;
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(sticky > 200, `only ${sticky} cookie-sticky backends in the corpus`);
});

const VERSIONS = ['3.2.0', '4.0.0-rc.0', '5.0.0', '6.0.0', '8.0.1', '9.0.0', 'v12.0.0', 'v2021.09.15'];
const STICKY_KEYS = ['ingress.appscode.com/affinity', 'ingress.appscode.com/sticky-session', 'ingress.kubernetes.io/affinity'];
const COOKIE_KEYS = ['ingress.appscode.com/session-cookie-name', 'ingress.kubernetes.io/session-cookie-name', 'ingress.appscode.com/session-cookie-hash'];
const annotations = fc.dictionary(
  fc.constantFrom(...STICKY_KEYS, ...COOKIE_KEYS, 'ingress.appscode.com/ssl-passthrough'),
  fc.constantFrom('cookie', 'true', 'True', 'yes', '', 'md5', 'C1', 'C2', 'SERVERID'),
  { maxKeys: 4 },
);
const svcName = fc.constantFrom('s1', 's2', 's3', 'ext');
const caseArb = fc.record({
  version: fc.constantFrom(...VERSIONS),
  ingress: annotations,
  services: fc.record({ s1: annotations, s2: annotations, ext: annotations }),
  default: fc.option(svcName, { nil: undefined }),
  rules: fc.array(
    fc.oneof(
      fc.record({
        host: fc.constantFrom('a.example.com', '*.b.example.com', '', 'c.example.com'),
        paths: fc.array(fc.record({ path: fc.constantFrom('/', '/x', '/x/y', '/z'), svc: svcName }), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ host: fc.constantFrom('t.example.com', ''), tcp: fc.constantFrom(6379, 5432), svc: svcName }),
    ),
    { maxLength: 4 },
  ),
});

test('property over fast-check cases, every profile and target: cookie stickiness carried over exactly', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const backend = (svc: string, port = 80) => ({ serviceName: svc, servicePort: port });
      const raws: unknown[] = [
        {
          apiVersion: 'voyager.appscode.com/v1beta1',
          kind: 'Ingress',
          metadata: { name: 'ing', namespace: 'default', annotations: c.ingress },
          spec: {
            ...(c.default ? { backend: backend(c.default) } : {}),
            rules: c.rules.map((r) =>
              'tcp' in r
                ? { host: r.host, tcp: { port: r.tcp, backend: backend(r.svc, r.tcp) } }
                : { host: r.host, http: { paths: r.paths.map((p) => ({ path: p.path, backend: backend(p.svc) })) } },
            ),
          },
        },
        ...(['s1', 's2', 'ext'] as const).map((name) => ({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: 'default', annotations: c.services[name] },
          spec: name === 'ext' ? { type: 'ExternalName', externalName: 'db.example.org' } : { ports: [{ port: 80 }, { port: 6379 }, { port: 5432 }] },
        })),
      ];
      const objects = objectsFrom(raws, 'default');
      for (const target of TARGETS) assert.deepEqual(carriedOver(objects, c.version, target), [], `${c.version} ${target}`);
    }),
    { seed: 23, numRuns: 300 },
  );
});

test('convert: an ssl-passthrough host is a TLS passthrough listener and a TLSRoute by SNI; Envoy Gateway keeps its source-IP stickiness', () => {
  const yaml = ingress("ingress.appscode.com/affinity: cookie, ingress.appscode.com/ssl-passthrough: 'true'", path('/', 's1')) + service('s1');
  const { objects, warnings } = run(fromYaml(yaml), 'v12.0.0', 'envoy-gateway');
  assert.deepEqual(
    objects.map((o) => o['kind']),
    ['Gateway', 'TLSRoute', 'BackendTrafficPolicy'],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(objects[0]?.['spec'])).listeners, [
    { name: 'tls-80-0', protocol: 'TLS', port: 80, hostname: 'a.example.com', tls: { mode: 'Passthrough' } },
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(objects[1]?.['spec'])).hostnames, ['a.example.com']);
  assert.deepEqual(served(objects), ['s1 :80 source-ip']);
  assert.deepEqual(warnings, []);
});
