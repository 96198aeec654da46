// A small reader of the targets' own semantics: what stickiness the produced objects give each
// backend, read back from the objects (not remembered from writing them), so that the conversion
// report compares Voyager's effective state with what the target will really do. Pure.

import { backendLabel } from './backends.ts';
import { COOKIE_PERSISTENCE, FROM_KEY, GATEWAY_GROUP, hostKey, pathKey } from './convert.ts';
import type { StatusItem } from './effective.ts';
import type { Json, JsonObject } from './objects.ts';

export type TargetSticky = { mode: 'cookie'; name: string } | { mode: 'source-ip' } | null;

/** One backend as the target serves it. */
export interface TargetBackend {
  namespace: string;
  /** The Voyager Ingress the object was converted from. */
  ingress: string;
  kind: 'http' | 'tcp';
  host: string;
  path: string;
  /** The listener's port, when the Gateway is among the objects. */
  port: number | null;
  service: { namespace: string; name: string };
  sticky: TargetSticky;
}

function obj(value: Json | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function arr(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function str(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

interface Named {
  kind: string;
  namespace: string;
  name: string;
  from: string;
  spec: JsonObject;
  annotations: JsonObject;
}

function named(object: JsonObject): Named {
  const meta = obj(object['metadata']);
  const annotations = obj(meta['annotations']);
  return {
    kind: str(object['kind']),
    namespace: str(meta['namespace']),
    name: str(meta['name']),
    from: str(annotations[FROM_KEY]),
    spec: obj(object['spec']),
    annotations,
  };
}

/** Envoy Gateway's BackendTrafficPolicy load balancer on a route, as stickiness. */
function policySticky(policies: readonly Named[], namespace: string, kind: string, name: string): TargetSticky {
  for (const policy of policies) {
    if (policy.namespace !== namespace) continue;
    const targets = arr(policy.spec['targetRefs']).map(obj);
    if (!targets.some((t) => str(t['kind']) === kind && str(t['name']) === name && str(t['group']) === GATEWAY_GROUP)) continue;
    const balancer = obj(policy.spec['loadBalancer']);
    const hash = obj(balancer['consistentHash']);
    if (str(balancer['type']) !== 'ConsistentHash') continue;
    if (str(hash['type']) === 'SourceIP') return { mode: 'source-ip' };
    if (str(hash['type']) === 'Cookie') return { mode: 'cookie', name: str(obj(hash['cookie'])['name']) };
  }
  return null;
}

function refService(ref: JsonObject, namespace: string): { namespace: string; name: string } {
  return { namespace: str(ref['namespace']) || namespace, name: str(ref['name']) };
}

function listenerPort(gateways: readonly Named[], route: Named): number | null {
  const parent = obj(arr(route.spec['parentRefs'])[0]);
  const gateway = gateways.find((g) => g.name === str(parent['name']) && g.namespace === (str(parent['namespace']) || route.namespace));
  const listener = arr(gateway?.spec['listeners'])
    .map(obj)
    .find((l) => str(l['name']) === str(parent['sectionName']));
  return typeof listener?.['port'] === 'number' ? listener['port'] : null;
}

function httpRouteBackends(route: Named, policies: readonly Named[]): TargetBackend[] {
  const out: TargetBackend[] = [];
  const hosts = arr(route.spec['hostnames']).map(str);
  const routePolicy = policySticky(policies, route.namespace, 'HTTPRoute', route.name);
  for (const rule of arr(route.spec['rules']).map(obj)) {
    const persistence = obj(rule['sessionPersistence']);
    // type defaults to Cookie; with no sessionName the gateway names the cookie itself.
    const ruleSticky: TargetSticky =
      rule['sessionPersistence'] !== undefined && (str(persistence['type']) || 'Cookie') === 'Cookie'
        ? { mode: 'cookie', name: str(persistence['sessionName']) }
        : null;
    const paths = arr(rule['matches']).map((m) => str(obj(obj(m)['path'])['value']) || '/');
    for (const host of hosts.length > 0 ? hosts : ['']) {
      for (const path of paths.length > 0 ? paths : ['/']) {
        for (const ref of arr(rule['backendRefs']).map(obj)) {
          out.push({
            namespace: route.namespace,
            ingress: route.from,
            kind: 'http',
            host: hostKey(host),
            path,
            port: null,
            service: refService(ref, route.namespace),
            sticky: ruleSticky ?? routePolicy,
          });
        }
      }
    }
  }
  return out;
}

/** TCPRoute and TLSRoute (passthrough): backends stuck only by a policy. */
function tcpRouteBackends(route: Named, policies: readonly Named[], gateways: readonly Named[]): TargetBackend[] {
  const sticky = policySticky(policies, route.namespace, route.kind, route.name);
  const port = listenerPort(gateways, route);
  return arr(route.spec['rules'])
    .map(obj)
    .flatMap((rule) => arr(rule['backendRefs']).map(obj))
    .map((ref) => ({
      namespace: route.namespace,
      ingress: route.from,
      kind: 'tcp',
      host: '',
      path: '',
      port,
      service: refService(ref, route.namespace),
      sticky,
    }));
}

/** haproxytech: the Service's cookie-persistence wins over the Ingress's (measured, platform notes). */
function ingressBackends(ingress: Named, services: readonly Named[]): TargetBackend[] {
  const own = str(ingress.annotations[COOKIE_PERSISTENCE]);
  const row = (host: string, path: string, backend: JsonObject): TargetBackend => {
    const name = str(obj(backend['service'])['name']);
    const service = services.find((s) => s.namespace === ingress.namespace && s.name === name);
    const cookie = str(service?.annotations[COOKIE_PERSISTENCE]) || own;
    return {
      namespace: ingress.namespace,
      ingress: ingress.from,
      kind: 'http',
      host: hostKey(host),
      path,
      port: null,
      service: { namespace: ingress.namespace, name },
      sticky: cookie === '' ? null : { mode: 'cookie', name: cookie },
    };
  };
  const out: TargetBackend[] = [];
  if (ingress.spec['defaultBackend'] !== undefined) out.push(row('', '/', obj(ingress.spec['defaultBackend'])));
  for (const rule of arr(ingress.spec['rules']).map(obj)) {
    for (const path of arr(obj(rule['http'])['paths']).map(obj)) out.push(row(str(rule['host']), str(path['path']) || '/', obj(path['backend'])));
  }
  return out;
}

/** Every backend the objects serve, with the stickiness the target gives it. */
export function readBack(objects: readonly JsonObject[]): TargetBackend[] {
  const all = objects.map(named);
  const policies = all.filter((o) => o.kind === 'BackendTrafficPolicy');
  const gateways = all.filter((o) => o.kind === 'Gateway');
  const services = all.filter((o) => o.kind === 'Service');
  return all.flatMap((o) => {
    if (o.kind === 'HTTPRoute') return httpRouteBackends(o, policies);
    if (o.kind === 'TCPRoute' || o.kind === 'TLSRoute') return tcpRouteBackends(o, policies, gateways);
    if (o.kind === 'Ingress') return ingressBackends(o, services);
    return [];
  });
}

/** The target's backend that stands for this Voyager backend, if the conversion kept it. */
export function counterpart(item: StatusItem, backends: readonly TargetBackend[]): TargetBackend | null {
  const tcp = item.backend.type === 'tcp';
  return (
    backends.find(
      (b) =>
        b.namespace === item.ingress.namespace &&
        b.ingress === item.ingress.name &&
        b.service.namespace === item.service.namespace &&
        b.service.name === item.service.name &&
        (tcp || b.kind === 'tcp'
          ? // ssl-passthrough makes an HTTP rule (no port of its own) a TCP one on its frontend port.
            b.kind === 'tcp' && (b.port === null || item.backend.port === null || b.port === item.backend.port)
          : b.host === hostKey(item.backend.type === 'default' ? null : item.backend.host) && b.path === pathKey(item.backend.path)),
    ) ?? null
  );
}

export function stickyText(sticky: TargetSticky | Pick<StatusItem, 'sticky' | 'mode' | 'cookie'>): string {
  if (sticky === null) return 'no';
  if ('sticky' in sticky) {
    if (sticky.sticky === null) return 'unknown';
    if (!sticky.sticky) return 'no';
    return sticky.mode === 'cookie' ? `cookie ${sticky.cookie?.name ?? ''}` : 'source-ip';
  }
  return sticky.mode === 'cookie' ? `cookie ${sticky.name}` : 'source-ip';
}

/** One line of the conversion report: Voyager's effective state beside the target's. */
export interface ReportRow {
  ingress: string;
  backend: string;
  service: string;
  voyager: string;
  target: string;
  kept: boolean;
}

export function conversionReport(items: readonly StatusItem[], objects: readonly JsonObject[]): ReportRow[] {
  const backends = readBack(objects);
  return items.map((item) => {
    const found = counterpart(item, backends);
    const voyager = stickyText(item);
    const target = found ? stickyText(found.sticky) : 'not converted';
    return {
      ingress: `${item.ingress.namespace}/${item.ingress.name}`,
      backend: backendLabel(item.backend),
      service: `${item.service.name}:${item.service.port}`,
      voyager,
      target,
      kept: found !== null && voyager === target,
    };
  });
}
