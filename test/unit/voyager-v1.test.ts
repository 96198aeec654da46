// voyager.appscode.com/v1 Ingresses, field by field, as the releases after the public code serve
// them (v2021.09.15 and later, built from closed source). The types are public: repository
// voyagermesh/apimachinery, tags v0.1.0 (c844b9996, the API of v2021.09.15), v0.1.1 (a7704e79f,
// v2021.10.16) and v0.12.0 (58664e1e0, v2026.3.23), each named by the release's
// docs/CHANGELOG-<release>.md in voyagermesh/voyager. Its CRD is crds/voyager.appscode.com_ingresses.yaml
// at the same tag. What the operator does with the fields is v13.0.0-rc.0's code (appscode/voyager
// 1a3342416), assumed for every later release: each case names the file and line it follows.
// `IG` below is apimachinery v0.12.0 apis/voyager/v1/ingress.go; `CRD` that tag's CRD file.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendsOf } from '../../src/core/backends.ts';
import { admittedByCrd } from '../../src/core/crd.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { coreFields, endpointsKnownFromFiles, isObject, objectsFrom, type IngressView, type ObjectSet } from '../../src/core/objects.ts';
import { formatBackends, renderIngress } from '../../src/core/render.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

const ingress = (apiVersion: string, spec: string, annotations = 'ingress.appscode.com/affinity: cookie') => `apiVersion: ${apiVersion}
kind: Ingress
metadata: {name: web, namespace: default, annotations: {${annotations}}}
spec:
${spec}
`;
const v1 = (spec: string, annotations?: string) => ingress('voyager.appscode.com/v1', spec, annotations);
const v1beta1 = (spec: string, annotations?: string) => ingress('voyager.appscode.com/v1beta1', spec, annotations);

/** Services s1 (port 80 -> 8080, unnamed) and s2 (ports http 80 -> 8080 and metrics 9090), with Endpoints. */
const SERVICES = `---
apiVersion: v1
kind: Service
metadata: {name: s1, namespace: default}
spec: {selector: {app: s1}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: s1, namespace: default}
subsets: [{addresses: [{ip: 10.0.0.1, targetRef: {kind: Pod, name: s1-0}}], ports: [{port: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: s2, namespace: default}
spec: {selector: {app: s2}, ports: [{name: http, port: 80, targetPort: 8080}, {name: metrics, port: 9090, targetPort: 9090}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: s2, namespace: default}
subsets: [{addresses: [{ip: 10.0.0.2, targetRef: {kind: Pod, name: s2-0}}], ports: [{name: http, port: 8080}, {name: metrics, port: 9090}]}]
`;

/** The objects as `-f` reads them (cli/gather.ts). */
function read(yaml: string): ObjectSet {
  const objects = objectsFrom(parseManifest(yaml, 'case'), 'default');
  objects.endpointsRead = endpointsKnownFromFiles(objects);
  return objects;
}

function only(objects: ObjectSet): IngressView {
  const [found] = objects.ingresses;
  assert.ok(found, `no Ingress read: ${JSON.stringify(objects.issues)}`);
  return found;
}

/** The backends as the plugin reads them: `type service:port`, `(name)` for a port given by name. */
function backendsRead(view: IngressView): string[] {
  return backendsOf(view).map((b) => `${b.type} ${b.ref.serviceName}:${b.ref.servicePort}${b.ref.servicePortIsInt ? '' : ' (name)'}`);
}

interface ReadCase {
  name: string;
  source: string;
  yaml: string;
  backends: string[];
  /** The warning about fields v1 does not have; null: none. */
  warning: RegExp | null;
  check?: (view: IngressView) => void;
}

