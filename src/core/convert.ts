// Voyager Ingresses as another controller's objects, stickiness carried over from the EFFECTIVE
// state (effective.ts analyse) and the operator's parse (parse.ts), never from the annotations:
// a backend is sticky in the output exactly when Voyager really makes it sticky. What a target
// cannot express is a warning naming the object, the backend and what is lost. Pure.

import { backendLabel, indexServices, serviceKey } from './backends.ts';
import { analyse, type StatusItem, type StatusOptions, type StickyStatus, type Warning } from './effective.ts';
import { objectLabel, type IngressView, type Json, type JsonObject, type ObjectSet, type ServiceView } from './objects.ts';
import type { ConvertTarget } from './convert-targets.ts';
import type { IngressConfig, TemplateBackend } from './parse.ts';

export { TARGETS, type ConvertTarget } from './convert-targets.ts';

export interface ConvertOptions {
  target: ConvertTarget;
  gatewayClass: string;
  /** An existing Gateway the routes attach to instead of one Gateway per Ingress. */
  gateway: { namespace: string | null; name: string } | null;
  /** spec.ingressClassName of the haproxy-ingress output. */
  ingressClassName: string;
}

/** One Ingress as analyse() judged it: its status items in backendsOf order and its parse. */
export interface JudgedIngress {
  ingress: IngressView;
  items: readonly StatusItem[];
  config: IngressConfig;
}

/** analyse() of the objects, its items grouped by the Ingress they belong to, with its parse. */
export function judgeIngresses(objects: ObjectSet, options: StatusOptions): { status: StickyStatus; judged: JudgedIngress[] } {
  const { status, configs } = analyse(objects, options);
  const judged = [...configs].map(([ingress, config]) => ({
    ingress,
    config,
    items: status.items.filter(
      (i) => i.ingress.apiVersion === ingress.apiVersion && i.ingress.namespace === ingress.meta.namespace && i.ingress.name === ingress.meta.name,
    ),
  }));
  return { status, judged };
}

export interface Conversion {
  objects: JsonObject[];
  warnings: Warning[];
}

/** Where produced objects say which Ingress they stand for (the reader of the report uses it). */
export const FROM_KEY = 'kubectl-sticky/converted-from';
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const COOKIE_PERSISTENCE = 'haproxy.org/cookie-persistence';
const ENVOY_POLICY = 'gateway.envoyproxy.io/v1alpha1';
const MAX_RULES = 16;
const SESSION_NAME_MAX = 128;

const TARGET_NAME: Record<ConvertTarget, string> = {
  'gateway-api': 'the Gateway API',
  'envoy-gateway': 'Envoy Gateway',
  'haproxy-ingress': "HAProxy's Kubernetes Ingress Controller",
};

/** One backend section Voyager writes, with its effective state and the Service it points at. */
export interface Section {
  judged: JudgedIngress;
  backend: TemplateBackend;
  item: StatusItem;
  service: ServiceView | null;
  /** The numeric Service port (a named servicePort resolved on the Service), null when unknown. */
  port: number | null;
  /** The rule's host as matched: lower case, '' for every host. */
  host: string;
  /** The path prefix, '/' when none. */
  path: string;
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The host as a target matches it: trimmed, lower case, '' for Voyager's empty or `*` host. */
export function hostKey(host: string | null): string {
  const trimmed = (host ?? '').trim().toLowerCase();
  return trimmed === '*' ? '' : trimmed;
}

export function pathKey(path: string | null): string {
  return path === null || path === '' ? '/' : path;
}

/** A DNS-1123 label from free text, for object and listener names. */
export function slug(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 63).replace(/-+$/, '') || 'x';
}

/** A DNS-1123 subdomain name from parts, cut to the API server's 253 characters. */
export function objectName(...parts: string[]): string {
  return parts.map(slug).join('-').slice(0, 253).replace(/-+$/, '');
}

function servicePort(service: ServiceView | null, written: string): number | null {
  if (/^\d+$/.test(written)) return Number(written);
  return service?.ports.find((p) => p.name === written)?.port ?? null;
}

