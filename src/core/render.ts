// The backend sections of an Ingress as Voyager writes them into haproxy.cfg: names, servers,
// cookie lines and values, stick tables. Only the lines that matter for stickiness are rendered
// (no maxconn, weight, check, auth or rewrite rules). Pure: objects and a profile in, text out.
// Source: shared/reference/voyager-sticky.md sections 3 and 4, and Voyager's own code
// (pkg/ingress/parser.go, pkg/haproxy/api/{helper,types}.go, templates/*-backend.cfg).
//
// Stickiness, mode, cookie name and hash are NOT decided here: they are read from computeStatus,
// so `render` and `status` can never disagree.

import { createHash } from 'node:crypto';
import { backendsOf, serviceKey, indexEndpoints, indexServices, type Backend, type BackendType } from './backends.ts';
import { computeStatus, type Mode, type StatusItem } from './effective.ts';
import type { EndpointAddress, EndpointsView, IngressView, ObjectSet, ServicePortView, ServiceView } from './objects.ts';
import { KEY, isModern, parseGoBool, type CookieHash, type Profile } from './semantics.ts';

/** Which Voyager template writes the section. */
export type SectionType = 'default' | 'http' | 'tcp';

export interface RenderedServer {
  /** `pod-<pod name>`, `pod-<IP>`, or `external` for an ExternalName Service. */
  name: string;
  /** An IP, or the external DNS name of an ExternalName Service. */
  address: string;
  port: string;
  /** The `cookie <value>` of the server line, when the backend is a sticky cookie backend. */
  cookie: string | null;
}

export interface RenderedBackend {
  name: string;
  /**
   * false before 6.0: Voyager appended a random suffix (3.x: names were entirely random), so the
   * name here is only a stable stand-in and comparisons must use the servers (see drift.ts).
   */
  nameStable: boolean;
  /** The template that writes the section: an ssl-passthrough HTTP rule is written as TCP. */
  type: SectionType;
  /** The backend as the Ingress declares it (matches StatusItem.backend.type). */
  declared: BackendType;
  host: string | null;
  path: string | null;
  /** The frontend port: an HTTP rule's port (80 unless set), a TCP rule's port; null for the default backend. */
  frontendPort: number | null;
  service: { namespace: string; name: string; port: string; externalName: string | null };
  /** From computeStatus. */
  sticky: boolean;
  mode: Mode | null;
  cookie: { name: string; hash: CookieHash | null } | null;
  servers: RenderedServer[];
  /** The section body in order, without indentation. */
  lines: string[];
  /** Where the rendering had to assume something about this backend. */
  notes: string[];
}

export interface SkippedBackend {
  declared: BackendType;
  host: string | null;
  path: string | null;
  service: { namespace: string; name: string; port: string };
  reason: string;
}

export interface RenderResult {
  backends: RenderedBackend[];
  /** Backends Voyager leaves out of haproxy.cfg (it emits an event instead). */
  skipped: SkippedBackend[];
}

/** Voyager's `backend_hash`: md5/sha are base64 digests of the server name, index is 1-based. */
export function cookieValue(serverName: string, position: number, hash: CookieHash | null): string {
  switch (hash) {
    case 'md5':
      return createHash('md5').update(serverName).digest('base64');
    case 'sha':
      return createHash('sha512').update(serverName).digest('base64');
    case 'index':
      return String(position + 1);
    default:
      return serverName;
  }
}


/** Go's intstr IntValue(): a port name is 0. */
function portIntValue(servicePort: string): number {
  return /^\d+$/.test(servicePort) ? Number(servicePort) : 0;
}

/**
 * Voyager's getBackendName: `<svc>.<ns>:<port>`; for `a.b.c` it keeps only the first two labels
 * (`a.b`), exactly as Voyager does.
 */
export function generatedBackendName(serviceName: string, servicePort: string, ingressNamespace: string): string {
  const parts = serviceName.split('.');
  const port = portIntValue(servicePort);
  if (parts.length === 1) return `${parts[0]}.${ingressNamespace}:${port}`;
  return `${parts[0]}.${parts[1]}:${port}`;
}

/** IngressRule.GetHost(): trimmed, and `*` means the empty host. */
function voyagerHost(host: string | null): string {
  const trimmed = (host ?? '').trim();
  return trimmed === '*' ? '' : trimmed;
}

