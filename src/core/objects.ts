// Typed views of the Kubernetes objects the core reasons about, built defensively from
// untyped JSON: live objects and manifest files share this one entry point, so a manifest is
// judged exactly as the API server would store it.

import { schemaErrors } from './crd.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Meta {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  resourceVersion: string | null;
}

/** A problem found while reading an object, reported as a warning rather than a failure. */
export interface ReadIssue {
  object: string;
  message: string;
}

export type IngressFlavor = 'voyager' | 'networking';

/** A backend reference exactly as written in an Ingress. */
export interface BackendRef {
  /** Voyager's `serviceName` (`name` or `name.namespace`), or the standard Ingress's service name. */
  serviceName: string;
  /** The port as written: a number as a decimal string, or a port name. */
  servicePort: string;
  /** Written as a number (Go's intstr Int), not as a string: decides which Service port matches. */
  servicePortIsInt: boolean;
  /** An explicit HAProxy backend name (Voyager's `backend.name`). */
  backendName: string | null;
  /** Options of the backend as written; which spelling a version reads is decided in parse.ts. */
  options: BackendOptions;
}

/** Voyager's per-backend fields beside the service reference (empty for a standard Ingress). */
export interface BackendOptions {
  /** `backendRules`, `rewriteRules`, `headerRules` (6.0 and later spell them so). */
  backendRules: string[];
  rewriteRules: string[];
  headerRules: string[];
  /** `backendRule`, `rewriteRule`, `headerRule`: the spelling before 6.0. */
  backendRule: string[];
  rewriteRule: string[];
  headerRule: string[];
  hostNames: string[];
  alpn: string[];
  proto: string;
  loadBalanceOn: string;
}

export function noBackendOptions(): BackendOptions {
  return {
    backendRules: [],
    rewriteRules: [],
    headerRules: [],
    backendRule: [],
    rewriteRule: [],
    headerRule: [],
    hostNames: [],
    alpn: [],
    proto: '',
    loadBalanceOn: '',
  };
}

export interface HttpPathSpec {
  path: string | null;
  backend: BackendRef;
}

export interface RuleSpec {
  host: string | null;
  http: { port: number | null; address: string; noTLS: boolean; alpn: string[]; proto: string; paths: HttpPathSpec[] } | null;
  tcp: { port: number | null; address: string; noTLS: boolean; backend: BackendRef } | null;
}

export interface TlsSpec {
  hosts: string[];
  /** spec.tls[].secretName, or ref.name. */
  secretName: string;
}

/** spec.frontendRules[] as far as the operator must read Secrets for it: the auth of one frontend port. */
export interface FrontendRuleSpec {
  /** Go's intstr IntValue(): a port name counts as 0. */
  port: number;
  /** auth.basic.secretName ('' when auth.basic has none); null without auth.basic. */
  basicSecret: string | null;
  /** auth.tls.secretName, likewise. */
  tlsSecret: string | null;
}

export interface IngressView {
  apiVersion: string;
  flavor: IngressFlavor;
  meta: Meta;
  defaultBackend: BackendRef | null;
  rules: RuleSpec[];
  tls: TlsSpec[];
  /** spec.externalIPs of a Voyager Ingress (copied to the Service the operator creates). */
  externalIPs: string[];
  /** spec.frontendRules of a Voyager Ingress (a standard Ingress has none). */
  frontendRules: FrontendRuleSpec[];
  /** What a Voyager CRD with a full schema refuses in it (crd.ts); empty for a standard Ingress. */
  schemaErrors: string[];
}

export interface ServicePortView {
  name: string | null;
  port: number;
  targetPort: number | string | null;
  protocol: string;
}

export interface ServiceView {
  meta: Meta;
  type: string;
  externalName: string | null;
  sessionAffinity: string | null;
  /** spec.selector names at least one label: the endpoints controller then keeps its Endpoints object. */
  selector: boolean;
  ports: ServicePortView[];
}

export interface EndpointAddress {
  ip: string;
  hostname: string | null;
  /** Pod name from the address's targetRef, when it points at a Pod. */
  podName: string | null;
}

export interface EndpointPort {
  name: string | null;
  port: number;
}

