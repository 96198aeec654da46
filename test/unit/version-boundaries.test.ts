// Golden cases at every version boundary of the parser and templates (semantics.VERSION_RULES):
// the same objects just before a change and at it. Each expected section was written by hand from
// the Voyager file and line named in the case (repository appscode/voyager at that tag); md5
// suffixes were computed with md5sum from the seed the code builds. Whitespace is normalised as
// the real-operator test does. Event reasons: 5.0.0 pkg/eventer/recorder.go (HAProxyConfigCreateFailed),
// v12.0.0 pkg/eventer/event_reasons.go (HAProxyConfigFailed).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admittedByCrd } from '../../src/core/crd.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { endpointsKnownFromFiles, objectsFrom, type ObjectSet } from '../../src/core/objects.ts';
import { formatBackends, normaliseConfig, renderIngress } from '../../src/core/render.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';

function profile(version: string): Profile {
  const result = profileFor(version);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

/** A Service with one port 80 -> 8080 and an Endpoints object with these IPs (pods NAME-0, NAME-1, ...). */
function service(name: string, ips: readonly string[], extra = ''): string {
  const addresses = ips.map((ip, i) => `{ip: ${ip}, hostname: ${name}-${i}, targetRef: {kind: Pod, name: ${name}-${i}}}`).join(', ');
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default${extra}}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ${name}, namespace: default}
subsets: [{addresses: [${addresses}], ports: [{port: 8080}]}]
`;
}

const ingress = (annotations: string, spec: string) => `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: default, annotations: {${annotations}}}
spec:
${spec}
`;

/** The case's objects as `-f` reads them (cli/gather.ts): a snapshot where they hold Endpoints. */
function read(yaml: string): ObjectSet {
  const objects = objectsFrom(parseManifest(yaml, 'case'), 'default');
  objects.endpointsRead = endpointsKnownFromFiles(objects);
  return objects;
}

/** Normalised backend sections, or `no config: EVENT` when the operator writes none. */
function rendered(yaml: string, version: string): string {
  const objects = admittedByCrd(read(yaml), profile(version));
  const found = objects.ingresses[0];
  const refused = objects.issues.find((i) => i.message.includes('rejects'));
  if (!found && refused) return `refused: ${/is invalid: (.*)\), so/.exec(refused.message)?.[1]}`;
  assert.ok(found, `no Ingress read: ${JSON.stringify(objects.issues)}`);
  const result = renderIngress(found, objects, profile(version));
  if (!result.written) return `no config: ${result.failure?.event}`;
  return normaliseConfig(formatBackends(result.backends));
}

function stickyItems(yaml: string, version: string): (boolean | null)[] {
  const status = computeStatus(read(yaml), { profile: profile(version), source: 'flag', ingressClass: null });
  return status.items.map((item) => item.sticky);
}

interface Case {
  name: string;
  /** The Voyager code each expectation follows. */
  source: string;
  yaml: string;
  expect: Record<string, string>;
}

/** A Service with a selector and no Endpoints object, or (selectorless) one without a selector. */
function bareService(name: string, selectorless = false): string {
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {${selectorless ? '' : `selector: {app: ${name}}, `}ports: [{port: 80, targetPort: 8080}]}
`;
}

const STICKY_OLD = `ingress.appscode.com/sticky-session: 'true'`;
const STICKY = `ingress.appscode.com/affinity: cookie`;

