// Typed views of the Kubernetes objects the core reasons about, built defensively from
// untyped JSON: live objects and manifest files share this one entry point, so a manifest is
// judged exactly as the API server would store it.

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
  /** An explicit HAProxy backend name (Voyager's `backend.name`). */
  backendName: string | null;
}

export interface HttpPathSpec {
  path: string | null;
  backend: BackendRef;
}

export interface RuleSpec {
  host: string | null;
  http: { port: number | null; paths: HttpPathSpec[] } | null;
  tcp: { port: number | null; backend: BackendRef } | null;
}

export interface IngressView {
  apiVersion: string;
  flavor: IngressFlavor;
  meta: Meta;
  defaultBackend: BackendRef | null;
  rules: RuleSpec[];
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
  ports: ServicePortView[];
}

export interface EndpointAddress {
  ip: string;
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

export interface DeploymentView {
  meta: Meta;
  images: string[];
}

/** Everything the core may look at, whether it came from a cluster or from files. */
export interface ObjectSet {
  ingresses: IngressView[];
  services: ServiceView[];
  endpoints: EndpointsView[];
  configMaps: ConfigMapView[];
  deployments: DeploymentView[];
  issues: ReadIssue[];
}

export function emptyObjectSet(): ObjectSet {
  return { ingresses: [], services: [], endpoints: [], configMaps: [], deployments: [], issues: [] };
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
  return {
    name,
    namespace,
    annotations: stringMap(metadata['annotations'], label, 'annotation', issues),
    labels: stringMap(metadata['labels'], label, 'label', issues),
    resourceVersion: asString(metadata['resourceVersion']),
  };
}

function voyagerBackend(raw: unknown, version: 'v1beta1' | 'v1'): BackendRef | null {
  const backend = asObject(raw);
  const backendName = asString(backend['name']) || null;
  if (version === 'v1beta1') {
    const serviceName = asString(backend['serviceName']);
    const servicePort = asIntOrString(backend['servicePort']);
    if (!serviceName || servicePort === null) return null;
    return { serviceName, servicePort, backendName };
  }
  const service = asObject(backend['service']);
  const serviceName = asString(service['name']);
  const port = asObject(service['port']);
  const servicePort = asIntOrString(port['number']) ?? asIntOrString(port['name']);
  if (!serviceName || servicePort === null) return null;
  return { serviceName, servicePort, backendName };
}

function networkingBackend(raw: unknown, apiVersion: string): BackendRef | null {
  const backend = asObject(raw);
  if (apiVersion === 'networking.k8s.io/v1') return voyagerBackend(backend, 'v1');
  return voyagerBackend(backend, 'v1beta1');
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
      http = { port: withTcp ? asPort(httpRule['port']) : null, paths };
    } else if (withTcp && isObject(rule['tcp'])) {
      const tcpRule = rule['tcp'];
      const backend = toBackend(tcpRule['backend']);
      if (backend) tcp = { port: asPort(tcpRule['port']), backend };
    }
    return { host, http, tcp };
  });
}

export const VOYAGER_GROUP = 'voyager.appscode.com';
const NETWORKING_VERSIONS = ['networking.k8s.io/v1', 'networking.k8s.io/v1beta1', 'extensions/v1beta1'];

function readIngress(raw: JsonObject, apiVersion: string, fallbackNamespace: string, issues: ReadIssue[]): IngressView | null {
  const isVoyager = apiVersion.startsWith(`${VOYAGER_GROUP}/`);
  const meta = readMeta(raw, 'ingress', fallbackNamespace, issues);
  if (!meta) return null;
  const spec = asObject(raw['spec']);
  if (isVoyager) {
    const version = apiVersion === `${VOYAGER_GROUP}/v1` ? 'v1' : 'v1beta1';
    const toBackend = (b: unknown) => voyagerBackend(b, version);
    const defaultBackend = toBackend(version === 'v1' ? spec['defaultBackend'] : spec['backend']);
    return { apiVersion, flavor: 'voyager', meta, defaultBackend, rules: readRules(spec, toBackend, true) };
  }
  const toBackend = (b: unknown) => networkingBackend(b, apiVersion);
  const defaultBackend = toBackend(apiVersion === 'networking.k8s.io/v1' ? spec['defaultBackend'] : spec['backend']);
  return { apiVersion, flavor: 'networking', meta, defaultBackend, rules: readRules(spec, toBackend, false) };
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
  return {
    meta,
    type: asString(spec['type']) ?? 'ClusterIP',
    externalName: asString(spec['externalName']),
    sessionAffinity: asString(spec['sessionAffinity']),
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
    out.push({ ip, podName: asString(ref['kind']) === 'Pod' ? asString(ref['name']) : null });
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
    for (const ip of asArray(endpoint['addresses'])) {
      if (typeof ip === 'string' && ip) addresses.push({ ip, podName });
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
    case 'Deployment': {
      const deployment = readDeployment(raw, fallbackNamespace, issues);
      if (deployment) set.deployments.push(deployment);
      return;
    }
    default:
      return;
  }
}

export function objectsFrom(raws: readonly unknown[], fallbackNamespace: string): ObjectSet {
  const set = emptyObjectSet();
  for (const raw of raws) addObject(set, raw, fallbackNamespace);
  return set;
}