/** Endpoints and EndpointSlices both become this: a set of subsets of addresses x ports. */
export interface EndpointsView {
  /** Where the addresses came from: Voyager reads Endpoints; slices stand in when only they exist. */
  source: 'endpoints' | 'endpointslice';
  namespace: string;
  serviceName: string;
  subsets: { addresses: EndpointAddress[]; ports: EndpointPort[] }[];
}

export interface ConfigMapView {
  meta: Meta;
  data: Record<string, string>;
}

/** An Event recorded on an object (core/v1), as far as the core compares it with its prediction. */
export interface EventView {
  namespace: string;
  involved: { kind: string; name: string };
  type: string;
  reason: string;
  message: string;
  /** lastTimestamp, else eventTime, else firstTimestamp ('' when none): RFC 3339 text sorts by time. */
  time: string;
  count: number;
}

/** A Secret by name and the keys of its data; values are never read. */
export interface SecretView {
  meta: Meta;
  keys: string[];
  /** false when only its name was read (live: a metadata-only list): `keys` is then empty. */
  keysKnown: boolean;
}

/** A Pod as far as Voyager's server lines read it: its annotations (backend-weight, max-connections). */
export interface PodView {
  meta: Meta;
}

export interface DeploymentView {
  meta: Meta;
  images: string[];
}

/** Everything the core may look at, whether it came from a cluster or from files. */
export interface ObjectSet {
  ingresses: IngressView[];
  services: ServiceView[];
  endpoints: EndpointsView[];
  /**
   * Where a Service without an Endpoints object is known to have none (the operator's look-up of it
   * fails), not merely unread: namespaces whose Endpoints were listed whole ('*': all namespaces)
   * and `namespace/name` of Services whose Endpoints were asked for by name. Files: see
   * endpointsKnownFromFiles.
   */
  endpointsRead: string[];
  configMaps: ConfigMapView[];
  /** The endpoint Pods of backends, where read (render; files): their annotations go on server lines. */
  pods: PodView[];
  deployments: DeploymentView[];
  /** null when Secrets were not read (live: their names are not asked for). */
  secrets: SecretView[] | null;
  events: EventView[];
  issues: ReadIssue[];
}