function findServicePort(service: ServiceView, servicePort: string, profile: Profile): ServicePortView | null {
  const number = /^\d+$/.test(servicePort) ? Number(servicePort) : null;
  for (const port of service.ports) {
    if (number !== null && port.port === number) return port;
    // Named service ports are looked up by name from 6.0 on; older getSpecifiedPort compared numbers only.
    if (number === null && isModern(profile) && port.name === servicePort) return port;
  }
  return null;
}

/** Endpoints as Voyager reads them; EndpointSlices stand in (merged) only when no Endpoints exist. */
function endpointSubsets(objects: ObjectSet, service: ServiceView): { subsets: EndpointsView['subsets']; source: EndpointsView['source'] | null } {
  const matching = indexEndpoints(objects.endpoints).get(serviceKey(service.meta.namespace, service.meta.name)) ?? [];
  const endpoints = matching.filter((e) => e.source === 'endpoints');
  if (endpoints.length > 0) return { subsets: endpoints.flatMap((e) => e.subsets), source: 'endpoints' };
  const slices = matching.filter((e) => e.source === 'endpointslice');
  if (slices.length > 0) return { subsets: slices.flatMap((e) => e.subsets), source: 'endpointslice' };
  return { subsets: [], source: null };
}

interface Address {
  ip: string;
  podName: string | null;
  port: string;
}

/**
 * Voyager's getEndpoints: the union of every subset port that matches the Service port's target.
 * A numeric targetPort (absent means equal to the port) matches by number; a named one matches an
 * endpoint port of that name or of the Service port's name; a subset with exactly one port always
 * matches.
 */
function resolveAddresses(subsets: EndpointsView['subsets'], servicePort: ServicePortView): Address[] {
  const target = servicePort.targetPort ?? servicePort.port;
  const out: Address[] = [];
  for (const subset of subsets) {
    for (const epPort of subset.ports) {
      let port: string | null = null;
      if (typeof target === 'number') {
        if (epPort.port === target) port = String(target);
      } else if (epPort.name === target || (epPort.name !== null && epPort.name === servicePort.name)) {
        port = String(epPort.port);
      }
      if (port === null) {
        if (subset.ports.length !== 1) continue;
        port = String(epPort.port);
      }
      for (const address of subset.addresses) out.push(addressOf(address, port));
    }
  }
  return out;
}

function addressOf(address: EndpointAddress, port: string): Address {
  return { ip: address.ip, podName: address.podName, port };
}