const READ_CASES: ReadCase[] = [
  {
    name: 'spec.defaultBackend with service {name, port {number}} is the default backend',
    source: 'IG:74 (DefaultBackend *IngressBackend), :369 (Service networking.IngressServiceBackend)',
    yaml: v1('  defaultBackend: {service: {name: s1, port: {number: 80}}}'),
    backends: ['default s1:80'],
    warning: null,
  },
  {
    name: 'a port by name is a name (Go: intstr string), matched against Service port names',
    source: 'IG:369; apimachinery v0.12.0 apis/voyager/v1beta1/conversion.go:142-146 (Name -> intstr.FromString)',
    yaml: v1('  rules:\n  - http: {paths: [{path: /, backend: {service: {name: s2, port: {name: http}}}}]}'),
    backends: ['http s2:http (name)'],
    warning: null,
  },
  {
    name: 'a port with both name and number: the name wins',
    source: 'apimachinery v0.12.0 apis/voyager/v1beta1/conversion.go:142-146 (if Port.Name != "" ... else Port.Number)',
    yaml: v1('  defaultBackend: {service: {name: s2, port: {name: metrics, number: 80}}}'),
    backends: ['default s2:metrics (name)'],
    warning: null,
  },
  {
    name: 'no port at all is the number 0 (Go zero value), which matches an unnamed Service port',
    source: 'IG:369; apimachinery v0.12.0 apis/voyager/v1beta1/conversion.go:142-146 (Name "" -> intstr.FromInt(Number))',
    yaml: v1('  defaultBackend: {service: {name: s1}}'),
    backends: ['default s1:0'],
    warning: null,
  },
  {
    name: 'a port number written as a string is no int32: the backend is not read',
    source: 'IG:369 (networking ServiceBackendPort.Number int32); CRD:2760 (number: type integer)',
    yaml: v1('  defaultBackend: {service: {name: s1, port: {number: "80"}}}'),
    backends: [],
    warning: null,
  },
  {
    name: 'spec.backend is v1beta1: a v1 object has no default backend then',
    source: 'IG:69-96 (IngressSpec has defaultBackend, no backend)',
    yaml: v1('  backend: {service: {name: s1, port: {number: 80}}}'),
    backends: [],
    warning: /^spec\.backend \(v1: spec\.defaultBackend\) is not a field of voyager\.appscode\.com\/v1: kubectl apply rejects/,
  },
  {
    name: 'serviceName/servicePort are v1beta1: such a backend is not read',
    source: 'IG:352-398 (IngressBackend: name, hostNames, service, backendRules, alpn, proto, loadBalanceOn)',
    yaml: v1('  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}'),
    backends: [],
    warning:
      /^spec\.rules\[0\]\.http\.paths\[0\]\.backend\.serviceName \(v1: service\.name\), spec\.rules\[0\]\.http\.paths\[0\]\.backend\.servicePort \(v1: service\.port\.number or service\.port\.name\) are not fields/,
  },
  {
    name: 'rules[].tcp is one object {port, backend}, as in v1beta1',
    source: 'IG:245-255 (TCP *TCPIngressRuleValue), :298-312 (Port int32, Backend IngressBackend)',
    yaml: v1('  rules:\n  - host: db.example.com\n    tcp: {port: 5432, backend: {service: {name: s1, port: {number: 80}}}}'),
    backends: ['tcp s1:80'],
    warning: null,
    check: (view) => assert.deepEqual(view.rules[0]?.tcp?.port, 5432),
  },
  {
    name: 'the backend fields v1 keeps reach the view: backendRules, hostNames, alpn, proto, loadBalanceOn, name',
    source: 'IG:355 (name), :364 (hostNames), :374 (backendRules), :388 (alpn), :393 (proto), :397 (loadBalanceOn)',
    yaml: v1(
      '  defaultBackend: {name: bk, service: {name: s1, port: {number: 80}}, backendRules: [a b], hostNames: [s1-0], alpn: [h2], proto: h2, loadBalanceOn: leastconn}',
    ),
    backends: ['default s1:80'],
    warning: null,
    check: (view) => {
      const ref = view.defaultBackend;
      assert.equal(ref?.backendName, 'bk');
      assert.deepEqual(ref?.options.backendRules, ['a b']);
      assert.deepEqual(ref?.options.hostNames, ['s1-0']);
      assert.deepEqual(ref?.options.alpn, ['h2']);
      assert.equal(ref?.options.proto, 'h2');
      assert.equal(ref?.options.loadBalanceOn, 'leastconn');
    },
  },
  {
    name: 'the spellings from before 6.0 (backendRule, rewriteRule, headerRule) were never v1 fields',
    source: 'IG:352-398; apimachinery v0.1.0 apis/voyager/v1/ingress.go:394-406 (HTTPIngressBackend: rewriteRules, headerRules only)',
    yaml: v1('  defaultBackend: {service: {name: s1, port: {number: 80}}, backendRule: [a b], rewriteRule: [c], headerRule: [d e]}'),
    backends: ['default s1:80'],
    warning:
      /^spec\.defaultBackend\.backendRule \(v1: backendRules\), spec\.defaultBackend\.rewriteRule \(v1: backendRules\), spec\.defaultBackend\.headerRule \(v1: backendRules\) are not fields/,
    check: (view) => assert.deepEqual([view.defaultBackend?.options.backendRule, view.defaultBackend?.options.headerRule], [[], []]),
  },
  {
    name: 'tls[] has secretName only: a ref is not read',
    source: 'IG:191-203 (IngressTLS: hosts, secretName); apimachinery v0.12.0 apis/voyager/v1/diff.go:92-104 (FindTLSSecret returns SecretName)',
    yaml: v1('  tls: [{hosts: [a.example.com], secretName: a-tls}, {hosts: [b.example.com], ref: {kind: Secret, name: b-tls}}]'),
    backends: [],
    warning: /^spec\.tls\[1\]\.ref \(v1: secretName\) is not a field/,
    check: (view) =>
      assert.deepEqual(
        view.tls.map((t) => t.secretName),
        ['a-tls', ''],
      ),
  },
  {
    name: "paths[].pathType is networking.k8s.io's, not Voyager's: warned, the path read",
    source: 'IG:336-349 (HTTPIngressPath: path, backend)',
    yaml: v1('  rules:\n  - http: {paths: [{path: /api, pathType: Prefix, backend: {service: {name: s1, port: {number: 80}}}}]}'),
    backends: ['http s1:80'],
    warning: /^spec\.rules\[0\]\.http\.paths\[0\]\.pathType \(v1: none, a path is a prefix\) is not a field/,
  },
  {
    name: 'frontendRules[].port is an int32, auth secrets as in v1beta1',
    source: 'IG:406-413 (FrontendRule: Port int32, Auth), :429-446 (BasicAuth, TLSAuth secretName)',
    yaml: v1(
      '  defaultBackend: {service: {name: s1, port: {number: 80}}}\n  frontendRules: [{port: 80, auth: {basic: {secretName: pw}}}, {port: 443, auth: {tls: {secretName: ca}}}]',
    ),
    backends: ['default s1:80'],
    warning: null,
    check: (view) =>
      assert.deepEqual(view.frontendRules, [
        { port: 80, basicSecret: 'pw', tlsSecret: null },
        { port: 443, basicSecret: null, tlsSecret: 'ca' },
      ]),
  },
  {
    name: 'http {address, port, noTLS} and externalIPs as in v1beta1',
    source: 'IG:262-296 (HTTPIngressRuleValue: Address, Port int32, NoTLS, Paths), :166 (ExternalIPs)',
    yaml: v1(
      '  externalIPs: [192.0.2.1]\n  rules:\n  - host: a.example.com\n    http: {address: 10.1.1.1, port: 8080, noTLS: true, paths: [{backend: {service: {name: s1, port: {number: 80}}}}]}',
    ),
    backends: ['http s1:80'],
    warning: null,
    check: (view) => {
      assert.deepEqual(view.externalIPs, ['192.0.2.1']);
      assert.deepEqual([view.rules[0]?.http?.address, view.rules[0]?.http?.port, view.rules[0]?.http?.noTLS], ['10.1.1.1', 8080, true]);
    },
  },
];