function ingressObject(ingress: IngressView): string {
  return objectLabel('ingress', ingress.meta.namespace, ingress.meta.name);
}

/** What is said about a backend of an Ingress: "backend B (service NS/NAME)". */
export function backendWhere(item: StatusItem): string {
  return `backend ${backendLabel(item.backend)} (service ${item.service.namespace}/${item.service.name})`;
}

/** The sections Voyager writes for the Ingresses, in haproxy.cfg's order; warnings for what it does not write. */
export function sectionsOf(judged: readonly JudgedIngress[], services: readonly ServiceView[], warnings: Warning[]): Section[] {
  const index = indexServices(services);
  const out: Section[] = [];
  for (const one of judged) {
    const object = ingressObject(one.ingress);
    if (!one.config.written) {
      warnings.push({ object, message: `not converted: Voyager writes no haproxy.cfg for it (${one.config.failure.event}: ${one.config.failure.message})` });
      continue;
    }
    for (const skipped of one.config.skipped) {
      const item = one.items[skipped.item];
      if (item) warnings.push({ object, message: `${backendWhere(item)} not converted: Voyager leaves it out of haproxy.cfg (${skipped.reason})` });
    }
    for (const backend of one.config.backends) {
      const item = one.items[backend.item];
      if (!item) continue;
      const service = index.get(serviceKey(backend.service.namespace, backend.service.name)) ?? null;
      out.push({
        judged: one,
        backend,
        item,
        service,
        port: servicePort(service, backend.service.port),
        host: hostKey(backend.host),
        path: pathKey(backend.path),
      });
    }
  }
  return out;
}

/** What no target here expresses, one warning per lost thing (stickiness aside). */
function commonLosses(section: Section, target: ConvertTarget): Warning[] {
  const { backend, item } = section;
  const object = ingressObject(section.judged.ingress);
  const where = backendWhere(item);
  const to = TARGET_NAME[target];
  const out: Warning[] = [];
  const lost = (what: string) => out.push({ object, message: `${where}: ${what} is lost: ${to} has no equivalent` });
  for (const line of backend.backendRules) lost(`the backendRules line "${line}"`);
  for (const line of backend.headerRules) lost(`the headerRules line "${line}"`);
  for (const line of backend.rewriteRules) lost(`the rewrite line "reqrep ${line}"`);
  if (backend.balance !== '') lost(`"balance ${backend.balance}"`);
  if (backend.basicAuth) lost('basic auth');
  if (backend.proto !== '' || backend.alpn !== '')
    lost(`the server options "${[backend.proto && `proto ${backend.proto}`, backend.alpn].filter(Boolean).join(' ')}"`);
  if (backend.service.externalName !== null)
    out.push({
      object,
      message: `${where}: ExternalName Service (${backend.service.externalName}): Voyager's redirect or DNS-resolver proxying is lost, and ${to} may refuse or not resolve an ExternalName backend`,
    });
  if (item.mode === 'cookie' && item.cookie?.hash) lost(`session-cookie-hash ${item.cookie.hash} (cookie values are the target's own)`);
  if (section.port === null) out.push({ object, message: `${where}: service port ${backend.service.port} is not a port of the Service: not converted` });
  return out;
}

/** Warnings for what the target loses of this section; `stickyHere` says whether the target keeps its stickiness. */
export function lossesOf(section: Section, target: ConvertTarget, stickyHere: boolean): Warning[] {
  const out = commonLosses(section, target);
  const { item } = section;
  if (item.sticky && !stickyHere) {
    const what = item.mode === 'cookie' ? `cookie stickiness (${item.cookie?.name ?? ''})` : 'source-IP stickiness (stick on src)';
    out.push({
      object: ingressObject(section.judged.ingress),
      message: `${backendWhere(item)}: ${what} is lost: ${TARGET_NAME[target]} cannot express it here`,
    });
  }
  return out;
}