/** Sorted by IP compared as strings (10.0.0.100 before 10.0.0.20); ties keep their order. */
function sortByIp<T extends { ip: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

interface Draft {
  backend: Backend;
  item: StatusItem;
  type: SectionType;
  frontendPort: number | null;
  name: string;
  generated: boolean;
  service: ServiceView;
}

/** Every backend section Voyager writes for the Ingress, with the backends it skips. */
export function renderIngress(ingress: IngressView, objects: ObjectSet, profile: Profile): RenderResult {
  // The one decision about stickiness: computeStatus on this Ingress alone. The operator class is
  // set to the Ingress's own so the Ingress is always considered handled.
  const status = computeStatus(
    { ingresses: [ingress], services: objects.services, endpoints: objects.endpoints, configMaps: [], deployments: [], issues: [] },
    { profile, source: 'flag', ingressClass: ingress.meta.annotations[KEY.ingressClass] ?? null },
  );
  const backends = backendsOf(ingress);
  if (status.items.length !== backends.length) throw new Error('render: status items do not match the Ingress backends');
  const services = indexServices(objects.services);
  const passthrough = parseGoBool(ingress.meta.annotations[KEY.sslPassthrough] ?? '') === true;
  const namespace = ingress.meta.namespace;

  const drafts: Draft[] = [];
  const skipped: SkippedBackend[] = [];
  backends.forEach((backend, index) => {
    const item = status.items[index] as StatusItem;
    const skip = (reason: string) =>
      skipped.push({
        declared: backend.type,
        host: backend.host,
        path: backend.path,
        service: { namespace: backend.service.namespace, name: backend.service.name, port: backend.ref.servicePort },
        reason,
      });
    const service = services.get(serviceKey(backend.service.namespace, backend.service.name));
    if (!service) {
      skip(`service ${backend.service.namespace}/${backend.service.name} not found`);
      return;
    }
    if (service.type !== 'ExternalName' && !findServicePort(service, backend.ref.servicePort, profile)) {
      skip(`service port ${backend.ref.servicePort} unavailable for service ${service.meta.name}`);
      return;
    }
    let type: SectionType = backend.type;
    let frontendPort: number | null = backend.port;
    if (backend.type === 'http') {
      frontendPort = backend.port ?? 80;
      if (passthrough) type = 'tcp';
    }
    const explicit = isModern(profile) ? backend.ref.backendName : null;
    const name = explicit ?? (backend.type === 'default' ? 'default-backend' : generatedBackendName(backend.ref.serviceName, backend.ref.servicePort, namespace));
    drafts.push({ backend, item, type, frontendPort, name, generated: explicit === null, service });
  });

  // 6.0+: every GENERATED name used more than once (explicit names count too) gets
  // `-<hex md5 of "address-host-port-path">` (Voyager's TemplateData.sort / Backend.canonicalize).
  if (isModern(profile)) {
    const counts = new Map<string, number>();
    for (const draft of drafts) counts.set(draft.name, (counts.get(draft.name) ?? 0) + 1);
    for (const draft of drafts) {
      if (!draft.generated || (counts.get(draft.name) ?? 0) < 2) continue;
      draft.name = `${draft.name}-${createHash('md5').update(collisionSeed(draft)).digest('hex')}`;
    }
  }

  return { backends: drafts.map((draft) => renderSection(draft, objects, profile)), skipped };
}

/**
 * The md5 input of a renamed backend: `address-host-port-path`. Address is the rule's bind address,
 * which the typed Ingress view does not carry: Voyager's default `*` is assumed. Host is the rule's
 * host with `*` as empty; port is the frontend port (HTTP: the rule's port, 80 when unset, since
 * TLS is not modelled; TCP: the rule's port); path is the HTTP path ("" for TCP). The default
 * backend hashes "---".
 */
function collisionSeed(draft: Draft): string {
  if (draft.backend.type === 'default') return '---';
  const port = draft.frontendPort === null ? '0' : String(draft.frontendPort);
  const path = draft.type === 'http' ? (draft.backend.path ?? '') : '';
  return `*-${voyagerHost(draft.backend.host)}-${port}-${path}`;
}

function renderSection(draft: Draft, objects: ObjectSet, profile: Profile): RenderedBackend {
  const { backend, item, service, type } = draft;
  const notes: string[] = [];
  const lines: string[] = [];
  const servers: RenderedServer[] = [];
  const cookieBackend = item.mode === 'cookie' && type !== 'tcp' && item.cookie !== null;

  if (type === 'tcp') lines.push('mode tcp');
  if (type === 'tcp' && item.mode === 'source-ip') {
    lines.push('stick-table type ip size 100k expire 30m', 'stick on src');
  }
  if (cookieBackend && item.cookie) lines.push(`cookie ${item.cookie.name} insert indirect nocache`);

  if (service.type === 'ExternalName') {
    const external = service.externalName ?? '';
    const port = backend.ref.servicePort;
    const useDns = parseGoBool(service.meta.annotations['ingress.appscode.com/use-dns-resolver'] ?? '') === true;
    if (type === 'tcp' || useDns) {
      servers.push({ name: 'external', address: external, port, cookie: null });
      lines.push(`server external ${external}:${port}`);
      if (useDns) notes.push('ExternalName with use-dns-resolver: any `resolvers` option on the server line is not rendered');
    } else if (type === 'http') {
      lines.push(`http-request redirect location http://${external}:${port} code 301`);
      notes.push('ExternalName without use-dns-resolver: Voyager redirects (301) instead of proxying (http:// assumed: TLS is not modelled)');
    } else {
      lines.push(
        'acl https ssl_fc',
        `http-request redirect location https://${external}:${port} code 301 if https`,
        `http-request redirect location http://${external}:${port} code 301 unless https`,
      );
      notes.push('ExternalName without use-dns-resolver: Voyager redirects (301) instead of proxying');
    }
  } else {
    const servicePort = findServicePort(service, backend.ref.servicePort, profile) as ServicePortView;
    const { subsets, source } = endpointSubsets(objects, service);
    if (source === 'endpointslice') notes.push('no Endpoints object: servers read from EndpointSlices (Voyager itself reads Endpoints)');
    const addresses = sortByIp(resolveAddresses(subsets, servicePort));
    if (addresses.length === 0) notes.push('no ready endpoints: the backend has no servers (Voyager emits an event and renders it anyway)');
    // The default backend never hashes; status already reports its hash as null.
    const hash = cookieBackend && item.cookie ? item.cookie.hash : null;
    addresses.forEach((address, index) => {
      const name = profile.podServerNames && address.podName ? `pod-${address.podName}` : `pod-${address.ip}`;
      const cookie = cookieBackend ? cookieValue(name, index, hash) : null;
      servers.push({ name, address: address.ip, port: address.port, cookie });
      lines.push(`server ${name} ${address.ip}:${address.port}${cookie === null ? '' : ` cookie ${cookie}`}`);
    });
  }

  return {
    name: draft.name,
    nameStable: isModern(profile),
    type,
    declared: backend.type,
    host: backend.host,
    path: backend.path,
    frontendPort: draft.frontendPort,
    service: { namespace: service.meta.namespace, name: service.meta.name, port: backend.ref.servicePort, externalName: service.type === 'ExternalName' ? service.externalName : null },
    sticky: item.sticky === true,
    mode: item.mode,
    cookie: item.cookie,
    servers,
    lines,
    notes,
  };
}

/**
 * Every backend section of the Ingress in declaration order (default backend, HTTP paths, TCP
 * rules), which is also the order of `status` items. (Voyager's haproxy.cfg writes HTTP and TCP
 * backends per frontend, sorted, and the default backend last; compare with stickyParts, which is
 * order-independent.)
 */
export function renderBackends(ingress: IngressView, objects: ObjectSet, profile: Profile): RenderedBackend[] {
  return renderIngress(ingress, objects, profile).backends;
}

/** HAProxy text: `backend NAME` then one tab-indented line per option; no blank lines. */
export function formatBackends(sections: readonly Pick<RenderedBackend, 'name' | 'lines'>[]): string {
  return sections.map((section) => `backend ${section.name}\n${section.lines.map((line) => `\t${line}\n`).join('')}`).join('');
}

/** Trim each line, collapse whitespace runs, drop empty lines. */
export function normaliseConfig(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

// Voyager's TemplateData.sort (6.0 and later): hosts with a name first, then wildcards, then the
// empty host, each group by name descending; paths with more segments first, then by path
// descending.
function hostRank(host: string): number {
  if (host === '') return 0;
  return host.startsWith('*') ? 1 : 2;
}

function compareDesc(a: string, b: string): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

function compareHosts(a: string | null, b: string | null): number {
  const x = a === '*' ? '' : (a ?? '');
  const y = b === '*' ? '' : (b ?? '');
  return hostRank(y) - hostRank(x) || compareDesc(x.toLowerCase().replace(/^\*\./, ''), y.toLowerCase().replace(/^\*\./, ''));
}

function comparePaths(a: string | null, b: string | null): number {
  const x = (a ?? '').toLowerCase().replace(/^\/+|\/+$/g, '');
  const y = (b ?? '').toLowerCase().replace(/^\/+|\/+$/g, '');
  return y.split('/').length - x.split('/').length || compareDesc(x, y);
}

/**
 * The order haproxy.cfg has them in: HTTP frontends by `http://<port>` (compared as text), their
 * hosts and paths as above; then TCP frontends by port (as text), hosts as above; the default
 * backend last. TLS frontends (`https://`) are not modelled.
 */
export function inVoyagerOrder(backends: readonly RenderedBackend[]): RenderedBackend[] {
  const group = (b: RenderedBackend) => (b.type === 'http' ? 0 : b.type === 'tcp' ? 1 : 2);
  const frontend = (b: RenderedBackend) => (b.type === 'http' ? `http://${b.frontendPort ?? 80}` : String(b.frontendPort ?? ''));
  return [...backends].sort((a, b) => {
    const byGroup = group(a) - group(b);
    if (byGroup !== 0 || a.type === 'default') return byGroup;
    const fa = frontend(a);
    const fb = frontend(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return compareHosts(a.host, b.host) || (a.type === 'http' ? comparePaths(a.path, b.path) : 0);
  });
}