export function emptyObjectSet(): ObjectSet {
  return { ingresses: [], services: [], endpoints: [], endpointsRead: [], configMaps: [], pods: [], deployments: [], secrets: [], events: [], issues: [] };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** An int-or-string field as written, as a string ("80", "http"). */
function asIntOrString(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  return null;
}

function asPort(value: unknown): number | null {
  const text = asIntOrString(value);
  if (text === null || !/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port >= 0 && port <= 65535 ? port : null;
}

export function objectLabel(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function stringMap(value: unknown, label: string, field: string, issues: ReadIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(asObject(value))) {
    if (typeof raw === 'string') out[key] = raw;
    else
      issues.push({
        object: label,
        message: `${field} "${key}" has a ${raw === null ? 'null' : typeof raw} value, not a string: the API server rejects this object, so it counts for nothing here (quote the value)`,
      });
  }
  return out;
}

/**
 * Reads metadata; null when the object has no name, or when the API server would refuse it
 * (a non-string annotation or label value): the operator never sees such an object.
 */
function readMeta(raw: JsonObject, kind: string, fallbackNamespace: string, issues: ReadIssue[]): Meta | null {
  const metadata = asObject(raw['metadata']);
  const name = asString(metadata['name']);
  if (name === null || name === '') {
    issues.push({ object: `${kind}/<unnamed>`, message: 'has no metadata.name; skipped' });
    return null;
  }
  const namespace = asString(metadata['namespace']) || fallbackNamespace;
  const label = objectLabel(kind, namespace, name);
  if ('annotation' in metadata) {
    issues.push({
      object: label,
      message:
        'metadata.annotation (singular) is not a Kubernetes field: kubectl apply rejects it (strict field validation), and with --validate=false the API server drops it, so none of its keys take effect. Did you mean metadata.annotations?',
    });
  }
  const before = issues.length;
  const annotations = stringMap(metadata['annotations'], label, 'annotation', issues);
  const labels = stringMap(metadata['labels'], label, 'label', issues);
  if (issues.length > before) return null;
  return { name, namespace, annotations, labels, resourceVersion: asString(metadata['resourceVersion']) };
}

function stringList(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string');
}

/** Which version of voyager.appscode.com an Ingress is written in: the two spell backends and TLS differently. */
type VoyagerApi = 'v1beta1' | 'v1';

function readOptions(backend: JsonObject, api: VoyagerApi): BackendOptions {
  // v1 never had the spellings from before 6.0 (v1IngressFields reports them).
  const singular = (key: string) => (api === 'v1' ? [] : stringList(backend[key]));
  return {
    backendRules: stringList(backend['backendRules']),
    rewriteRules: stringList(backend['rewriteRules']),
    headerRules: stringList(backend['headerRules']),
    backendRule: singular('backendRule'),
    rewriteRule: singular('rewriteRule'),
    headerRule: singular('headerRule'),
    hostNames: stringList(backend['hostNames']),
    alpn: stringList(backend['alpn']),
    proto: asString(backend['proto']) ?? '',
    loadBalanceOn: asString(backend['loadBalanceOn']) ?? '',
  };
}

function voyagerBackend(raw: unknown, api: VoyagerApi): BackendRef | null {
  const backend = asObject(raw);
  const backendName = asString(backend['name']) || null;
  if (api === 'v1beta1') {
    const serviceName = asString(backend['serviceName']);
    const servicePort = asIntOrString(backend['servicePort']);
    if (!serviceName || servicePort === null) return null;
    return { serviceName, servicePort, servicePortIsInt: typeof backend['servicePort'] === 'number', backendName, options: readOptions(backend, api) };
  }
  // v1: service {name, port {name | number}} (networking's IngressServiceBackend). A port name
  // wins over a number, as the only public code that reads both decides (apimachinery v0.12.0
  // apis/voyager/v1beta1/conversion.go:142-146), and no port at all is the number 0 (Go's zero
  // value) there; number is an int32 in the schema.
  const service = asObject(backend['service']);
  const serviceName = asString(service['name']);
  const port = asObject(service['port']);
  const portName = asString(port['name']) || null;
  const number = port['number'] ?? 0;
  const portNumber = typeof number === 'number' && Number.isInteger(number) ? String(number) : null;
  const servicePort = portName ?? portNumber;
  if (!serviceName || servicePort === null) return null;
  return { serviceName, servicePort, servicePortIsInt: portName === null, backendName, options: readOptions(backend, api) };
}

function networkingBackend(raw: unknown, apiVersion: string): BackendRef | null {
  // A standard Ingress has no Voyager backend fields (its schema prunes them).
  if (apiVersion !== 'networking.k8s.io/v1') {
    const backend = voyagerBackend(raw, 'v1beta1');
    return backend && { ...backend, backendName: null, options: noBackendOptions() };
  }
  const service = asObject(asObject(raw)['service']);
  const serviceName = asString(service['name']);
  const port = asObject(service['port']);
  const servicePort = asIntOrString(port['number']) ?? asIntOrString(port['name']);
  if (!serviceName || servicePort === null) return null;
  return { serviceName, servicePort, servicePortIsInt: asIntOrString(port['number']) !== null, backendName: null, options: noBackendOptions() };
}

function readRules(spec: JsonObject, toBackend: (raw: unknown) => BackendRef | null, withTcp: boolean): RuleSpec[] {
  return asArray(spec['rules']).map((rawRule): RuleSpec => {
    const rule = asObject(rawRule);
    const host = asString(rule['host']) || null;
    let http: RuleSpec['http'] = null;
    let tcp: RuleSpec['tcp'] = null;
    if (isObject(rule['http'])) {
      const httpRule = rule['http'];
      const paths: HttpPathSpec[] = [];
      for (const rawPath of asArray(httpRule['paths'])) {
        const pathSpec = asObject(rawPath);
        const backend = toBackend(pathSpec['backend']);
        if (backend) paths.push({ path: asString(pathSpec['path']) || null, backend });
      }
      http = {
        port: withTcp ? asPort(httpRule['port']) : null,
        address: withTcp ? (asString(httpRule['address']) ?? '') : '',
        noTLS: httpRule['noTLS'] === true,
        alpn: stringList(httpRule['alpn']),
        proto: asString(httpRule['proto']) ?? '',
        paths,
      };
    } else if (withTcp && isObject(rule['tcp'])) {
      const tcpRule = rule['tcp'];
      const backend = toBackend(tcpRule['backend']);
      if (backend) tcp = { port: asPort(tcpRule['port']), address: asString(tcpRule['address']) ?? '', noTLS: tcpRule['noTLS'] === true, backend };
    }
    return { host, http, tcp };
  });
}

function readFrontendRules(spec: JsonObject): FrontendRuleSpec[] {
  return asArray(spec['frontendRules']).map((raw) => {
    const rule = asObject(raw);
    const auth = asObject(rule['auth']);
    const secretOf = (key: string) => (isObject(auth[key]) ? (asString(auth[key]['secretName']) ?? '') : null);
    return { port: asPort(rule['port']) ?? 0, basicSecret: secretOf('basic'), tlsSecret: secretOf('tls') };
  });
}

function readTls(spec: JsonObject, api: VoyagerApi | null): TlsSpec[] {
  return asArray(spec['tls']).map((raw) => {
    const tls = asObject(raw);
    // v1's IngressTLS has no ref (apimachinery v0.12.0 apis/voyager/v1/ingress.go:191-203).
    const ref = api === 'v1' ? null : asString(asObject(tls['ref'])['name']);
    return { hosts: stringList(tls['hosts']), secretName: asString(tls['secretName']) || ref || '' };
  });
}

/** Fields of v1beta1 (or of networking.k8s.io) that a v1 object may carry by mistake, and what v1 has instead. */
const NOT_V1: Readonly<Record<string, string>> = {
  serviceName: 'service.name',
  servicePort: 'service.port.number or service.port.name',
  backendRule: 'backendRules',
  rewriteRule: 'backendRules',
  headerRule: 'backendRules',
};

/**
 * The fields of a voyager.appscode.com/v1 spec that v1 does not have (apimachinery v0.12.0
 * apis/voyager/v1/ingress.go:69-188 IngressSpec, :191 IngressTLS, :336 HTTPIngressPath, :352
 * IngressBackend), each with v1's spelling: its CRD's structural schema prunes them, and kubectl's
 * strict field validation refuses the object.
 */
function v1IngressFields(spec: JsonObject): string[] {
  const out: string[] = [];
  const backendAt = (raw: unknown, path: string) => {
    const backend = asObject(raw);
    for (const [key, instead] of Object.entries(NOT_V1)) if (key in backend) out.push(`${path}.${key} (v1: ${instead})`);
  };
  if ('backend' in spec) out.push('spec.backend (v1: spec.defaultBackend)');
  backendAt(spec['defaultBackend'], 'spec.defaultBackend');
  for (const [r, rawRule] of asArray(spec['rules']).entries()) {
    const rule = asObject(rawRule);
    for (const [p, rawPath] of asArray(asObject(rule['http'])['paths']).entries()) {
      const path = asObject(rawPath);
      if ('pathType' in path) out.push(`spec.rules[${r}].http.paths[${p}].pathType (v1: none, a path is a prefix)`);
      backendAt(path['backend'], `spec.rules[${r}].http.paths[${p}].backend`);
    }
    backendAt(asObject(rule['tcp'])['backend'], `spec.rules[${r}].tcp.backend`);
  }
  for (const [t, rawTls] of asArray(spec['tls']).entries()) if ('ref' in asObject(rawTls)) out.push(`spec.tls[${t}].ref (v1: secretName)`);
  return out;
}

export const VOYAGER_GROUP = 'voyager.appscode.com';
const LEGACY_GROUP = 'appscode.com';
const NETWORKING_VERSIONS = ['networking.k8s.io/v1', 'networking.k8s.io/v1beta1', 'extensions/v1beta1'];

function readIngress(raw: JsonObject, apiVersion: string, fallbackNamespace: string, issues: ReadIssue[]): IngressView | null {
  const isVoyager = apiVersion.startsWith(`${VOYAGER_GROUP}/`);
  const meta = readMeta(raw, 'ingress', fallbackNamespace, issues);
  if (!meta) return null;
  const spec = asObject(raw['spec']);
  if (isVoyager) {
    const version: VoyagerApi = apiVersion === `${VOYAGER_GROUP}/v1` ? 'v1' : 'v1beta1';
    const toBackend = (b: unknown) => voyagerBackend(b, version);
    const defaultBackend = toBackend(version === 'v1' ? spec['defaultBackend'] : spec['backend']);
    const label = objectLabel('ingress', meta.namespace, meta.name);
    const strays = version === 'v1' ? v1IngressFields(spec) : [];
    if (strays.length > 0) {
      issues.push({
        object: label,
        message: `${strays.join(', ')} ${strays.length === 1 ? 'is not a field' : 'are not fields'} of ${apiVersion}: kubectl apply rejects this Ingress (strict field validation), and with --validate=false the API server drops ${strays.length === 1 ? 'it' : 'them'}, so ${strays.length === 1 ? 'it counts' : 'they count'} for nothing here`,
      });
    }
    const listed = asArray(spec['rules']).findIndex((rule) => Array.isArray(asObject(rule)['tcp']));
    if (listed >= 0) {
      // Real operators never saw such an Ingress: the CRD's schema refuses it (shared/operator c131).
      issues.push({
        object: label,
        message: `spec.rules[${listed}].tcp is a list, but Voyager's tcp is one object {port, backend}: the API server rejects this Ingress, so it counts for nothing here (write one rule per TCP port)`,
      });
      return null;
    }
    return {
      apiVersion,
      flavor: 'voyager',
      meta,
      defaultBackend,
      rules: readRules(spec, toBackend, true),
      tls: readTls(spec, version),
      externalIPs: stringList(spec['externalIPs']),
      frontendRules: readFrontendRules(spec),
      schemaErrors: schemaErrors(raw['spec'], version),
    };
  }
  const toBackend = (b: unknown) => networkingBackend(b, apiVersion);
  const defaultBackend = toBackend(apiVersion === 'networking.k8s.io/v1' ? spec['defaultBackend'] : spec['backend']);
  return {
    apiVersion,
    flavor: 'networking',
    meta,
    defaultBackend,
    rules: readRules(spec, toBackend, false),
    tls: readTls(spec, null),
    externalIPs: [],
    frontendRules: [],
    schemaErrors: [],
  };
}

function readService(raw: JsonObject, fallbackNamespace: string, issues: ReadIssue[]): ServiceView | null {
  const meta = readMeta(raw, 'service', fallbackNamespace, issues);
  if (!meta) return null;
  const spec = asObject(raw['spec']);
  const ports: ServicePortView[] = [];
  for (const rawPort of asArray(spec['ports'])) {
    const port = asObject(rawPort);
    const number = asPort(port['port']);
    if (number === null) continue;
    const target = port['targetPort'];
    ports.push({
      name: asString(port['name']) || null,
      port: number,
      targetPort: typeof target === 'number' ? target : asString(target),
      protocol: asString(port['protocol']) ?? 'TCP',
    });
  }
  if (ports.length > 1 && ports.some((port) => port.name === null)) {
    issues.push({
      object: objectLabel('service', meta.namespace, meta.name),
      message:
        'has several ports and not every one is named: the API server rejects this Service (spec.ports[].name is required when there is more than one port), so it counts for nothing here',
    });
    return null;
  }
  return {
    meta,
    type: asString(spec['type']) ?? 'ClusterIP',
    externalName: asString(spec['externalName']),
    sessionAffinity: asString(spec['sessionAffinity']),
    selector: Object.keys(asObject(spec['selector'])).length > 0,
    ports,
  };
}

function readAddresses(list: unknown): EndpointAddress[] {
  const out: EndpointAddress[] = [];
  for (const rawAddress of asArray(list)) {
    const address = asObject(rawAddress);
    const ip = asString(address['ip']);
    if (!ip) continue;
    const ref = asObject(address['targetRef']);
    out.push({ ip, hostname: asString(address['hostname']) || null, podName: asString(ref['kind']) === 'Pod' ? asString(ref['name']) : null });
  }
  return out;
}

function readEndpointPorts(list: unknown): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const rawPort of asArray(list)) {
    const port = asObject(rawPort);
    const number = asPort(port['port']);
    if (number !== null) out.push({ name: asString(port['name']) || null, port: number });
  }
  return out;
}

