// Voyager's templates for backend sections: the template data of parse.ts in, the lines of each
// `backend` section of haproxy.cfg out, whole (balance, auth, cookie, backendRules, reqrep,
// set-header, servers with their options), as templates/{http,tcp,default}-backend.cfg write
// them at the version (v12.0.0, 8.0.1 and 5.0.0 read side by side). Pure.

import { analyse, type Mode } from './effective.ts';
import type { IngressView, ObjectSet } from './objects.ts';
import type { ConfigFailure, IngressConfig, SkippedBackend, TemplateBackend } from './parse.ts';
import { KEY, isCookieHash, type CookieHash, type Profile } from './semantics.ts';

// node:crypto loads on first use: few runs hash, and loading it costs every start of the bundle.
const createHash = (algorithm: string) => process.getBuiltinModule('node:crypto').createHash(algorithm);

export type { ConfigFailure, SectionType, SkippedBackend } from './parse.ts';

export interface RenderedServer {
  /** `pod-<pod name>`, `pod-<IP>`, or `external` for an ExternalName Service. */
  name: string;
  /** An IP, or the external DNS name of an ExternalName Service. */
  address: string;
  port: string;
  /** The `cookie <value>` of the server line, when the backend is a sticky cookie backend. */
  cookie: string | null;
}

/** A backend section as written: its place and service as parse.ts found them, its lines as the templates write them. */
export interface RenderedBackend
  extends Pick<TemplateBackend, 'item' | 'name' | 'nameStable' | 'type' | 'declared' | 'host' | 'path' | 'frontendPort' | 'service'> {
  sticky: boolean;
  mode: Mode | null;
  cookie: { name: string; hash: CookieHash | null } | null;
  servers: RenderedServer[];
  /** The section body in order, without indentation. */
  lines: string[];
  /** Where the rendering had to assume something about this backend. */
  notes: string[];
}

export interface RenderResult {
  /** false when the operator writes no haproxy.cfg for the Ingress at all. */
  written: boolean;
  failure: ConfigFailure | null;
  /** In haproxy.cfg's order. */
  backends: RenderedBackend[];
  /** Backends Voyager leaves out of haproxy.cfg (it records an event instead). */
  skipped: SkippedBackend[];
  notes: string[];
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

function joined(parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

/** The lines of one section, in the templates' order. */
export function renderSection(backend: TemplateBackend): RenderedBackend {
  const { decision, type } = backend;
  const lines: string[] = [];
  const servers: RenderedServer[] = [];
  const cookieSticky = decision.sticky === true && decision.mode === 'cookie' && decision.cookie !== null && type !== 'tcp';
  const hash = cookieSticky && type === 'http' && decision.cookie && isCookieHash(decision.cookie.hash ?? '') ? decision.cookie.hash : null;

  if (type === 'tcp') lines.push('mode tcp');
  if (backend.balance) lines.push(`balance ${backend.balance}`);
  if (type !== 'tcp' && backend.basicAuth) {
    for (const list of backend.basicAuth.userLists) lines.push(`acl __auth_ok__ http_auth(${list})`);
    // The template writes the realm only when it is EMPTY (`if not .Realm`): reproduced as is.
    lines.push(joined(['http-request auth', backend.basicAuth.realm === '' ? 'realm ""' : '', 'if !__auth_ok__']));
  }
  if (cookieSticky && decision.cookie) lines.push(`cookie ${decision.cookie.name} insert indirect nocache`);
  lines.push(...backend.backendRules);
  if (type === 'tcp' && decision.sticky === true) lines.push('stick-table type ip size 100k expire 30m', 'stick on src');
  for (const rule of backend.rewriteRules) lines.push(`reqrep ${rule}`);
  for (const rule of backend.headerRules) lines.push(`http-request set-header ${rule}`);

  backend.endpoints.forEach((e, index) => {
    const tail = type === 'tcp' ? [e.tlsOption, e.sendProxy] : [e.tlsOption, e.sendProxy, backend.alpn, backend.proto ? `proto ${backend.proto}` : ''];
    if (e.external) {
      if (type === 'tcp' || e.resolver) {
        const resolver = e.resolver ? joined([e.resolver.check ? 'check' : '', `resolvers ${e.resolver.name} resolve-prefer ipv4`]) : '';
        lines.push(joined([`server ${e.name} ${e.address}:${e.port}`, resolver, ...tail]));
        servers.push({ name: e.name, address: e.address, port: e.port, cookie: null });
      } else if (backend.backendRules.length === 0) {
        if (type === 'http') {
          lines.push(`http-request redirect location ${backend.offloadSSL ? 'https' : 'http'}://${e.address}:${e.port} code 301`);
        } else {
          lines.push(
            'acl https ssl_fc',
            `http-request redirect location https://${e.address}:${e.port} code 301 if https`,
            `http-request redirect location http://${e.address}:${e.port} code 301 unless https`,
          );
        }
      }
      return;
    }
    const cookie = cookieSticky ? cookieValue(e.name, index, hash) : null;
    const check = e.check ? joined(['check', e.check.port ? `port ${e.check.port}` : '']) : '';
    const agent = e.agent ? joined([`agent-check agent-port ${e.agent.port}`, e.agent.interval ? `agent-inter ${e.agent.interval}` : '']) : '';
    const options =
      type === 'tcp'
        ? [e.tlsOption, check, agent, e.sendProxy]
        : [e.tlsOption, check, agent, e.sendProxy, backend.alpn, backend.proto ? `proto ${backend.proto}` : ''];
    const pod = [e.maxconn ? `maxconn ${e.maxconn}` : '', e.weight === null ? '' : `weight ${e.weight}`];
    lines.push(joined([`server ${e.name} ${e.address}:${e.port}`, ...pod, cookie === null ? '' : `cookie ${cookie}`, ...options]));
    servers.push({ name: e.name, address: e.address, port: e.port, cookie });
  });

  return {
    item: backend.item,
    name: backend.name,
    nameStable: backend.nameStable,
    type,
    declared: backend.declared,
    host: backend.host,
    path: backend.path,
    frontendPort: backend.frontendPort,
    service: backend.service,
    sticky: decision.sticky === true,
    mode: decision.mode,
    cookie: cookieSticky ? decision.cookie : null,
    servers,
    lines,
    notes: backend.notes,
  };
}

/** Every backend section Voyager writes for the Ingress, in haproxy.cfg's order; or why it writes none. */
export function renderIngress(ingress: IngressView, objects: ObjectSet, profile: Profile): RenderResult {
  // The Ingress's own class stands in for the operator's, so it always counts as handled here.
  const { configs } = analyse(
    { ...objects, ingresses: [ingress] },
    { profile, source: 'flag', ingressClass: ingress.meta.annotations[KEY.ingressClass] ?? null },
  );
  const config = configs.get(ingress);
  if (!config) throw new Error('render: the Ingress was not analysed');
  return renderConfig(config);
}

/** The sections of one parsed Ingress (from analyse), so a caller that has the parse renders without parsing again. */
export function renderConfig(config: IngressConfig): RenderResult {
  if (!config.written) return { written: false, failure: config.failure, backends: [], skipped: [], notes: config.notes };
  return { written: true, failure: null, backends: config.backends.map(renderSection), skipped: config.skipped, notes: config.notes };
}

/** The backend sections alone (none when the operator writes no config). */
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