const CASES: Case[] = [
  {
    name: 'a missing Service fails the whole Ingress before 6.0, only its backend from 6.0',
    source: '5.0.0 pkg/ingress/parser.go:433-436 (serviceEndpoints error: return err); 6.0.0-rc.0 parser.go (Eventf BackendInvalid, path skipped)',
    yaml:
      ingress(
        STICKY_OLD,
        `  rules:
  - host: x.example.com
    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}, {path: /b, backend: {serviceName: gone, servicePort: 80}}]}`,
      ) + service('s1', ['10.1.0.1']),
    expect: {
      '5.0.0': 'no config: HAProxyConfigCreateFailed',
      '6.0.0-rc.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'backends without ready endpoints: 5.x drops HTTP ones, 6.0-8.x every one, 9.0 writes them',
    source:
      '5.0.0 parser.go:456 (if len(bk.Endpoints) > 0) and default backend kept; 8.0.1 parser.go:352-358 (spec.backend skipped); 9.0.0 parser.go (event only)',
    yaml:
      ingress(
        STICKY_OLD + ', ' + STICKY,
        `  backend: {serviceName: empty, servicePort: 80}
  rules:
  - host: x.example.com
    http: {paths: [{path: /a, backend: {serviceName: empty, servicePort: 80}}, {path: /b, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) +
      service('s1', ['10.1.0.1']) +
      service('empty', []),
    expect: {
      '5.0.0':
        'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0\nbackend default-backend\ncookie SERVERID insert indirect nocache',
      '8.0.1': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
      '9.0.0':
        'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0\nbackend empty.default:80\ncookie SERVERID insert indirect nocache\nbackend default-backend\ncookie SERVERID insert indirect nocache',
    },
  },
  {
    name: 'an absent Endpoints object (files holding Endpoints of the namespace): 5.x writes no config, 6.0 on leave the backend out',
    source:
      'getEndpoints EndpointsLister.Get error returned: 5.0.0 pkg/ingress/parser.go:77-81 with :433-436 (return err); 6.0.0 parser.go:79-83 with :448 (BackendInvalid, skipped); 9.0.0 parser.go:85-89; v12.0.0 parser.go:103-107 with :501-508; shared/operator-fuzz noep',
    yaml:
      ingress(
        STICKY_OLD + ', ' + STICKY,
        `  rules:
  - host: x.example.com
    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}, {path: /b, backend: {serviceName: noep, servicePort: 80}}]}`,
      ) +
      service('s1', ['10.1.0.1']) +
      bareService('noep'),
    expect: {
      '5.0.0': 'no config: HAProxyConfigCreateFailed',
      '6.0.0-rc.0': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
      '8.0.1': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
      '9.0.0': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
      'v13.0.0-rc.0': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
    },
  },
  {
    name: "files without Endpoints: a Service with a selector gets the endpoints controller's object, one without is absent",
    source: 'v12.0.0 parser.go:103-107 (absent: error); 9.0.0 parser.go (no endpoints: event only, written); 5.0.0 parser.go:77-81, :433-436',
    yaml:
      ingress(
        STICKY,
        `  rules:
  - host: x.example.com
    http: {paths: [{path: /a, backend: {serviceName: sel, servicePort: 80}}, {path: /b, backend: {serviceName: hand, servicePort: 80}}]}`,
      ) +
      bareService('sel') +
      bareService('hand', true),
    expect: {
      '5.0.0': 'no config: HAProxyConfigCreateFailed',
      '9.0.0': 'backend sel.default:80\ncookie SERVERID insert indirect nocache',
      'v13.0.0-rc.0': 'backend sel.default:80\ncookie SERVERID insert indirect nocache',
    },
  },
  {
    name: 'frontendRules basic auth naming an absent Secret: no config at every version; present, the backend is written',
    source:
      'secrets Get error returned: 5.0.0 pkg/ingress/parser.go:716-727; 6.0.0 parser.go:765-776; 8.0.1 parser.go:621-632; 9.0.0 parser.go:663-674; v12.0.0 parser.go:687-698; v13.0.0-rc.0 (44fe45eac) parser.go:688-699',
    yaml:
      ingress(
        '',
        `  frontendRules:\n  - port: 80\n    auth: {basic: {secretName: gone}}\n  rules:\n  - host: x.example.com\n    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) + service('s1', ['10.1.0.1']),
    expect: {
      '5.0.0': 'no config: HAProxyConfigCreateFailed',
      '6.0.0-rc.0': 'no config: HAProxyConfigFailed',
      '8.0.1': 'no config: HAProxyConfigFailed',
      '9.0.0': 'no config: HAProxyConfigFailed',
      'v12.0.0': 'no config: HAProxyConfigFailed',
      'v13.0.0-rc.0': 'no config: HAProxyConfigFailed',
    },
  },
  {
    name: 'frontendRules basic auth whose Secret exists: written',
    source: "v12.0.0 parser.go:687-698 (the backend keeps its section; the auth is the frontend's)",
    yaml:
      ingress(
        '',
        `  frontendRules:\n  - port: 80\n    auth: {basic: {secretName: pass}}\n  rules:\n  - host: x.example.com\n    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) +
      service('s1', ['10.1.0.1']) +
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: pass, namespace: default}\ndata: {auth: YTpi}\n`,
    expect: { '5.0.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080', 'v12.0.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080' },
  },
  {
    name: 'frontendRules TLS auth: its Secret must exist and hold ca.crt',
    source: 'getTLSAuth: 5.0.0 parser.go:904-912; v12.0.0 parser.go:1025-1033 (key ca.crt not found in TLSAuthSecret)',
    yaml:
      ingress(
        '',
        `  frontendRules:\n  - port: 80\n    auth: {tls: {secretName: ca}}\n  rules:\n  - host: x.example.com\n    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) +
      service('s1', ['10.1.0.1']) +
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: ca, namespace: default}\ndata: {tls.crt: eA==}\n`,
    expect: { '5.0.0': 'no config: HAProxyConfigCreateFailed', 'v12.0.0': 'no config: HAProxyConfigFailed' },
  },
  {
    name: 'frontendRules of port 80 apply to the HTTP :80 frontend that serves a lone default backend',
    source: 'v12.0.0 parser.go:633-645 (no HTTP rule: a :80 frontend for spec.backend), :663-698; 5.0.0 parser.go:521, :716-727',
    yaml:
      ingress('', `  frontendRules:\n  - port: 80\n    auth: {basic: {secretName: gone}}\n  backend: {serviceName: s1, servicePort: 80}`) +
      service('s1', ['10.1.0.1']),
    expect: { '5.0.0': 'no config: HAProxyConfigCreateFailed', 'v12.0.0': 'no config: HAProxyConfigFailed' },
  },
  {
    name: 'a stats Secret that does not exist: no config',
    source: '5.0.0 parser.go:368-376; 6.0.0 parser.go:384-391; v12.0.0 parser.go:449-459 (failed to load stats secret)',
    yaml:
      ingress(`ingress.appscode.com/stats: 'true', ingress.appscode.com/stats-secret-name: st`, `  backend: {serviceName: s1, servicePort: 80}`) +
      service('s1', ['10.1.0.1']),
    expect: { '5.0.0': 'no config: HAProxyConfigCreateFailed', '6.0.0-rc.0': 'no config: HAProxyConfigFailed', 'v12.0.0': 'no config: HAProxyConfigFailed' },
  },
  {
    name: "v13.0.0-rc.0's own CRD has a full schema: a configVolumes entry without mountPath is refused; older versions render it",
    source:
      'v13.0.0-rc.0 (44fe45eac) crds/voyager.appscode.com_ingresses.v1.yaml:1349 (configVolumes required: mountPath); shared/operator c116, c124; v12.0.0 ran on an open-schema CRD',
    yaml: ingress('', `  configVolumes:\n  - name: cv\n    configMap: {name: cm}\n  backend: {serviceName: s1, servicePort: 80}`) + service('s1', ['10.1.0.1']),
    expect: {
      'v12.0.0': 'backend default-backend\nserver pod-s1-0 10.1.0.1:8080',
      'v13.0.0-rc.0': 'refused: spec.configVolumes[0].mountPath: Required value',
      'v2021.09.15': 'refused: spec.configVolumes[0].mountPath: Required value',
    },
  },
  {
    name: 'the v13.0.0-rc.0 schema: http needs paths, fields the core reads have their types',
    source: 'v13.0.0-rc.0 (44fe45eac) crds/voyager.appscode.com_ingresses.v1.yaml:1932 (http required: paths), :1753-2200 (rules types)',
    yaml:
      ingress(
        '',
        `  rules:\n  - host: x.example.com\n    http: {port: true}\n  - host: y.example.com\n    tcp: {port: 80, backend: {serviceName: s1, servicePort: [80]}}`,
      ) + service('s1', ['10.1.0.1']),
    expect: {
      'v13.0.0-rc.0':
        'refused: spec.rules[0].http.paths: Required value, spec.rules[0].http.port: Invalid value: "boolean": spec.rules[0].http.port in body must be of type integer,string: "boolean", spec.rules[1].tcp.backend.servicePort: Invalid value: "array": spec.rules[1].tcp.backend.servicePort in body must be of type integer,string: "array"',
    },
  },
  {
    name: "server lines from the endpoint Pods' annotations: maxconn and weight; an annotated weight 0 is written from v11.0.0",
    source:
      'getEndpoints Pod annotations backend-weight, max-connections: 5.0.0 pkg/ingress/parser.go:137-143, 10.0.0 (Weight 0 unless annotated; templates `if $e.Weight`), v11.0.0 parser.go:137 (Weight: -1; `if gt $e.Weight -1`), v12.0.0 parser.go:160-171',
    yaml:
      ingress(STICKY, `  rules:\n  - host: x.example.com\n    http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}`) +
      service('s1', ['10.1.0.1', '10.1.0.2', '10.1.0.3']) +
      `---
apiVersion: v1
kind: Pod
metadata: {name: s1-0, namespace: default, annotations: {ingress.appscode.com/backend-weight: '0', ingress.appscode.com/max-connections: '20'}}
---
apiVersion: v1
kind: Pod
metadata: {name: s1-1, namespace: default, annotations: {ingress.appscode.com/backend-weight: '5'}}
`,
    expect: {
      '10.0.0':
        'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 maxconn 20 cookie pod-s1-0\nserver pod-s1-1 10.1.0.2:8080 weight 5 cookie pod-s1-1\nserver pod-s1-2 10.1.0.3:8080 cookie pod-s1-2',
      'v11.0.0':
        'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 maxconn 20 weight 0 cookie pod-s1-0\nserver pod-s1-1 10.1.0.2:8080 weight 5 cookie pod-s1-1\nserver pod-s1-2 10.1.0.3:8080 cookie pod-s1-2',
    },
  },
  {
    name: 'renamed duplicates hash host-port-path until 7.2, address-host-port-path from 7.3 (443 for TLS hosts, http.port)',
    source:
      '7.2.0 pkg/haproxy/api/types.go canonicalize md5(host-port-path); 7.3.0 md5(address-host-port-path); v12.0.0 parser.go:473-478 (binder port 443 with TLS, else http.port)',
    yaml:
      ingress(
        '',
        `  tls: [{secretName: cert, hosts: [foo.example.com]}]
  rules:
  - host: foo.example.com
    http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}]}
  - host: bar.example.com
    http: {address: 10.0.0.5, port: 8080, paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) + service('s1', ['10.1.0.1']),
    expect: {
      // "http://8080" sorts before "https://443" (HTTPService.sortKey).
      '7.2.0':
        'backend s1.default:80-418908e80fb970a30c0f937c23211ffa\nserver pod-s1-0 10.1.0.1:8080\nbackend s1.default:80-5c3ac1c1a5f0dbe0f111f6ca1b7bf397\nserver pod-s1-0 10.1.0.1:8080',
      '7.3.0':
        'backend s1.default:80-e589093e8460a501acb7cd68dfda27a7\nserver pod-s1-0 10.1.0.1:8080\nbackend s1.default:80-9a882cfadd287b38b186070d20ae403a\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'a named servicePort: the Ingress is invalid before 9.0, the port is resolved from 9.0',
    source: '8.0.1 apis/voyager/v1beta1/validator.go (strconv.Atoi: IngressInvalid), parser.go:196-202; 9.0.0 parser.go getSpecifiedPort p.Name == port.StrVal',
    yaml:
      ingress('', `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: web}}]}`) +
      `---