function readEndpoints(raw: JsonObject, fallbackNamespace: string): EndpointsView | null {
  const metadata = asObject(raw['metadata']);
  const name = asString(metadata['name']);
  if (!name) return null;
  const subsets = asArray(raw['subsets']).map((rawSubset) => {
    const subset = asObject(rawSubset);
    return { addresses: readAddresses(subset['addresses']), ports: readEndpointPorts(subset['ports']) };
  });
  return { source: 'endpoints', namespace: asString(metadata['namespace']) || fallbackNamespace, serviceName: name, subsets };
}

function readEndpointSlice(raw: JsonObject, fallbackNamespace: string): EndpointsView | null {
  const metadata = asObject(raw['metadata']);
  const serviceName = asString(asObject(metadata['labels'])['kubernetes.io/service-name']);
  if (!serviceName) return null;
  const addresses: EndpointAddress[] = [];
  for (const rawEndpoint of asArray(raw['endpoints'])) {
    const endpoint = asObject(rawEndpoint);
    if (asObject(endpoint['conditions'])['ready'] === false) continue;
    const ref = asObject(endpoint['targetRef']);
    const podName = asString(ref['kind']) === 'Pod' ? asString(ref['name']) : null;
    const hostname = asString(endpoint['hostname']) || null;
    for (const ip of asArray(endpoint['addresses'])) {
      if (typeof ip === 'string' && ip) addresses.push({ ip, hostname, podName });
    }
  }
  return {
    source: 'endpointslice',
    namespace: asString(metadata['namespace']) || fallbackNamespace,
    serviceName,
    subsets: [{ addresses, ports: readEndpointPorts(raw['ports']) }],
  };
}