for (const c of READ_CASES) {
  test(`v1 read: ${c.name} (${c.source})`, () => {
    const objects = read(c.yaml);
    const view = only(objects);
    assert.deepEqual(backendsRead(view), c.backends);
    const warnings = objects.issues.filter((i) => i.object === 'ingress/default/web').map((i) => i.message);
    if (c.warning === null) assert.deepEqual(warnings, []);
    else {
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0] ?? '', c.warning);
      assert.match(warnings[0] ?? '', /the API server drops (it|them), so (it counts|they count) for nothing here$/);
    }
    c.check?.(view);
    // A live list keeps only the projected fields: they must give the same view and warnings.
    const raws = parseManifest(c.yaml, 'case').filter(isObject);
    assert.deepEqual(objectsFrom(raws.map(coreFields), 'default'), objectsFrom(raws, 'default'));
  });
}

test('a v1 rules[].tcp written as a list is refused as in v1beta1 (IG:254 TCP *TCPIngressRuleValue, one object; CRD:2797 tcp type object)', () => {
  const objects = read(v1('  rules:\n  - tcp: [{port: 5432, backend: {service: {name: s1, port: {number: 80}}}}]'));
  assert.deepEqual(objects.ingresses, []);
  assert.deepEqual(
    objects.issues.map((i) => i.message),
    [
      "spec.rules[0].tcp is a list, but Voyager's tcp is one object {port, backend}: the API server rejects this Ingress, so it counts for nothing here (write one rule per TCP port)",
    ],
  );
});