apiVersion: v1
kind: Service
metadata: {name: s1, namespace: default}
spec: {ports: [{name: web, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: s1, namespace: default}
subsets: [{addresses: [{ip: 10.1.0.1}], ports: [{name: web, port: 8080}]}]
`,
    expect: { '8.0.1': 'no config: IngressInvalid', '9.0.0': 'backend s1.default:0\nserver pod-10.1.0.1 10.1.0.1:8080' },
  },
  {
    name: 'an int servicePort matching no port number matches a single unnamed port from 9.0',
    source:
      '8.0.1 parser.go:196-202 (p.Port only: service port unavailable, backend skipped); v12.0.0 parser.go:239-246 (p.Name == port.StrVal, "" for an int)',
    yaml: ingress('', `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 8080}}]}`) + service('s1', ['10.1.0.1']),
    expect: { '8.0.1': '', '9.0.0': 'backend s1.default:8080\nserver pod-s1-0 10.1.0.1:8080' },
  },
  {
    name: 'hostNames keeps only the endpoints with those hostnames',
    source: '3.2.0 parser.go:121, 164-175 and v12.0.0 parser.go:150, 226-236 (isForwardable)',
    yaml:
      ingress('', `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80, hostNames: [s1-1]}}]}`) +
      service('s1', ['10.1.0.1', '10.1.0.2']),
    expect: { '5.0.0': 'backend s1.default:80\nserver pod-s1-1 10.1.0.2:8080', 'v12.0.0': 'backend s1.default:80\nserver pod-s1-1 10.1.0.2:8080' },
  },
  {
    name: 'ssl-passthrough with only spec.backend: a TCP rule on :80 with source-IP stickiness',
    source: 'v12.0.0 parser.go:1090-1106 (convertRulesForSSLPassthrough appends a TCP rule, port 80, drops spec.backend)',
    yaml: ingress(`ingress.appscode.com/ssl-passthrough: 'true', ${STICKY}`, `  backend: {serviceName: s1, servicePort: 80}`) + service('s1', ['10.1.0.1']),
    expect: { 'v12.0.0': 'backend s1.default:80\nmode tcp\nstick-table type ip size 100k expire 30m\nstick on src\nserver pod-s1-0 10.1.0.1:8080' },
  },
  {
    name: 'ssl-passthrough refuses an HTTP rule with several paths',
    source: 'v12.0.0 parser.go:1060-1063 (len(rule.HTTP.Paths) != 1: error, no config)',
    yaml:
      ingress(
        `ingress.appscode.com/ssl-passthrough: 'true'`,
        `  rules:\n  - http: {paths: [{path: /a, backend: {serviceName: s1, servicePort: 80}}, {path: /b, backend: {serviceName: s1, servicePort: 80}}]}`,
      ) + service('s1', ['10.1.0.1']),
    expect: { 'v12.0.0': 'no config: HAProxyConfigFailed', '5.0.0': 'no config: HAProxyConfigCreateFailed' },
  },
  {
    name: 'two TCP rules on one address:port: invalid before 6.0, the last wins in 6.0.x, both from 7.0',
    source: '5.0.0 validator.go ("is reusing addr", IngressInvalid); 6.0.0 parser.go:551 (tcpServices[binder] = srv); 7.0.0-rc.0 parser.go tcpInfo.Hosts',
    yaml:
      ingress(
        '',
        `  rules:
  - host: a.example.com
    tcp: {port: 7000, backend: {serviceName: s1, servicePort: 80}}
  - host: b.example.com
    tcp: {port: 7000, backend: {serviceName: s2, servicePort: 80}}`,
      ) +
      service('s1', ['10.1.0.1']) +
      service('s2', ['10.2.0.1']),
    expect: {
      '5.0.0': 'no config: IngressInvalid',
      '6.0.0': 'backend s2.default:80\nmode tcp\nserver pod-s2-0 10.2.0.1:8080',
      // Hosts of one TCP frontend sort by name, descending (helper.go sort).
      '7.0.0': 'backend s2.default:80\nmode tcp\nserver pod-s2-0 10.2.0.1:8080\nbackend s1.default:80\nmode tcp\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'backend fields are spelled backendRule/rewriteRule/headerRule before 6.0, backendRules/... from 6.0',
    source: '5.0.0 apis/voyager/v1beta1/ingress.go json:"backendRule"; 6.0.0-rc.0 json:"backendRules"; templates/http-backend.cfg (rules, reqrep, set-header)',
    yaml:
      ingress(
        '',
        `  rules:
  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80, backendRule: ['acl old hdr(x) -m found'], backendRules: ['acl new hdr(y) -m found'], headerRule: ['X-Old 1'], headerRules: ['X-New 1']}}]}`,
      ) + service('s1', ['10.1.0.1']),
    expect: {
      '5.0.0': 'backend s1.default:80\nacl old hdr(x) -m found\nhttp-request set-header X-Old 1\nserver pod-s1-0 10.1.0.1:8080',
      '6.0.0-rc.0': 'backend s1.default:80\nacl new hdr(y) -m found\nhttp-request set-header X-New 1\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'ingress.kubernetes.io/rewrite-target is read before 6.0 only; the rule goes before rewriteRules',
    source:
      '5.0.0 apis/voyager/v1beta1/annotations.go getString (toIngressKey first), parser.go rewriteTarget; v12.0.0 annotations.go get[RewriteTarget] (ingress.appscode.com only)',
    yaml:
      ingress(`ingress.kubernetes.io/rewrite-target: /`, `  rules:\n  - http: {paths: [{path: /web, backend: {serviceName: s1, servicePort: 80}}]}`) +
      service('s1', ['10.1.0.1']),
    expect: {
      '5.0.0': 'backend s1.default:80\nreqrep ^([^\\ :]*)\\ /web/?(.*$) \\1\\ /\\2\nserver pod-s1-0 10.1.0.1:8080',
      '6.0.0-rc.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'loadBalanceOn and alpn reach the section from 9.0',
    source: '8.0.1 templates/http-backend.cfg (no balance, no alpn); 9.0.0 http-backend.cfg (balance, ALPNOptions after send-proxy)',
    yaml:
      ingress(STICKY, `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80, loadBalanceOn: leastconn, alpn: [h2, http/1.1]}}]}`) +
      service('s1', ['10.1.0.1']),
    expect: {
      '8.0.1': 'backend s1.default:80\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0',
      '9.0.0':
        'backend s1.default:80\nbalance leastconn\ncookie SERVERID insert indirect nocache\nserver pod-s1-0 10.1.0.1:8080 cookie pod-s1-0 alpn h2,http/1.1',
    },
  },
  {
    name: 'server options from Service annotations; agent-check from v11',
    source:
      '10.0.0 templates/http-backend.cfg (tls, check, send-proxy); v11.0.0 http-backend.cfg (agent-check agent-port before send-proxy); v12.0.0 parser.go:171-183',
    yaml:
      ingress('', `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}`) +
      service(
        's1',
        ['10.1.0.1'],
        `, annotations: {ingress.appscode.com/backend-tls: 'ssl verify none', ingress.appscode.com/check: 'true', ingress.appscode.com/check-port: '8081', ingress.appscode.com/send-proxy: v2, ingress.appscode.com/agent-port: '5555'}`,
      ),
    expect: {
      '10.0.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080 ssl verify none check port 8081 send-proxy-v2',
      'v12.0.0': 'backend s1.default:80\nserver pod-s1-0 10.1.0.1:8080 ssl verify none check port 8081 agent-check agent-port 5555 send-proxy-v2',
    },
  },
  {
    name: "the ACME challenge path's backend is written first",
    source: '5.0.0 pkg/haproxy/renderer.go moveAcmePathToTop; v12.0.0 helper.go:40, 179',
    yaml:
      ingress(
        '',
        `  rules:
  - host: web.example.com
    http: {paths: [{path: /, backend: {serviceName: s1, servicePort: 80}}]}
  - http: {paths: [{path: /.well-known/acme-challenge/, backend: {serviceName: acme, servicePort: 80}}]}`,
      ) +
      service('s1', ['10.1.0.1']) +
      service('acme', ['10.9.0.1']),
    expect: {
      '5.0.0': 'backend acme.default:80\nserver pod-acme-0 10.9.0.1:8080\nbackend s1.default:80\nserver pod-s1-0 10.1.0.1:8080',
      'v12.0.0': 'backend acme.default:80\nserver pod-acme-0 10.9.0.1:8080\nbackend s1.default:80\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'TCP servers keep the Endpoints order before 6.0 and are sorted by IP text from 6.0',
    source: '5.0.0 pkg/haproxy/renderer.go:58, 83 (Endpoints sorted for default and HTTP backends only); 6.0.0 types.go canonicalize (every backend)',
    yaml: ingress('', `  rules:\n  - tcp: {port: 5000, backend: {serviceName: s1, servicePort: 80}}`) + service('s1', ['10.0.0.7', '10.0.0.61']),
    expect: {
      '5.0.0': 'backend s1.default:80\nmode tcp\nserver pod-s1-0 10.0.0.7:8080\nserver pod-s1-1 10.0.0.61:8080',
      '6.0.0': 'backend s1.default:80\nmode tcp\nserver pod-s1-1 10.0.0.61:8080\nserver pod-s1-0 10.0.0.7:8080',
    },
  },
  {
    name: 'a missing basic-auth Secret: no config; present: auth lines in the default backend',
    source:
      'v12.0.0 parser.go:360-372 (Secrets Get error: return err); templates/default-backend.cfg (acl __auth_ok__, http-request auth; realm written only when empty)',
    yaml:
      ingress(`ingress.appscode.com/auth-type: basic, ingress.appscode.com/auth-secret: pass`, `  backend: {serviceName: s1, servicePort: 80}`) +
      service('s1', ['10.1.0.1']) +
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: default}\ndata: {auth: eA==}\n`,
    expect: { 'v12.0.0': 'no config: HAProxyConfigFailed', '5.0.0': 'no config: HAProxyConfigCreateFailed' },
  },
  {
    name: 'basic auth with its Secret: the default backend carries the user list',
    source: 'v12.0.0 parser.go:360-372, getBasicAuthUsers (list name SECRET-KEY); templates/default-backend.cfg',
    yaml:
      ingress(`ingress.appscode.com/auth-type: basic, ingress.appscode.com/auth-secret: pass`, `  backend: {serviceName: s1, servicePort: 80}`) +
      service('s1', ['10.1.0.1']) +
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: pass, namespace: default}\ndata: {auth: eA==}\n`,
    expect: {
      'v12.0.0': 'backend default-backend\nacl __auth_ok__ http_auth(pass-auth)\nhttp-request auth realm "" if !__auth_ok__\nserver pod-s1-0 10.1.0.1:8080',
    },
  },
  {
    name: 'an invalid externalIPs value: the operator fails on its own Service and writes no config',
    source: 'shared/operator c059 (ServiceReconcileFailed: spec.externalIPs[0]: Invalid value: "a.b.c.d") with v12.0.0 pkg/ingress/loadbalancer.go',
    yaml: ingress('', `  externalIPs: [a.b.c.d]\n  backend: {serviceName: s1, servicePort: 80}`) + service('s1', ['10.1.0.1']),
    expect: { 'v12.0.0': 'no config: ServiceReconcileFailed' },
  },
  {
    name: 'an ExternalName Service with use-dns-resolver proxies through a resolver',
    source: 'v12.0.0 parser.go:73-97 (DNSResolverForService; CheckHealth from nameservers), templates/http-backend.cfg:27-29',
    yaml:
      ingress('', `  rules:\n  - http: {paths: [{path: /, backend: {serviceName: ext, servicePort: 443}}]}`) +
      `---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default, annotations: {ingress.appscode.com/use-dns-resolver: 'true', ingress.appscode.com/dns-resolver-nameservers: '["8.8.8.8:53"]'}}