function readDeployment(raw: JsonObject, fallbackNamespace: string, issues: ReadIssue[]): DeploymentView | null {
  const meta = readMeta(raw, 'deployment', fallbackNamespace, issues);
  if (!meta) return null;
  const podSpec = asObject(asObject(asObject(raw['spec'])['template'])['spec']);
  const images = asArray(podSpec['containers'])
    .map((c) => asString(asObject(c)['image']))
    .filter((image): image is string => image !== null);
  return { meta, images };
}

/**
 * Adds one object (any kind) to the set. Kinds the core does not use are ignored; `List` kinds
 * are flattened. `fallbackNamespace` stands in for a missing metadata.namespace, as kubectl's
 * -n does for manifests.
 */
export function addObject(set: ObjectSet, raw: unknown, fallbackNamespace: string): void {
  if (!isObject(raw)) return;
  const kind = asString(raw['kind']) ?? '';
  const apiVersion = asString(raw['apiVersion']) ?? '';
  if (kind.endsWith('List') && Array.isArray(raw['items'])) {
    for (const item of raw['items']) addObject(set, item, fallbackNamespace);
    return;
  }
  const issues = set.issues;
  switch (kind) {
    case 'Ingress': {
      if (apiVersion.startsWith(`${LEGACY_GROUP}/`)) {
        const name = asString(asObject(raw['metadata'])['name']) ?? '<unnamed>';
        issues.push({
          object: `ingress/${name}`,
          message: `${apiVersion} is the API group of Voyager before 3.0, which no operator since serves: this Ingress is not read; its group is now ${VOYAGER_GROUP}/v1beta1 (rename apiVersion)`,
        });
        return;
      }
      if (!apiVersion.startsWith(`${VOYAGER_GROUP}/`) && !NETWORKING_VERSIONS.includes(apiVersion)) return;
      const ingress = readIngress(raw, apiVersion, fallbackNamespace, issues);
      if (ingress) set.ingresses.push(ingress);
      return;
    }
    case 'Service': {
      const service = readService(raw, fallbackNamespace, issues);
      if (service) set.services.push(service);
      return;
    }
    case 'Endpoints': {
      const endpoints = readEndpoints(raw, fallbackNamespace);
      if (endpoints) set.endpoints.push(endpoints);
      return;
    }
    case 'EndpointSlice': {
      const slice = readEndpointSlice(raw, fallbackNamespace);
      if (slice) set.endpoints.push(slice);
      return;
    }
    case 'ConfigMap': {
      const meta = readMeta(raw, 'configmap', fallbackNamespace, issues);
      if (meta) set.configMaps.push({ meta, data: stringMap(raw['data'], objectLabel('configmap', meta.namespace, meta.name), 'data key', []) });
      return;
    }
    case 'Secret': {
      const meta = readMeta(raw, 'secret', fallbackNamespace, issues);
      if (meta && set.secrets)
        set.secrets.push({ meta, keys: [...Object.keys(asObject(raw['data'])), ...Object.keys(asObject(raw['stringData']))], keysKnown: true });
      return;
    }
    case 'Event': {
      const metadata = asObject(raw['metadata']);
      const involved = asObject(raw['involvedObject']);
      set.events.push({
        namespace: asString(involved['namespace']) || asString(metadata['namespace']) || fallbackNamespace,
        involved: { kind: asString(involved['kind']) ?? '', name: asString(involved['name']) ?? '' },
        type: asString(raw['type']) ?? '',
        reason: asString(raw['reason']) ?? '',
        message: asString(raw['message']) ?? '',
        time: asString(raw['lastTimestamp']) || asString(raw['eventTime']) || asString(raw['firstTimestamp']) || '',
        count: typeof raw['count'] === 'number' ? raw['count'] : 1,
      });
      return;
    }
    case 'Pod': {
      const meta = readMeta(raw, 'pod', fallbackNamespace, issues);
      if (meta) set.pods.push({ meta });
      return;
    }
    case 'Deployment': {
      const deployment = readDeployment(raw, fallbackNamespace, issues);
      if (deployment) set.deployments.push(deployment);
      return;
    }
    default:
      return;
  }
}