test('v1beta1 keeps its own spellings: spec.backend, serviceName/servicePort, tls ref, no warning', () => {
  const objects = read(
    v1beta1(
      '  backend: {serviceName: s1, servicePort: 80, backendRule: [x]}\n  tls: [{hosts: [a.example.com], ref: {kind: Secret, name: a-tls}}]\n  rules:\n  - http: {paths: [{path: /, backend: {service: {name: s2, port: {number: 80}}}}]}',
    ),
  );
  const view = only(objects);
  // The v1 spelling on a v1beta1 object is not read (as before): only spec.backend is a backend.
  assert.deepEqual(backendsRead(view), ['default s1:80']);
  assert.deepEqual(view.defaultBackend?.options.backendRule, ['x']);
  assert.deepEqual(
    view.tls.map((t) => t.secretName),
    ['a-tls'],
  );
  assert.deepEqual(objects.issues, []);
});

interface SchemaCase {
  name: string;
  source: string;
  spec: string;
  /** The API server's error, or null when the CRD stores the object. */
  refused: string | null;
}

const DEFAULT = '  defaultBackend: {service: {name: s1, port: {number: 80}}}';
const SCHEMA_CASES: SchemaCase[] = [
  { name: 'a well-formed v1 Ingress is stored', source: 'CRD:33-3326 (version v1)', spec: DEFAULT, refused: null },
  {
    name: 'a service without a name',
    source: 'CRD:2740-2769 (paths[].backend.service: required name)',
    spec: '  rules:\n  - http: {paths: [{path: /, backend: {service: {port: {number: 80}}}}]}',
    refused: 'spec.rules[0].http.paths[0].backend.service.name: Required value',
  },
  {
    name: 'a port number as a string (v1beta1 took int-or-string)',
    source: 'CRD:1831 defaultBackend, service.port.number type integer',
    spec: '  defaultBackend: {service: {name: s1, port: {number: "80"}}}',
    refused:
      'spec.defaultBackend.service.port.number: Invalid value: "string": spec.defaultBackend.service.port.number in body must be of type integer: "string"',
  },
  {
    name: 'an HTTP rule port as a string',
    source: 'CRD:2784 (rules[].http.port type integer; v1beta1: int-or-string)',
    spec: '  rules:\n  - http: {port: "8080", paths: [{path: /, backend: {service: {name: s1, port: {number: 80}}}}]}',
    refused: 'spec.rules[0].http.port: Invalid value: "string": spec.rules[0].http.port in body must be of type integer: "string"',
  },
  {
    name: 'a TCP rule port as a string',
    source: 'CRD:2916 (rules[].tcp.port type integer)',
    spec: '  rules:\n  - tcp: {port: "5432", backend: {service: {name: s1, port: {number: 80}}}}',
    refused: 'spec.rules[0].tcp.port: Invalid value: "string": spec.rules[0].tcp.port in body must be of type integer: "string"',
  },
  {
    name: 'a frontendRules port as a string',
    source: 'CRD:1984 (frontendRules[].port type integer)',
    spec: `${DEFAULT}\n  frontendRules: [{port: "80", rules: [x]}]`,
    refused: 'spec.frontendRules[0].port: Invalid value: "string": spec.frontendRules[0].port in body must be of type integer: "string"',
  },
  {
    name: 'an HTTP rule without paths',
    source: 'CRD:2794-2795 (rules[].http required paths)',
    spec: '  rules:\n  - host: a.example.com\n    http: {port: 80}',
    refused: 'spec.rules[0].http.paths: Required value',
  },
  {
    name: 'a configVolumes entry without mountPath',
    source: 'CRD:969, :1567 (configVolumes[] required mountPath)',
    spec: `${DEFAULT}\n  configVolumes: [{name: extra, configMap: {name: extra}}]`,
    refused: 'spec.configVolumes[0].mountPath: Required value',
  },
];

for (const c of SCHEMA_CASES) {
  test(`v1 CRD schema: ${c.name} (${c.source})`, () => {
    for (const version of ['v2021.09.15', 'v2026.3.23']) {
      const objects = admittedByCrd(read(v1(c.spec) + SERVICES), profile(version));
      const refusal = objects.issues.find((i) => i.message.includes('has a full schema'));
      if (c.refused === null) {
        assert.equal(objects.ingresses.length, 1, version);
        assert.equal(refusal, undefined, version);
      } else {
        assert.equal(objects.ingresses.length, 0, version);
        assert.equal(
          refusal?.message,
          `the Ingress CRD of Voyager ${version} has a full schema and the API server rejects this Ingress (The Ingress "web" is invalid: ${c.refused}), so it counts for nothing here`,
        );
      }
    }
  });
}