export function stamp(kind: string, apiVersion: string, name: string, namespace: string, from: IngressView, spec: JsonObject): JsonObject {
  return { apiVersion, kind, metadata: { name, namespace, annotations: { [FROM_KEY]: from.meta.name } }, spec };
}

export function convert(judged: readonly JudgedIngress[], services: readonly ServiceView[], options: ConvertOptions): Conversion {
  const warnings: Warning[] = [];
  const sections = sectionsOf(judged, services, warnings);
  const objects = options.target === 'haproxy-ingress' ? haproxyIngresses(sections, options, warnings) : gatewayObjects(sections, options, warnings);
  return { objects, warnings };
}

// ---- Gateway API and Envoy Gateway ----

interface Listener {
  name: string;
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  port: number;
  hostname: string;
  secret: string | null;
}

function tlsSecret(ingress: IngressView, host: string): string | null {
  return ingress.tls.find((tls) => tls.hosts.some((h) => h.toLowerCase() === host || h.toLowerCase() === `*.${host}`))?.secretName ?? null;
}

/** The listener a section is served on, added to `listeners` when new. */
function listenerOf(section: Section, listeners: Listener[]): Listener {
  const { backend } = section;
  const port = backend.frontendPort ?? 80;
  const protocol = backend.type === 'tcp' ? (passthroughHost(section) ? 'TLS' : 'TCP') : backend.type === 'http' && backend.offloadSSL ? 'HTTPS' : 'HTTP';
  const hostname = protocol === 'HTTPS' || protocol === 'TLS' ? section.host : '';
  const found = listeners.find((l) => l.protocol === protocol && l.port === port && l.hostname === hostname);
  if (found) return found;
  const secret = protocol === 'HTTPS' ? tlsSecret(section.judged.ingress, section.host) : null;
  const name =
    protocol === 'HTTPS' || protocol === 'TLS'
      ? `${protocol.toLowerCase()}-${port}-${listeners.filter((l) => l.protocol === protocol && l.port === port).length}`
      : `${protocol.toLowerCase()}-${port}`;
  const listener = { name, protocol, port, hostname, secret } satisfies Listener;
  listeners.push(listener);
  return listener;
}

function listenerSpec(listener: Listener): JsonObject {
  const out: JsonObject = { name: listener.name, protocol: listener.protocol, port: listener.port };
  if (listener.hostname !== '') out['hostname'] = listener.hostname;
  if (listener.secret !== null) out['tls'] = { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: listener.secret }] };
  if (listener.protocol === 'TLS') out['tls'] = { mode: 'Passthrough' };
  return out;
}

function backendRef(section: Section): JsonObject {
  const ref: JsonObject = { name: section.backend.service.name, port: section.port ?? 0 };
  if (section.backend.service.namespace !== section.judged.ingress.meta.namespace) ref['namespace'] = section.backend.service.namespace;
  return ref;
}

function sessionPersistence(item: StatusItem): JsonObject | null {
  if (item.mode !== 'cookie' || !item.cookie) return null;
  return { sessionName: item.cookie.name, type: 'Cookie', cookieConfig: { lifetimeType: 'Session' } };
}

interface RouteGroup {
  listener: Listener;
  host: string;
  sections: Section[];
}

function parentRefs(listeners: readonly Listener[], ingress: IngressView, options: ConvertOptions): Json[] {
  if (options.gateway) {
    const ref: JsonObject = { name: options.gateway.name };
    if (options.gateway.namespace !== null) ref['namespace'] = options.gateway.namespace;
    return [ref];
  }
  return listeners.map((l) => ({ name: ingress.meta.name, sectionName: l.name }));
}