// ---- projection: what the readers above take from an object, and nothing else ----

/**
 * Which fields of a raw object the readers above look at: `true` keeps a value whole, an object
 * keeps only its keys (recursively), a one-element array applies its shape to every element.
 * A value of another JSON type than the shape expects is kept whole: the readers judge it.
 */
type Shape = true | { readonly [key: string]: Shape } | readonly [Shape];

const META: Shape = { name: true, namespace: true, annotation: true, annotations: true, labels: true, resourceVersion: true };
const BACKEND: Shape = {
  name: true,
  serviceName: true,
  servicePort: true,
  service: { name: true, port: { number: true, name: true } },
  ...Object.fromEntries(Object.keys(noBackendOptions()).map((key) => [key, true] as const)),
};
const PORT: Shape = [{ port: true, name: true }];
const TARGET_REF: Shape = { kind: true, name: true };
const SHAPES: Readonly<Record<string, Shape>> = {
  Ingress: {
    metadata: META,
    spec: {
      backend: BACKEND,
      defaultBackend: BACKEND,
      rules: [
        {
          host: true,
          http: { port: true, address: true, noTLS: true, alpn: true, proto: true, paths: [{ path: true, pathType: true, backend: BACKEND }] },
          tcp: { port: true, address: true, noTLS: true, backend: BACKEND },
        },
      ],
      tls: [{ hosts: true, secretName: true, ref: { name: true } }],
      externalIPs: true,
      frontendRules: [{ port: true, rules: true, auth: { basic: { secretName: true, realm: true }, tls: { secretName: true } } }],
      configVolumes: true,
    },
  },
  Service: {
    metadata: META,
    spec: { type: true, externalName: true, sessionAffinity: true, selector: true, ports: [{ port: true, name: true, targetPort: true, protocol: true }] },
  },
  Endpoints: {
    metadata: { name: true, namespace: true },
    subsets: [{ addresses: [{ ip: true, hostname: true, targetRef: TARGET_REF }], ports: PORT }],
  },
  EndpointSlice: {
    metadata: { namespace: true, labels: { 'kubernetes.io/service-name': true } },
    endpoints: [{ conditions: { ready: true }, targetRef: TARGET_REF, hostname: true, addresses: true }],
    ports: PORT,
  },
  ConfigMap: { metadata: META, data: true },
  Secret: { metadata: META, data: true, stringData: true },
  Event: {
    metadata: { namespace: true },
    involvedObject: { namespace: true, kind: true, name: true },
    type: true,
    reason: true,
    message: true,
    lastTimestamp: true,
    eventTime: true,
    firstTimestamp: true,
    count: true,
  },
  Deployment: { metadata: META, spec: { template: { spec: { containers: [{ image: true }] } } } },
  Pod: { metadata: META },
};

