// status --watch's store: the objects status judges, kept from the lists and the events, with
// what each Ingress refers to, so a change says which Ingresses to judge again. No I/O.

import { backendsOf, serviceKey } from '../core/backends.ts';
import { configMapName } from '../core/drift.ts';
import {
  isObject,
  objectsFrom,
  type ConfigMapView,
  type EndpointsView,
  type IngressView,
  type JsonObject,
  type ObjectSet,
  type ReadIssue,
  type ServiceView,
} from '../core/objects.ts';
import { CONFIGMAPS, ENDPOINTS, SERVICES, type ResourceType } from '../kube/api.ts';

type Kind = 'ingress' | 'service' | 'endpoints' | 'configmap';

export function kindOf(type: ResourceType): Kind | null {
  if (type.plural === 'ingresses') return 'ingress';
  const same = (other: ResourceType) => type.group === other.group && type.plural === other.plural;
  if (same(SERVICES)) return 'service';
  if (same(ENDPOINTS)) return 'endpoints';
  if (same(CONFIGMAPS)) return 'configmap';
  return null;
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function nameOf(raw: JsonObject): { namespace: string; name: string; resourceVersion: string } {
  const metadata = isObject(raw['metadata']) ? raw['metadata'] : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { namespace: text(metadata['namespace']), name: text(metadata['name']), resourceVersion: text(metadata['resourceVersion']) };
}

/** An Ingress by the `apiVersion/namespace/name` its rows carry. */
export function ingressKey(ingress: { apiVersion: string; namespace: string; name: string }): string {
  return `${ingress.apiVersion}/${ingress.namespace}/${ingress.name}`;
}

const viewKey = (view: IngressView) => ingressKey({ apiVersion: view.apiVersion, namespace: view.meta.namespace, name: view.meta.name });

/**
 * The objects status judges, by kind and `namespace/name`, with what each Ingress refers to:
 * a change says which Ingresses to judge again. No I/O: objects in, Ingress keys out.
 */
export class ObjectStore {
  private readonly ingresses = new Map<string, IngressView>();
  private readonly services = new Map<string, ServiceView>();
  private readonly endpoints = new Map<string, EndpointsView>();
  private readonly configMaps = new Map<string, ConfigMapView>();
  /** What reading an object found wrong with it (objects.ts ReadIssue), by kind and name. */
  private readonly issues = new Map<string, ReadIssue[]>();
  /** Ingress keys by the `namespace/name` of a Service they name, and of their ConfigMap. */
  private readonly users = new Map<string, Set<string>>();
  private readonly configUsers = new Map<string, Set<string>>();
  /** Where a missing Endpoints object is known to be absent (ObjectSet.endpointsRead): the watched lists, kept current. */
  private endpointsRead: string[] = [];
  private readonly fallbackNamespace: string;
  /** Read once, not watched: operator Deployments (the semantics) and Events. */
  private readonly fixed: Pick<ObjectSet, 'deployments' | 'events'>;

  constructor(fallbackNamespace: string, fixed: Pick<ObjectSet, 'deployments' | 'events'>) {
    this.fallbackNamespace = fallbackNamespace;
    this.fixed = fixed;
  }

  /** The objects as gathered at the start (read once already: not read again). */
  seed(objects: ObjectSet): void {
    for (const view of objects.ingresses) this.remember(view);
    for (const view of objects.services) this.services.set(serviceKey(view.meta.namespace, view.meta.name), view);
    for (const view of objects.endpoints) if (view.source === 'endpoints') this.endpoints.set(serviceKey(view.namespace, view.serviceName), view);
    for (const view of objects.configMaps) this.configMaps.set(serviceKey(view.meta.namespace, view.meta.name), view);
    this.endpointsRead = objects.endpointsRead;
  }

  /** An object of `type` added or changed (`raw`) or deleted (`raw` null); the Ingresses it touches. */
  apply(type: ResourceType, key: { namespace: string; name: string }, raw: JsonObject | null): Set<string> {
    const kind = kindOf(type);
    if (kind === null) return new Set();
    const read = raw ? objectsFrom([raw], this.fallbackNamespace) : null;
    const issueKey = `${kind}/${key.namespace}/${key.name}`;
    if (read && read.issues.length > 0) this.issues.set(issueKey, read.issues);
    else this.issues.delete(issueKey);
    const nsName = serviceKey(key.namespace, key.name);
    switch (kind) {
      case 'ingress': {
        const at = ingressKey({ apiVersion: apiVersionOf(type), ...key });
        const old = this.ingresses.get(at);
        if (old) this.forget(old);
        const view = read?.ingresses[0];
        if (view) this.remember(view);
        return new Set([at]);
      }
      case 'service': {
        const view = read?.services[0];
        if (view) this.services.set(nsName, view);
        else this.services.delete(nsName);
        return new Set(this.users.get(nsName));
      }
      case 'endpoints': {
        const view = read?.endpoints[0];
        if (view) this.endpoints.set(nsName, view);
        else this.endpoints.delete(nsName);
        return new Set(this.users.get(nsName));
      }
      case 'configmap': {
        const view = read?.configMaps[0];
        if (view) this.configMaps.set(nsName, view);
        else this.configMaps.delete(nsName);
        return new Set(this.configUsers.get(nsName));
      }
    }
  }

  private remember(view: IngressView): void {
    const key = viewKey(view);
    this.ingresses.set(key, view);
    for (const [index, at] of this.referencesOf(view)) {
      const set = index.get(at) ?? new Set<string>();
      index.set(at, set);
      set.add(key);
    }
  }

  private forget(view: IngressView): void {
    const key = viewKey(view);
    this.ingresses.delete(key);
    for (const [index, at] of this.referencesOf(view)) {
      const set = index.get(at);
      set?.delete(key);
      if (set?.size === 0) index.delete(at);
    }
  }

  private referencesOf(view: IngressView): [Map<string, Set<string>>, string][] {
    return [
      ...backendsOf(view).map((b): [Map<string, Set<string>>, string] => [this.users, serviceKey(b.service.namespace, b.service.name)]),
      [this.configUsers, serviceKey(view.meta.namespace, configMapName(view.meta.name))],
    ];
  }

  /** Every Ingress kept. */
  ingressKeys(): string[] {
    return [...this.ingresses.keys()];
  }

  /** The namespaces of the Services an Ingress names. */
  serviceNamespaces(key: string): string[] {
    const view = this.ingresses.get(key);
    return view ? [...new Set(backendsOf(view).map((b) => b.service.namespace))] : [];
  }

  /** The Ingresses that name a Service in a namespace. */
  usersIn(namespace: string): string[] {
    return [...this.users].filter(([at]) => at.startsWith(`${namespace}/`)).flatMap(([, keys]) => [...keys]);
  }

  /** The objects that decide these Ingresses' rows, as the core takes them. */
  objectsFor(keys: Iterable<string>): ObjectSet {
    const ingresses = [...keys].flatMap((k) => this.ingresses.get(k) ?? []);
    // Only the Services and Endpoints their backends name: the core looks those up by name and
    // reads no others. Every Service, copied and indexed again at each change, made a watch's
    // RSS grow by ~10 MiB a minute under one change a second (bench, full scale).
    const named = new Set(ingresses.flatMap((i) => backendsOf(i).map((b) => serviceKey(b.service.namespace, b.service.name))));
    const services = [...named].flatMap((k) => this.services.get(k) ?? []);
    const endpoints = [...named].flatMap((k) => this.endpoints.get(k) ?? []);
    const configMaps = ingresses.flatMap((i) => this.configMaps.get(serviceKey(i.meta.namespace, configMapName(i.meta.name))) ?? []);
    const issues = [...this.issues.values()].flat();
    return {
      ingresses,
      services,
      endpoints,
      endpointsRead: this.endpointsRead,
      configMaps,
      // status, which watches, reads no Pods (their annotations only change server lines).
      pods: [],
      ...this.fixed,
      secrets: null,
      issues,
    };
  }
}