test('v1beta1 objects are still checked against the v1beta1 schema at later releases: int-or-string ports pass', () => {
  // apimachinery v0.12.0's v1beta1 version of the CRD has the same constraints as v13.0.0-rc.0's for these fields.
  const spec = '  rules:\n  - http: {port: "8080", paths: [{path: /, backend: {serviceName: s1, servicePort: "80"}}]}';
  const objects = admittedByCrd(read(v1beta1(spec) + SERVICES), profile('v2026.3.23'));
  assert.equal(objects.ingresses.length, 1, JSON.stringify(objects.issues));
});

/** The rendered sections, or `no config: EVENT`. */
function rendered(yaml: string, version: string): string {
  const objects = admittedByCrd(read(yaml), profile(version));
  const result = renderIngress(only(objects), objects, profile(version));
  if (!result.written) return `no config: ${result.failure?.event}`;
  return formatBackends(result.backends);
}

const REWRITE = "{service: {name: s1, port: {number: 80}}, rewriteRules: ['^([^\\ :]*)\\ /a/(.*)$ \\1\\ /\\2'], headerRules: ['X-A b']}";

test('v1 rewriteRules/headerRules: rendered at v2021.09.15, gone from v2021.10.16 (v13.0.0-rc.0 templates/default-backend.cfg:15-21)', () => {
  const yaml = v1(`  defaultBackend: ${REWRITE}`) + SERVICES;
  const kept =
    'backend default-backend\n\tcookie SERVERID insert indirect nocache\n\treqrep ^([^\\ :]*)\\ /a/(.*)$ \\1\\ /\\2\n\thttp-request set-header X-A b\n';
  const server = '\tserver pod-s1-0 10.0.0.1:8080 cookie pod-s1-0\n';
  // apimachinery v0.1.0 apis/voyager/v1/ingress.go:394-406 (v2021.09.15): the fields exist.
  assert.equal(rendered(yaml, 'v2021.09.15'), kept + server);
  // v0.1.1 (v2021.10.16, 4216e746e) removed them: the API server drops them.
  for (const version of ['v2021.10.16', 'v2026.3.23']) {
    assert.equal(rendered(yaml, version), `backend default-backend\n\tcookie SERVERID insert indirect nocache\n${server}`, version);
    const objects = read(yaml);
    const notes = renderIngress(only(objects), objects, profile(version)).backends[0]?.notes ?? [];
    assert.deepEqual(notes, [
      `rewriteRules is not a field of voyager.appscode.com/v1 at Voyager ${version} (gone since v2021.10.16; the API server drops it): write it as a backendRules line (http-request replace-uri ...)`,
      `headerRules is not a field of voyager.appscode.com/v1 at Voyager ${version} (gone since v2021.10.16; the API server drops it): write it as a backendRules line (http-request set-header ...)`,
    ]);
  }
  // A v1beta1 object keeps them at every release (its own schema has them).
  assert.equal(
    rendered(
      v1beta1(`  backend: {serviceName: s1, servicePort: 80, rewriteRules: ['^([^\\ :]*)\\ /a/(.*)$ \\1\\ /\\2'], headerRules: ['X-A b']}`) + SERVICES,
      'v2026.3.23',
    ),
    kept + server,
  );
});

test('ssl-passthrough refuses header rules on a v1 path only where v1 has them (v13.0.0-rc.0 pkg/ingress/parser.go:1060-1067)', () => {
  const yaml =
    v1(`  rules:\n  - host: a.example.com\n    http: {paths: [{path: /, backend: ${REWRITE}}]}`, 'ingress.appscode.com/ssl-passthrough: "true"') + SERVICES;
  assert.equal(rendered(yaml, 'v2021.09.15'), 'no config: HAProxyConfigFailed');
  assert.equal(rendered(yaml, 'v2021.10.16'), 'backend s1.default:80\n\tmode tcp\n\tserver pod-s1-0 10.0.0.1:8080\n');
});