/** A shape with its keys listed once (not per object: Object.entries of a shape cost most of a projection). */
type Compiled = { keep: true } | { each: Compiled } | { fields: readonly (readonly [string, Compiled])[] };

function compile(shape: Shape): Compiled {
  if (shape === true) return { keep: true };
  if (Array.isArray(shape)) return { each: compile(shape[0] as Shape) };
  return { fields: Object.entries(shape).map(([key, inner]) => [key, compile(inner)] as const) };
}

const COMPILED: ReadonlyMap<string, Compiled> = new Map(Object.entries(SHAPES).map(([kind, shape]) => [kind, compile(shape)]));

function pick(value: Json, shape: Compiled): Json {
  if ('keep' in shape) return value;
  if ('each' in shape) return Array.isArray(value) ? value.map((item) => pick(item, shape.each)) : value;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  // Own keys only, whatever their value: `'annotation' in metadata` is a reader's test too.
  for (const [key, inner] of shape.fields) if (Object.hasOwn(value, key)) out[key] = pick(value[key] as Json, inner);
  return out;
}

/**
 * An object with only the fields objectsFrom reads (kind and apiVersion, and per kind the fields
 * of its reader above), so that objectsFrom of the projections equals objectsFrom of the objects.
 * A live list keeps these instead of whole objects: managedFields, status and the rest are most of
 * an object's size (bench: peak RSS of `status -A`).
 */