/** Whether a section can be written as an HTTPRoute rule at all; a warning when not. */
function routable(section: Section, warnings: Warning[]): boolean {
  const object = ingressObject(section.judged.ingress);
  const where = backendWhere(section.item);
  if (section.port === null) return false;
  if (section.host !== '' && !HOSTNAME.test(section.host)) {
    warnings.push({ object, message: `${where}: host "${section.host}" is not a hostname a target accepts: not converted` });
    return false;
  }
  if (!section.path.startsWith('/') || /\/\/|\/\.\.?(\/|$)|%2f|%5c|[?#]/i.test(section.path)) {
    warnings.push({ object, message: `${where}: path "${section.path}" is not a path prefix a target accepts: not converted` });
    return false;
  }
  return true;
}

function httpRoutes(
  ingress: IngressView,
  groups: readonly RouteGroup[],
  defaults: readonly Section[],
  listeners: readonly Listener[],
  options: ConvertOptions,
): JsonObject[] {
  const out: JsonObject[] = [];
  const namespace = ingress.meta.namespace;
  for (const group of groups) {
    for (let start = 0; start < group.sections.length; start += MAX_RULES) {
      const chunk = group.sections.slice(start, start + MAX_RULES);
      const part = start === 0 ? [] : [String(start / MAX_RULES + 1)];
      const name = objectName(ingress.meta.name, group.host || 'any-host', String(group.listener.port), ...part);
      const spec: JsonObject = { parentRefs: parentRefs([group.listener], ingress, options) };
      if (group.host !== '') spec['hostnames'] = [group.host];
      spec['rules'] = chunk.map((section) => {
        const rule: JsonObject = { matches: [{ path: { type: 'PathPrefix', value: section.path } }], backendRefs: [backendRef(section)] };
        const persistence = sessionPersistence(section.item);
        if (persistence) rule['sessionPersistence'] = persistence;
        return rule;
      });
      out.push(stamp('HTTPRoute', `${GATEWAY_GROUP}/v1`, name, namespace, ingress, spec));
    }
  }
  const [fallback] = defaults;
  if (fallback) {
    // spec.backend answers what no rule matches, on every HTTP frontend of the Ingress.
    const http = listeners.filter((l) => l.protocol !== 'TCP');
    const rule: JsonObject = { backendRefs: [backendRef(fallback)] };
    const persistence = sessionPersistence(fallback.item);
    if (persistence) rule['sessionPersistence'] = persistence;
    out.push(
      stamp('HTTPRoute', `${GATEWAY_GROUP}/v1`, objectName(ingress.meta.name, 'default-backend'), namespace, ingress, {
        parentRefs: parentRefs(http, ingress, options),
        rules: [rule],
      }),
    );
  }
  return out;
}

/** An ssl-passthrough rule with a host: a TLS passthrough listener routes it by SNI, as Voyager does. */
function passthroughHost(section: Section): boolean {
  return section.backend.type === 'tcp' && section.backend.declared === 'http' && section.host !== '' && HOSTNAME.test(section.host);
}

/** TCPRoutes for TCP rules, TLSRoutes for ssl-passthrough hosts; Envoy Gateway's source-IP policy on each sticky one. */
function tcpObjects(ingress: IngressView, sections: readonly Section[], listeners: Listener[], options: ConvertOptions, warnings: Warning[]): JsonObject[] {
  const out: JsonObject[] = [];
  const groups = new Map<string, Section[]>();
  for (const section of sections) {
    const key = passthroughHost(section) ? `tls ${section.backend.frontendPort ?? 443} ${section.host}` : `tcp ${section.backend.frontendPort ?? 80}`;
    groups.set(key, [...(groups.get(key) ?? []), section]);
  }
  const envoy = options.target === 'envoy-gateway';
  for (const [key, group] of groups) {
    const [first, ...others] = group;
    if (!first) continue;
    const tls = key.startsWith('tls');
    const kind = tls ? 'TLSRoute' : 'TCPRoute';
    for (const other of others)
      warnings.push({
        object: ingressObject(ingress),
        message: `${backendWhere(other.item)}: shares ${key.replaceAll(' ', ':')} with ${backendWhere(first.item)}; a ${kind} has one backend here: not converted`,
      });
    const listener = listenerOf(first, listeners);
    const name = objectName(ingress.meta.name, ...key.split(' '));
    const apiVersion = envoy ? `${GATEWAY_GROUP}/v1alpha2` : `${GATEWAY_GROUP}/v1`;
    const spec: JsonObject = { parentRefs: parentRefs([listener], ingress, options) };
    if (tls) spec['hostnames'] = [first.host];
    spec['rules'] = [{ backendRefs: [backendRef(first)] }];
    out.push(stamp(kind, apiVersion, name, ingress.meta.namespace, ingress, spec));
    if (envoy && first.item.sticky && first.item.mode === 'source-ip') {
      out.push(
        stamp('BackendTrafficPolicy', ENVOY_POLICY, objectName(name, 'source-ip'), ingress.meta.namespace, ingress, {
          targetRefs: [{ group: GATEWAY_GROUP, kind, name }],
          loadBalancer: { type: 'ConsistentHash', consistentHash: { type: 'SourceIP' } },
        }),
      );
    }
  }
  return out;
}

/** Whether the target keeps this section's stickiness. */
function gatewayKeeps(section: Section, target: ConvertTarget): boolean {
  if (section.item.mode === 'cookie') return (section.item.cookie?.name.length ?? 0) <= SESSION_NAME_MAX;
  if (section.item.mode === 'source-ip') return target === 'envoy-gateway' && section.backend.type === 'tcp';
  return true;
}

function gatewayObjects(sections: readonly Section[], options: ConvertOptions, warnings: Warning[]): JsonObject[] {
  const out: JsonObject[] = [];
  const grants = new Map<string, JsonObject>();
  for (const ingress of [...new Set(sections.map((s) => s.judged.ingress))]) {
    const mine = sections.filter((s) => s.judged.ingress === ingress);
    const listeners: Listener[] = [];
    const groups: RouteGroup[] = [];
    const defaults: Section[] = [];
    const tcp: Section[] = [];
    for (const section of mine) {
      warnings.push(...lossesOf(section, options.target, gatewayKeeps(section, options.target)));
      if (section.port === null) continue;
      if (section.backend.type === 'tcp') tcp.push(section);
      else if (section.backend.type === 'default') defaults.push(section);
      else if (routable(section, warnings)) {
        const listener = listenerOf(section, listeners);
        const group = groups.find((g) => g.listener === listener && g.host === section.host);
        if (group) group.sections.push(section);
        else groups.push({ listener, host: section.host, sections: [section] });
      }
      if (section.backend.service.namespace !== ingress.meta.namespace) addGrant(grants, section);
    }
    if (defaults.length > 0 && !listeners.some((l) => l.protocol !== 'TCP'))
      listeners.push({ name: 'http-80', protocol: 'HTTP', port: 80, hostname: '', secret: null });
    const routes = [...httpRoutes(ingress, groups, defaults, listeners, options), ...tcpObjects(ingress, tcp, listeners, options, warnings)];
    if (!options.gateway)
      out.push(
        stamp('Gateway', `${GATEWAY_GROUP}/v1`, ingress.meta.name, ingress.meta.namespace, ingress, {
          gatewayClassName: options.gatewayClass,
          listeners: listeners.map(listenerSpec),
        }),
      );
    out.push(...routes);
  }
  return [...out, ...grants.values()];
}

/** A backend in another namespace needs that namespace's ReferenceGrant for the routes of this one. */
function addGrant(grants: Map<string, JsonObject>, section: Section): void {
  const from = section.judged.ingress.meta.namespace;
  const to = section.backend.service.namespace;
  const key = `${to}/${from}`;
  if (grants.has(key)) return;
  grants.set(key, {
    apiVersion: `${GATEWAY_GROUP}/v1beta1`,
    kind: 'ReferenceGrant',
    metadata: { name: objectName('from', from), namespace: to, annotations: { [FROM_KEY]: section.judged.ingress.meta.name } },
    spec: {
      from: [
        { group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: from },
        { group: GATEWAY_GROUP, kind: 'TCPRoute', namespace: from },
        { group: GATEWAY_GROUP, kind: 'TLSRoute', namespace: from },
      ],
      to: [{ group: '', kind: 'Service' }],
    },
  });
}

// ---- HAProxy Kubernetes Ingress Controller ----

/** Whether haproxytech's Ingress keeps this section as Voyager serves it; warns when not. */
function haproxyServes(section: Section, warnings: Warning[]): boolean {
  const object = ingressObject(section.judged.ingress);
  const where = backendWhere(section.item);
  if (section.backend.type === 'tcp') {
    warnings.push({
      object,
      message: `${where}: a TCP rule is not converted: haproxytech's controller serves TCP from its tcp-services ConfigMap, not from an Ingress`,
    });
    return false;
  }
  if (section.backend.service.namespace !== section.judged.ingress.meta.namespace) {
    warnings.push({ object, message: `${where}: a networking.k8s.io/v1 Ingress cannot point at a Service in another namespace: not converted` });
    return false;
  }
  const port = section.backend.frontendPort;
  if (port !== null && port !== 80 && port !== 443)
    warnings.push({ object, message: `${where}: the frontend port ${port} is lost: haproxytech's controller serves Ingresses on its HTTP and HTTPS ports` });
  return section.port !== null && routable(section, warnings);
}

function ingressBackend(section: Section): JsonObject {
  return { service: { name: section.backend.service.name, port: { number: section.port ?? 0 } } };
}

function haproxyIngress(ingress: IngressView, name: string, cookie: string | null, sections: readonly Section[], options: ConvertOptions): JsonObject {
  const spec: JsonObject = { ingressClassName: options.ingressClassName };
  const fallback = sections.find((s) => s.backend.type === 'default');
  if (fallback) spec['defaultBackend'] = ingressBackend(fallback);
  const hosts: string[] = [];
  const rules: JsonObject[] = [];
  for (const section of sections.filter((s) => s.backend.type === 'http')) {
    if (!hosts.includes(section.host)) hosts.push(section.host);
  }
  for (const host of hosts) {
    // ImplementationSpecific is haproxytech's path_beg, which is what Voyager writes.
    const paths = sections
      .filter((s) => s.backend.type === 'http' && s.host === host)
      .map((s) => ({ path: s.path, pathType: 'ImplementationSpecific', backend: ingressBackend(s) }));
    rules.push(host === '' ? { http: { paths } } : { host, http: { paths } });
  }
  if (rules.length > 0) spec['rules'] = rules;
  const tls = ingress.tls.filter((t) => t.hosts.some((h) => hosts.includes(h.toLowerCase())));
  if (tls.length > 0) spec['tls'] = tls.map((t) => ({ hosts: t.hosts.map((h) => h.toLowerCase()), secretName: t.secretName }));
  const object = stamp('Ingress', 'networking.k8s.io/v1', name, ingress.meta.namespace, ingress, spec);
  if (cookie !== null && isObject(object['metadata']) && isObject(object['metadata']['annotations']))
    object['metadata']['annotations'][COOKIE_PERSISTENCE] = cookie;
  return object;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * haproxytech reads cookie-persistence per Ingress (or Service), so one Voyager Ingress whose
 * backends differ becomes one Ingress per cookie (and one for the plain backends).
 */
function haproxyIngresses(sections: readonly Section[], options: ConvertOptions, warnings: Warning[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const ingress of [...new Set(sections.map((s) => s.judged.ingress))]) {
    const groups = new Map<string | null, Section[]>();
    for (const section of sections.filter((s) => s.judged.ingress === ingress)) {
      const served = haproxyServes(section, warnings);
      warnings.push(...lossesOf(section, options.target, section.item.mode !== 'source-ip'));
      if (!served) continue;
      const cookie = section.item.mode === 'cookie' ? (section.item.cookie?.name ?? null) : null;
      groups.set(cookie, [...(groups.get(cookie) ?? []), section]);
    }
    const split = groups.size > 1;
    for (const [cookie, group] of groups) {
      const name = !split || cookie === null ? ingress.meta.name : objectName(ingress.meta.name, cookie);
      out.push(haproxyIngress(ingress, name, cookie, group, options));
    }
  }
  return out;
}