test('a v1 port by name picks the Service port of that name; the backend name has port 0 (v13.0.0-rc.0 parser.go getBackendName, getSpecifiedPort)', () => {
  const yaml = v1('  rules:\n  - http: {paths: [{path: /, backend: {service: {name: s2, port: {name: metrics, number: 80}}}}]}') + SERVICES;
  assert.equal(
    rendered(yaml, 'v2026.3.23'),
    'backend s2.default:0\n\tcookie SERVERID insert indirect nocache\n\tserver pod-s2-0 10.0.0.2:9090 cookie pod-s2-0\n',
  );
});

test('a v1 backend without a port renders to the unnamed Service port (v13.0.0-rc.0 parser.go:240-247 getSpecifiedPort: IntValue 0, StrVal "")', () => {
  const yaml = v1('  rules:\n  - http: {paths: [{path: /, backend: {service: {name: s1}}}]}') + SERVICES;
  assert.equal(
    rendered(yaml, 'v2026.3.23'),
    'backend s1.default:0\n\tcookie SERVERID insert indirect nocache\n\tserver pod-s1-0 10.0.0.1:8080 cookie pod-s1-0\n',
  );
  // s2's ports are all named: no port matches, and the backend is left out (BackendInvalid).
  const objects = read(v1('  rules:\n  - http: {paths: [{path: /, backend: {service: {name: s2}}}]}') + SERVICES);
  assert.deepEqual(
    renderIngress(only(objects), objects, profile('v2026.3.23')).skipped.map((s) => s.reason),
    ['service port 0 unavailable for service default/s2'],
  );
});

test('v1 tls: secretName puts a host on :443; an entry without one makes the Ingress invalid (apimachinery v0.12.0 apis/voyager/v1/diff.go:84-104, validator.go:73-77)', () => {
  const rule = '  rules:\n  - host: a.example.com\n    http: {paths: [{path: /, backend: {service: {name: s1, port: {number: 80}}}}]}';
  const render = (tls: string) => {
    const objects = read(v1(`${rule}\n  tls: [${tls}]`) + SERVICES);
    return renderIngress(only(objects), objects, profile('v2026.3.23'));
  };
  assert.equal(render('{hosts: [a.example.com], secretName: a-tls}').backends[0]?.frontendPort, 443);
  assert.equal(render('{hosts: [b.example.com], secretName: b-tls}').backends[0]?.frontendPort, 80);
  // A ref is v1beta1's (dropped on v1), so the entry names no Secret: IsValid refuses the Ingress.
  assert.deepEqual(render('{hosts: [a.example.com], ref: {kind: Secret, name: a-tls}}').failure, {
    event: 'IngressInvalid',
    message: 'spec.tls[0] specifies no secret name (voyager.appscode.com/v1 has no tls ref)',
  });
  // v1beta1 reads the ref (v13.0.0-rc.0 apis/voyager/v1beta1/ingress.go IngressTLS.Ref) and writes the config.
  const objects = read(
    v1beta1(
      '  rules:\n  - host: a.example.com\n    http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}\n  tls: [{hosts: [a.example.com], ref: {kind: Secret, name: a-tls}}]',
    ) + SERVICES,
  );
  assert.equal(renderIngress(only(objects), objects, profile('v2026.3.23')).backends[0]?.frontendPort, 443);
});

test('a v1 backendRules cookie line sets the sticky cookie, as on v1beta1 (v13.0.0-rc.0 templates/http-backend.cfg:13-16)', () => {
  const yaml = v1("  defaultBackend: {service: {name: s1, port: {number: 80}}, backendRules: ['cookie OTHER insert']}") + SERVICES;
  const status = computeStatus(read(yaml), { profile: profile('v2026.3.23'), source: 'flag', ingressClass: null });
  assert.deepEqual(status.items[0]?.cookie, { name: 'OTHER', hash: null });
});

test('calendar releases are ordered by date for the version rules, and otherwise share one profile', () => {
  const [older, newer] = [profile('v2021.09.15'), profile('v2026.3.23')];
  assert.equal(older.rules.v1WithoutRewriteHeaderRules, false);
  assert.equal(newer.rules.v1WithoutRewriteHeaderRules, true);
  assert.equal(profile('v2021.10.16').rules.v1WithoutRewriteHeaderRules, true);
  assert.deepEqual({ ...older.rules, v1WithoutRewriteHeaderRules: true }, newer.rules);
  assert.deepEqual([older.id, older.keys, older.retiredKeys, older.basis], [newer.id, newer.keys, newer.retiredKeys, newer.basis]);
});