export function coreFields(raw: JsonObject): JsonObject {
  const kind = asString(raw['kind']) ?? '';
  const out: JsonObject = {};
  for (const key of ['kind', 'apiVersion']) if (Object.hasOwn(raw, key)) out[key] = raw[key] as Json;
  const items = raw['items'];
  if (kind.endsWith('List') && Array.isArray(items)) {
    out['items'] = items.map((item) => (isObject(item) ? coreFields(item) : item));
    return out;
  }
  const shape = COMPILED.get(kind);
  return shape ? { ...out, ...(pick(raw, shape) as JsonObject) } : out;
}

/**
 * Objects read from files. An object met again (same kind, namespace and name) replaces the
 * earlier one, as `kubectl apply -f` of the same files leaves only the last.
 */
export function objectsFrom(raws: readonly unknown[], fallbackNamespace: string): ObjectSet {
  const set = emptyObjectSet();
  for (const raw of raws) addObject(set, raw, fallbackNamespace);
  const lastWins = <T>(list: T[], key: (item: T) => string): T[] => {
    const byKey = new Map<string, T>();
    for (const item of list) {
      const k = key(item);
      byKey.delete(k);
      byKey.set(k, item);
    }
    return [...byKey.values()];
  };
  const metaKey = (m: Meta) => `${m.namespace}/${m.name}`;
  set.ingresses = lastWins(set.ingresses, (i) => `${i.flavor}/${metaKey(i.meta)}`);
  set.services = lastWins(set.services, (s) => metaKey(s.meta));
  // EndpointSlices are many per Service by design: only Endpoints objects are deduplicated.
  let slice = 0;
  set.endpoints = lastWins(set.endpoints, (e) => (e.source === 'endpoints' ? `${e.namespace}/${e.serviceName}` : `slice ${slice++}`));
  set.configMaps = lastWins(set.configMaps, (c) => metaKey(c.meta));
  set.deployments = lastWins(set.deployments, (d) => metaKey(d.meta));
  set.pods = lastWins(set.pods, (p) => metaKey(p.meta));
  if (set.secrets) set.secrets = lastWins(set.secrets, (s) => metaKey(s.meta));
  return set;
}

/**
 * Where files tell that a Service has no Endpoints object: a namespace whose files hold Endpoints
 * objects is a snapshot of it (as every shared/operator dataset case is), so there a Service
 * without one has none, whatever its selector; elsewhere (the usual folder of manifests) the
 * endpoints controller creates an Endpoints object, contents unknown, for every Service with a
 * selector, and nobody for one without (its Endpoints are managed by hand).
 */
export function endpointsKnownFromFiles(objects: ObjectSet): string[] {
  const snapshots = [...new Set(objects.endpoints.filter((e) => e.source === 'endpoints').map((e) => e.namespace))].sort();
  const selectorless = objects.services
    .filter((s) => !s.selector && s.type !== 'ExternalName' && !snapshots.includes(s.meta.namespace))
    .map((s) => `${s.meta.namespace}/${s.meta.name}`);
  return [...snapshots, ...selectorless];
}