spec: {type: ExternalName, externalName: api.example.net}
`,
    expect: {
      '5.0.0': 'backend ext.default:443\nserver external api.example.net:443 check resolvers api.example.net resolve-prefer ipv4',
      'v12.0.0': 'backend ext.default:443\nserver external api.example.net:443 check resolvers api.example.net resolve-prefer ipv4',
    },
  },
];

for (const c of CASES) {
  for (const [version, expected] of Object.entries(c.expect)) {
    test(`${c.name} [${version}] (${c.source})`, () => {
      assert.equal(rendered(c.yaml, version), expected);
    });
  }
}

test('status follows what is written: a 5.0 Ingress with a missing Service has no sticky backend; from 6.0 the others stay sticky', () => {
  const yaml = CASES[0]?.yaml ?? '';
  assert.deepEqual(stickyItems(yaml, '5.0.0'), [false, false]);
  assert.deepEqual(stickyItems(yaml.replace(STICKY_OLD, STICKY), '6.0.0-rc.0'), [true, false]);
});

test('status follows what is written: a backend without endpoints is not sticky before 9.0 and is from 9.0', () => {
  const yaml = CASES[1]?.yaml ?? '';
  // Items in backendsOf order: default (empty), /a (empty), /b (s1).
  assert.deepEqual(stickyItems(yaml, '5.0.0'), [true, false, true]);
  assert.deepEqual(stickyItems(yaml, '8.0.1'), [false, false, true]);
  assert.deepEqual(stickyItems(yaml, '9.0.0'), [true, true, true]);
});

test('ssl-passthrough with only spec.backend: status says source-ip for the default backend', () => {
  const yaml = CASES.find((c) => c.name.startsWith('ssl-passthrough with only'))?.yaml ?? '';
  const status = computeStatus(objectsFrom(parseManifest(yaml, 'case'), 'default'), { profile: profile('v12.0.0'), source: 'flag', ingressClass: null });
  assert.equal(status.items[0]?.mode, 'source-ip');
  assert.equal(status.items[0]?.cookie, null);
});

test('status follows what is written: a backend whose Endpoints are absent is never sticky; 5.x has no sticky backend at all', () => {
  const yaml = CASES.find((c) => c.name.startsWith('an absent Endpoints object'))?.yaml ?? '';
  assert.deepEqual(stickyItems(yaml, '5.0.0'), [false, false]);
  assert.deepEqual(stickyItems(yaml, '6.0.0-rc.0'), [true, false]);
  assert.deepEqual(stickyItems(yaml, '9.0.0'), [true, false]);
  // The same Service with `subsets: []` is written from 9.0 on, and sticky.
  const empty = `${yaml}---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: noep, namespace: default}\nsubsets: []\n`;
  assert.deepEqual(stickyItems(empty, '9.0.0'), [true, true]);
  assert.equal(rendered(empty, '5.0.0').startsWith('backend '), true);
});

test("the semantics' basis: the version's own code up to v13.0.0-rc.0 (the newest public), that code assumed for every later release", () => {
  for (const version of ['5.0.0', 'v12.0.0', '13.0.0-rc.0', 'v13.0.0-rc.0']) assert.deepEqual(profile(version).basis.assumed, false, version);
  assert.equal(profile('v12.0.0').basis.code, 'v12.0.0');
  for (const version of ['v13.0.0', 'v13.0.1', 'v2021.09.15', 'v2026.3.23', 'v99.0.0']) {
    assert.deepEqual(profile(version).basis, { code: 'v13.0.0-rc.0', assumed: true }, version);
  }
});

test('the StickyStatus document says the same: assumedFrom only where the public code stands in for a closed-source release', () => {
  const none = objectsFrom([], 'default');
  const semantics = (version: string) => computeStatus(none, { profile: profile(version), source: 'flag', ingressClass: null }).semantics;
  for (const version of ['5.0.0', 'v12.0.0', 'v13.0.0-rc.0']) assert.equal('assumedFrom' in semantics(version), false, version);
  for (const version of ['v13.0.0', 'v2021.09.15', 'v2026.3.23']) assert.equal(semantics(version).assumedFrom, 'v13.0.0-rc.0', version);
});
