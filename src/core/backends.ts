// An Ingress's backends in the order Voyager writes them: the default backend first, then
// rules and paths as written.

import { isObject, type BackendRef, type EndpointsView, type IngressView, type JsonObject, type ServiceView } from './objects.ts';
import { KEY } from './semantics.ts';

export type BackendType = 'http' | 'tcp' | 'default';

export interface Backend {
  type: BackendType;
  host: string | null;
  path: string | null;
  /** TCP rule port, or an HTTP rule's explicit port. */
  port: number | null;
  ref: BackendRef;
  /** The Service this backend points at, after Voyager's `name.namespace` rule. */
  service: { namespace: string; name: string };
}

/** `s1.other` means Service s1 in namespace other: everything after the FIRST dot is the namespace. */
export function resolveServiceName(serviceName: string, ingressNamespace: string): { namespace: string; name: string } {
  const dot = serviceName.indexOf('.');
  if (dot < 0) return { namespace: ingressNamespace, name: serviceName };
  return { name: serviceName.slice(0, dot), namespace: serviceName.slice(dot + 1) };
}

export function backendsOf(ingress: IngressView): Backend[] {
  const namespace = ingress.meta.namespace;
  const make = (type: BackendType, host: string | null, path: string | null, port: number | null, ref: BackendRef): Backend => ({
    type,
    host,
    path,
    port,
    ref,
    service: resolveServiceName(ref.serviceName, namespace),
  });
  const out: Backend[] = [];
  if (ingress.defaultBackend) out.push(make('default', null, null, null, ingress.defaultBackend));
  for (const rule of ingress.rules) {
    if (rule.http) {
      for (const path of rule.http.paths) out.push(make('http', rule.host, path.path, rule.http.port, path.backend));
    } else if (rule.tcp) {
      out.push(make('tcp', rule.host, null, rule.tcp.port, rule.tcp.backend));
    }
  }
  return out;
}

/** How the backend is shown in a table: `foo.bar.com/path`, `tcp.bar.com:9898`, `(default)`. */
export function backendLabel(backend: Pick<Backend, 'type' | 'host' | 'path' | 'port'>): string {
  if (backend.type === 'default') return '(default)';
  const host = backend.host ?? '*';
  const port = backend.port === null ? '' : `:${backend.port}`;
  if (backend.type === 'tcp') return `${host}${port}`;
  return `${host}${port}${backend.path ?? ''}`;
}

/**
 * Whether the operator handles this Ingress, as Voyager's ShouldHandleIngress decides: its own
 * Ingresses always; a standard Ingress when its class annotation is `voyager` or equals the
 * operator's --ingress-class (unset: "", so no annotation matches too).
 */
export function handledByVoyager(ingress: IngressView, ingressClass: string | null): boolean {
  if (ingress.flavor === 'voyager') return true;
  const annotated = ingress.meta.annotations[KEY.ingressClass] ?? '';
  return annotated === 'voyager' || annotated === (ingressClass ?? '');
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export interface ServiceRef {
  namespace: string;
  name: string;
}

/** The Ingresses with a backend that points at one of the Services (after the `name.namespace` rule). */
export function ingressesUsing(ingresses: readonly IngressView[], services: readonly ServiceRef[]): IngressView[] {
  const wanted = new Set(services.map((s) => serviceKey(s.namespace, s.name)));
  return ingresses.filter((ingress) => backendsOf(ingress).some((b) => wanted.has(serviceKey(b.service.namespace, b.service.name))));
}

/**
 * A cheap test on an Ingress as read, before it is read into a view (which costs ten times more
 * across a cluster's Ingresses): false only when no backend of it can point at one of these
 * Services. A backend names Service NAME of namespace NS as `NAME.NS`, or as `NAME` from an
 * Ingress in NS, and names need no JSON escape (canExist), so the Ingress's JSON text then holds
 * `"NAME.NS"`, or `"NAME"` in NS. Without a namespace (not as listed) any `"NAME"` or `"NAME.`
 * counts. JSON.stringify, not a walk of the spec: native code beats a walk that a one-shot run
 * never gets to optimise.
 */
export function mayUse(raw: JsonObject, services: readonly ServiceRef[]): boolean {
  const text = JSON.stringify(raw['spec'] ?? null);
  const metadata = raw['metadata'];
  const namespace = isObject(metadata) && typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null;
  return services.some(({ namespace: ns, name }) =>
    namespace === null
      ? text.includes(`"${name}"`) || text.includes(`"${name}.`)
      : text.includes(`"${name}.${ns}"`) || (namespace === ns && text.includes(`"${name}"`)),
  );
}

/**
 * Every Service the backends of these Ingresses point at, once each, in order of first use:
 * what the operator's parse of them reads (it fails or skips an Ingress on any broken backend).
 */
export function servicesNeeded(ingresses: readonly IngressView[]): ServiceRef[] {
  const out = new Map<string, ServiceRef>();
  for (const ingress of ingresses) {
    for (const { service } of backendsOf(ingress)) out.set(serviceKey(service.namespace, service.name), service);
  }
  return [...out.values()];
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Whether a Service of this name can exist: the API server takes only DNS-1035 label names in
 * DNS-1123 label namespaces. A backend naming anything else (`s1.a.b`, `S1`, an empty name)
 * points at nothing, so nothing is asked for it.
 */
export function canExist(ref: ServiceRef): boolean {
  return DNS_1035_LABEL.test(ref.name) && DNS_1123_LABEL.test(ref.namespace);
}

// Indexes are memoised per list: rendering every Ingress of a cluster asks for the same ones
// thousands of times, and rebuilding them made `status -A -o wide` quadratic.
const serviceIndexes = new WeakMap<readonly ServiceView[], Map<string, ServiceView>>();
const endpointIndexes = new WeakMap<readonly EndpointsView[], Map<string, EndpointsView[]>>();

export function indexServices(services: readonly ServiceView[]): Map<string, ServiceView> {
  let index = serviceIndexes.get(services);
  if (!index) {
    index = new Map(services.map((s) => [serviceKey(s.meta.namespace, s.meta.name), s]));
    serviceIndexes.set(services, index);
  }
  return index;
}

/** Endpoints and EndpointSlices by the `namespace/name` of their Service. */
export function indexEndpoints(endpoints: readonly EndpointsView[]): Map<string, EndpointsView[]> {
  let index = endpointIndexes.get(endpoints);
  if (!index) {
    index = new Map();
    for (const e of endpoints) {
      const key = serviceKey(e.namespace, e.serviceName);
      const list = index.get(key);
      if (list) list.push(e);
      else index.set(key, [e]);
    }
    endpointIndexes.set(endpoints, index);
  }
  return index;
}
