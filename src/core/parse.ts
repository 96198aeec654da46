// Voyager's parser for one Ingress: objects and a version in, the template data of its backend
// sections out (in haproxy.cfg's order), or the reason the operator writes no config at all.
// It follows the operator's pkg/ingress/parser.go (generateConfig, serviceEndpoints,
// getEndpoints) and pkg/haproxy/api/helper.go (TemplateData sort, canonicalize,
// moveAcmePathToTop) at the tags named in semantics.VERSION_RULES; render.ts turns the data into
// lines. Stickiness itself is decided in effective.ts and passed in, so status and render cannot
// disagree. Pure.

import { backendLabel, backendsOf, indexEndpoints, indexServices, serviceKey, type Backend, type BackendType } from './backends.ts';
import type { StatusItem } from './effective.ts';
import {
  noBackendOptions,
  VOYAGER_GROUP,
  type BackendOptions,
  type EndpointAddress,
  type IngressView,
  type ObjectSet,
  type ServicePortView,
  type ServiceView,
} from './objects.ts';
import { eventReasons, ingressAnnotation, parseGoBool, type Profile } from './semantics.ts';

// node:crypto loads on first use: few runs hash, and loading it costs every start of the bundle.
const createHash = (algorithm: string) => process.getBuiltinModule('node:crypto').createHash(algorithm);

/** Which Voyager template writes the section: an ssl-passthrough HTTP rule is written as TCP. */
export type SectionType = 'default' | 'http' | 'tcp';

/** The effective stickiness of one backend, from effective.ts. */
export type StickyDecision = Pick<StatusItem, 'sticky' | 'mode' | 'cookie'>;

export interface TemplateEndpoint {
  /** `pod-<pod name>`, `pod-<IP>`, or `external`. */
  name: string;
  /** An IP, or the DNS name of an ExternalName Service. */
  address: string;
  port: string;
  external: boolean;
  /** ExternalName with use-dns-resolver: the resolver's name and whether it health-checks. */
  resolver: { name: string; check: boolean } | null;
  tlsOption: string;
  check: { port: string } | null;
  agent: { port: string; interval: string } | null;
  sendProxy: string;
  /** From the endpoint Pod's annotations: `maxconn` when not 0, `weight` when not null. */
  maxconn: number;
  weight: number | null;
}

export interface TemplateBackend {
  /** Index of the backend in backendsOf(ingress), which is also its status item. */
  item: number;
  name: string;
  /** false before 6.0: the real name carries a random suffix, this is a stand-in. */
  nameStable: boolean;
  type: SectionType;
  declared: BackendType;
  host: string | null;
  path: string | null;
  /** The frontend port it is bound to (80/443/http.port, or the TCP port); null for the default backend. */
  frontendPort: number | null;
  /** The frontend serves TLS (`https://` redirects for ExternalName). */
  offloadSSL: boolean;
  service: { namespace: string; name: string; port: string; externalName: string | null };
  decision: StickyDecision;
  balance: string;
  basicAuth: { realm: string; userLists: string[] } | null;
  backendRules: string[];
  rewriteRules: string[];
  headerRules: string[];
  alpn: string;
  proto: string;
  endpoints: TemplateEndpoint[];
  notes: string[];
}

export interface SkippedBackend {
  item: number;
  declared: BackendType;
  host: string | null;
  path: string | null;
  service: { namespace: string; name: string; port: string };
  reason: string;
}

/** Why the operator writes no haproxy.cfg: the Event reason it records (eventReasons), and what it means. */
export interface ConfigFailure {
  event: string;
  message: string;
}

type FailureKind = 'invalid' | 'configFailed' | 'serviceFailed';

export type IngressConfig =
  | { written: true; backends: TemplateBackend[]; skipped: SkippedBackend[]; notes: string[] }
  | { written: false; failure: ConfigFailure; notes: string[] };

const ACME_PATH = '/.well-known/acme-challenge/';
/** The API of the releases after the public code, whose fields differ from v1beta1's (objects.ts). */
const V1 = `${VOYAGER_GROUP}/v1`;
const MATCH_ALL = '*';

/** IngressRule.GetHost(): trimmed; `*` means every host, written as "". */
function ruleHost(host: string | null): string {
  const trimmed = (host ?? '').trim();
  return trimmed === MATCH_ALL ? '' : trimmed;
}

/** Go's intstr IntValue(): a number's value, a name's 0 (Atoi fails). */
function portIntValue(servicePort: string): number {
  return /^\d+$/.test(servicePort) ? Number(servicePort) : 0;
}

/** getBackendName: `<svc>.<ns>:<port>`; for `a.b.c` only the first two labels are kept. */
function generatedBackendName(serviceName: string, servicePort: string, ingressNamespace: string): string {
  const parts = serviceName.split('.');
  const port = portIntValue(servicePort);
  if (parts.length === 1) return `${parts[0]}.${ingressNamespace}:${port}`;
  return `${parts[0]}.${parts[1]}:${port}`;
}

/**
 * getSpecifiedPort: the first port whose number equals the servicePort's IntValue or, from 9.0,
 * whose name equals its string value; an int servicePort has the string value "", so it also
 * matches an unnamed port (v12.0.0 parser.go:239-246).
 */
function findServicePort(service: ServiceView, ref: Backend['ref'], profile: Profile): ServicePortView | null {
  const number = portIntValue(ref.servicePort);
  const strVal = ref.servicePortIsInt ? '' : ref.servicePort;
  for (const port of service.ports) {
    if (port.port === number) return port;
    if (profile.rules.namedServicePorts && (port.name ?? '') === strVal) return port;
  }
  return null;
}

/** FindTLSSecret: a spec.tls host equal to the rule's host, or `*.<host>` (v12.0.0 diff.go:95-107). */
function usesTls(ingress: IngressView, host: string | null, noTLS: boolean): boolean {
  const h = host ?? '';
  if (noTLS || h === '') return false;
  return ingress.tls.some((tls) => tls.hosts.some((t) => t === h || t === `*.${h}`));
}

function sendProxy(version: string): string {
  if (version === 'v1') return 'send-proxy';
  if (version === 'v2' || version === 'v2-ssl' || version === 'v2-ssl-cn') return `send-proxy-${version}`;
  return '';
}

/** Whether the Endpoints of a Service were read where it would be, so that none found means none there. */
function endpointsAbsent(objects: ObjectSet, namespace: string, name: string): boolean {
  const read = objects.endpointsRead;
  return read.includes('*') || read.includes(namespace) || read.includes(serviceKey(namespace, name));
}

/** getEndpoints: the union of the subset ports that match the Service port's target, filtered by hostNames. */
function endpointAddresses(
  objects: ObjectSet,
  service: ServiceView,
  servicePort: ServicePortView,
  hostNames: readonly string[],
): { addresses: { address: EndpointAddress; port: string }[]; known: boolean; fromSlices: boolean } {
  const matching = indexEndpoints(objects.endpoints).get(serviceKey(service.meta.namespace, service.meta.name)) ?? [];
  const endpoints = matching.filter((e) => e.source === 'endpoints');
  const chosen = endpoints.length > 0 ? endpoints : matching.filter((e) => e.source === 'endpointslice');
  const target = servicePort.targetPort ?? servicePort.port;
  const out: { address: EndpointAddress; port: string }[] = [];
  for (const subset of chosen.flatMap((e) => e.subsets)) {
    for (const epPort of subset.ports) {
      let port: string | null = null;
      if (typeof target === 'number') {
        if (epPort.port === target) port = String(target);
      } else if (epPort.name === target || (epPort.name ?? '') === (servicePort.name ?? '')) {
        port = String(epPort.port);
      }
      if (port === null) {
        if (subset.ports.length !== 1) continue;
        port = String(epPort.port);
      }
      for (const address of subset.addresses) {
        const forwardable = hostNames.length === 0 || hostNames.some((h) => h.toLowerCase() === (address.hostname ?? '').toLowerCase());
        if (forwardable) out.push({ address, port });
      }
    }
  }
  return { addresses: out, known: chosen.length > 0, fromSlices: endpoints.length === 0 && chosen.length > 0 };
}

interface Draft extends TemplateBackend {
  generated: boolean;
  bindAddress: string;
  /** The host as the template data holds it (wildcards as ""; before 7.0 TCP keeps it raw). */
  seedHost: string;
  ruleIndex: number;
}

/** The frontend a backend is written under, as the walk finds it. */
interface Frame {
  type: SectionType;
  bindAddress: string;
  frontendPort: number | null;
  offloadSSL: boolean;
  ruleIndex: number;
}

/** One step of the walk: build this backend under this frame; `replaces` is the earlier TCP rule it overwrites (6.0.x). */
interface Step {
  index: number;
  backend: Backend;
  frame: Frame;
  replaces: { ruleIndex: number; key: string } | null;
}

/** What the whole parse of one Ingress reads once and every backend shares. */
interface ParseContext {
  ingress: IngressView;
  objects: ObjectSet;
  profile: Profile;
  /** Before 6.0: a broken backend fails the whole Ingress. */
  legacy: boolean;
  services: ReturnType<typeof indexServices>;
  decisions: readonly StickyDecision[];
  globalAuth: boolean;
  globalTlsAuth: boolean;
}

/** Building one backend: its draft, the reason it is left out, or (before 6.0) the reason the Ingress fails. */
type NotBuilt = { kind: 'skip'; skipped: SkippedBackend } | { kind: 'fail'; message: string };
type Built = { kind: 'draft'; draft: Draft } | NotBuilt;

type Validation = { ok: true; notes: string[] } | { ok: false; kind: FailureKind; message: string };

/** The operator's parse of one Ingress under the profile; `decisions` are its status items, in backendsOf order. */
export function parseIngress(ingress: IngressView, objects: ObjectSet, profile: Profile, decisions: readonly StickyDecision[]): IngressConfig {
  const annotations = ingress.meta.annotations;
  const reasons = eventReasons(profile);
  const backends = backendsOf(ingress);
  const passthrough = parseGoBool(ingressAnnotation(profile, annotations, 'ssl-passthrough')) === true;
  const validation = validateIngress(ingress, objects, profile, backends, passthrough);
  if (!validation.ok) return { written: false, failure: { event: reasons[validation.kind], message: validation.message }, notes: [] };
  const { notes } = validation;
  const ctx: ParseContext = {
    ingress,
    objects,
    profile,
    legacy: !profile.rules.skipsBrokenBackends,
    services: indexServices(objects.services),
    decisions,
    globalAuth: ingressAnnotation(profile, annotations, 'auth-type') === 'basic' && ingressAnnotation(profile, annotations, 'auth-secret') !== '',
    globalTlsAuth: ingressAnnotation(profile, annotations, 'auth-tls-secret') !== '',
  };
  const drafts: Draft[] = [];
  const skipped: SkippedBackend[] = [];
  const steps = walk(ingress, backends, passthrough);
  for (const step of steps) {
    const built = draftBackend(ctx, step.index, step.backend, step.frame);
    if (built.kind === 'fail') return { written: false, failure: { event: reasons.configFailed, message: built.message }, notes };
    if (built.kind === 'skip') skipped.push(built.skipped);
    else drafts.push(built.draft);
    if (step.replaces && !profile.rules.tcpRulesShareFrontend && !ctx.legacy) {
      skipped.push(...replaceTcpRule(drafts, step.replaces, step.frame.ruleIndex, profile));
    }
  }
  const frontends = checkSecrets(ingress, objects, frontendSecrets(ingress, profile, steps));
  if (!frontends.ok) return { written: false, failure: { event: reasons[frontends.kind], message: frontends.message }, notes };
  notes.push(...frontends.notes);
  nameDuplicates(drafts, profile);
  return {
    written: true,
    backends: inConfigOrder(drafts, profile).map(({ generated: _g, bindAddress: _b, seedHost: _s, ruleIndex: _r, ...backend }) => backend),
    skipped,
    notes,
  };
}

/** Validation that refuses the whole Ingress before anything is rendered, or the notes it leaves. */
function validateIngress(ingress: IngressView, objects: ObjectSet, profile: Profile, backends: readonly Backend[], passthrough: boolean): Validation {
  // v1 has no tls ref, so an entry must name its Secret (apimachinery v0.12.0 apis/voyager/v1/validator.go:73-77).
  const bare = ingress.apiVersion === V1 ? ingress.tls.findIndex((tls) => tls.secretName === '') : -1;
  if (bare >= 0) return { ok: false, kind: 'invalid', message: `spec.tls[${bare}] specifies no secret name (voyager.appscode.com/v1 has no tls ref)` };
  if (!profile.rules.namedServicePorts) {
    // 8.0.1 apis/voyager/v1beta1/validator.go: servicePort must pass strconv.Atoi (IngressInvalid).
    const named = backends.find((b) => portIntValue(b.ref.servicePort) === 0 && !/^\d+$/.test(b.ref.servicePort));
    if (named) {
      const message = `servicePort "${named.ref.servicePort}" of backend ${backendLabel(named)} is a port name; Voyager ${profile.version} reads service ports as numbers only (named ports arrived in 9.0.0)`;
      return { ok: false, kind: 'invalid', message };
    }
  }
  const refused =
    (passthrough ? passthroughFailure(ingress, profile) : null) ?? (profile.rules.skipsBrokenBackends ? null : reusedTcpAddress(ingress, profile));
  if (refused) return refused;
  for (const [index, ip] of ingress.externalIPs.entries()) {
    if (!isIp(ip)) {
      const message = `spec.externalIPs[${index}] "${ip}" is not an IP address: the API server refuses the Service the operator creates for this Ingress`;
      return { ok: false, kind: 'serviceFailed', message };
    }
  }
  return checkSecrets(ingress, objects, leadingSecrets(ingress, profile));
}

/** convertRulesForSSLPassthrough (v12.0.0 parser.go:1060-1106): one path per rule, no header or rewrite rules. */
function passthroughFailure(ingress: IngressView, profile: Profile): Validation | null {
  const failed = (message: string): Validation => ({ ok: false, kind: 'configFailed', message });
  for (const [index, rule] of ingress.rules.entries()) {
    if (!rule.http) continue;
    if (rule.http.paths.length !== 1)
      return failed(`spec.rules[${index}].http has ${rule.http.paths.length} paths: with ssl-passthrough each HTTP rule must have exactly one`);
    const options = optionsOf(rule.http.paths[0]?.backend.options, profile, ingress.apiVersion);
    if (options.headers.length > 0 || options.rewrites.length > 0)
      return failed(`spec.rules[${index}].http.paths[0] has header or rewrite rules, which ssl-passthrough does not support`);
  }
  if (!ingress.rules.some((r) => r.http) && ingress.defaultBackend) {
    const options = optionsOf(ingress.defaultBackend.options, profile, ingress.apiVersion);
    if (options.headers.length > 0 || options.rewrites.length > 0)
      return failed('spec.backend has header or rewrite rules, which ssl-passthrough does not support');
  }
  return null;
}

/** 5.0.0 validator.go: a TCP address:port used twice is refused ("is reusing addr"). */
function reusedTcpAddress(ingress: IngressView, profile: Profile): Validation | null {
  const seen = new Map<string, number>();
  for (const [index, rule] of ingress.rules.entries()) {
    if (!rule.tcp) continue;
    const key = `${rule.tcp.address || MATCH_ALL}:${rule.tcp.port ?? 0}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const message = `spec.rules[${index}].tcp reuses ${key}, also used by spec.rules[${first}]; Voyager ${profile.version} allows one TCP rule per address and port`;
      return { ok: false, kind: 'invalid', message };
    }
    seen.set(key, index);
  }
  return null;
}

/** Whether the operator reads Secrets for this Ingress before it writes (so status must know their names). */
export function readsSecrets(ingress: IngressView, profile: Profile): boolean {
  return leadingSecrets(ingress, profile).length > 0 || ingress.frontendRules.some((r) => r.basicSecret !== null || r.tlsSecret !== null);
}

/** A Secret the operator GETs before it writes: a missing one (or one without `key`) fails the Ingress. */
interface SecretNeed {
  name: string;
  what: string;
  key: string | null;
}

/** Secrets read before the backends (v12.0.0 parser.go:360-386 global basic and TLS auth, :449-459 stats; 5.0.0 :308-326, :368-376). */
function leadingSecrets(ingress: IngressView, profile: Profile): SecretNeed[] {
  const annotations = ingress.meta.annotations;
  const needs: SecretNeed[] = [];
  const authSecret = ingressAnnotation(profile, annotations, 'auth-secret');
  if (ingressAnnotation(profile, annotations, 'auth-type') === 'basic' && authSecret !== '') needs.push({ name: authSecret, what: 'basic auth', key: null });
  const tlsSecret = ingressAnnotation(profile, annotations, 'auth-tls-secret');
  if (tlsSecret !== '') needs.push({ name: tlsSecret, what: 'TLS auth', key: 'ca.crt' });
  const statsSecret = ingressAnnotation(profile, annotations, 'stats-secret-name');
  if (parseGoBool(ingressAnnotation(profile, annotations, 'stats')) === true && statsSecret !== '') needs.push({ name: statsSecret, what: 'stats', key: null });
  return needs;
}

/**
 * Secrets of spec.frontendRules, read per frontend after the backends, only where no Ingress-wide
 * auth wins: auth.basic on HTTP frontends, auth.tls (getTLSAuth: ca.crt) on HTTP and TCP ones; the
 * first rule with the frontend's port counts (getFrontendRulesForPort). v12.0.0 parser.go:663-710,
 * :737-760, :935-942; 9.0.0 :639-687, :713-735; 8.0.1 :598-640, :671-690; 6.0.0 :504-531, :742-785;
 * 5.0.0 :461-482, :693-735.
 */
function frontendSecrets(ingress: IngressView, profile: Profile, steps: readonly Step[]): SecretNeed[] {
  const annotations = ingress.meta.annotations;
  const globalBasic = ingressAnnotation(profile, annotations, 'auth-type') === 'basic' && ingressAnnotation(profile, annotations, 'auth-secret') !== '';
  const globalTls = ingressAnnotation(profile, annotations, 'auth-tls-secret') !== '';
  if (globalTls) return [];
  const needs: SecretNeed[] = [];
  const portsOf = (type: SectionType) => [...new Set(steps.filter((s) => s.frame.type === type).map((s) => s.frame.frontendPort ?? 0))];
  // Only a default backend (no HTTP rule, :80 not a TCP rule's): the operator serves it on an HTTP :80 frontend (v12.0.0 parser.go:633-645).
  const defaultOn80 = portsOf('http').length === 0 && portsOf('default').length > 0 && !portsOf('tcp').includes(80);
  for (const type of ['http', 'tcp'] as const) {
    const ports = type === 'http' && defaultOn80 ? [80] : portsOf(type);
    for (const port of ports) {
      const rule = ingress.frontendRules.find((r) => r.port === port);
      if (!rule) continue;
      const what = `spec.frontendRules port ${port}`;
      if (type === 'http' && globalBasic) continue;
      if (type === 'http' && rule.basicSecret !== null) needs.push({ name: rule.basicSecret, what: `${what} basic auth`, key: null });
      else if (rule.tlsSecret !== null) needs.push({ name: rule.tlsSecret, what: `${what} TLS auth`, key: 'ca.crt' });
    }
  }
  return needs;
}

/** The first need the objects do not meet, as the operator's failure; with Secrets unread, a note instead. */
function checkSecrets(ingress: IngressView, objects: ObjectSet, needs: readonly SecretNeed[]): Validation {
  if (needs.length === 0) return { ok: true, notes: [] };
  const namespace = ingress.meta.namespace;
  if (objects.secrets === null) {
    const names = [...new Set(needs.map((n) => n.name))].join(', ');
    return {
      ok: true,
      notes: [`the Secrets this Ingress needs (${names}) were not checked (Secrets are not read); if one is missing, the operator writes no config`],
    };
  }
  for (const need of needs) {
    const found = objects.secrets.find((s) => s.meta.namespace === namespace && s.meta.name === need.name);
    const failed = (why: string): Validation => ({ ok: false, kind: 'configFailed', message: `${need.what} Secret ${namespace}/${need.name} ${why}` });
    if (!found) return failed(`not found (secrets "${need.name}" not found)`);
    if (need.key !== null && found.keysKnown && !found.keys.includes(need.key)) return failed(`has no key ${need.key}`);
  }
  return { ok: true, notes: [] };
}

/** The backends in the operator's order: default backend, then rules as written (and passthrough's TCP default last). */
function walk(ingress: IngressView, backends: readonly Backend[], passthrough: boolean): Step[] {
  const steps: Step[] = [];
  const position = new Map<Backend, number>(backends.map((b, i) => [b, i]));
  const defaultBackend = backends.find((b) => b.type === 'default');
  const passthroughDefault = passthrough && !ingress.rules.some((r) => r.http) && defaultBackend !== undefined;
  if (defaultBackend && !passthroughDefault) {
    const frame: Frame = { type: 'default', bindAddress: '', frontendPort: null, offloadSSL: false, ruleIndex: -1 };
    steps.push({ index: position.get(defaultBackend) ?? 0, backend: defaultBackend, frame, replaces: null });
  }
  const tcpOwner = new Map<string, number>();
  let next = backends.findIndex((b) => b.type !== 'default');
  for (const [ruleIndex, rule] of ingress.rules.entries()) {
    if (rule.http) {
      const tls = usesTls(ingress, rule.host, rule.http.noTLS);
      const port = rule.http.port && rule.http.port > 0 ? rule.http.port : tls ? 443 : 80;
      const address = rule.http.address || MATCH_ALL;
      for (let p = 0; p < rule.http.paths.length; p++, next++) {
        const backend = backends[next];
        if (!backend) continue;
        // Passthrough turns the rule into TCP on the same port, without TLS (noTLS: true).
        const frame: Frame = passthrough
          ? { type: 'tcp', bindAddress: address, frontendPort: port, offloadSSL: false, ruleIndex }
          : { type: 'http', bindAddress: address, frontendPort: port, offloadSSL: tls, ruleIndex };
        steps.push({ index: next, backend, frame, replaces: null });
        if (passthrough) tcpOwner.set(`${address}:${port}`, ruleIndex);
      }
    } else if (rule.tcp) {
      const backend = backends[next];
      next++;
      if (!backend) continue;
      const address = rule.tcp.address || MATCH_ALL;
      const key = `${address}:${rule.tcp.port ?? 0}`;
      const earlier = tcpOwner.get(key);
      const frame: Frame = { type: 'tcp', bindAddress: address, frontendPort: rule.tcp.port, offloadSSL: false, ruleIndex };
      steps.push({ index: position.get(backend) ?? 0, backend, frame, replaces: earlier === undefined ? null : { ruleIndex: earlier, key } });
      tcpOwner.set(key, ruleIndex);
    }
  }
  if (passthroughDefault && defaultBackend) {
    // With only spec.backend, passthrough makes it a TCP rule on :80 (v12.0.0 parser.go:1090-1106).
    const frame: Frame = { type: 'tcp', bindAddress: MATCH_ALL, frontendPort: 80, offloadSSL: false, ruleIndex: ingress.rules.length };
    steps.push({ index: position.get(defaultBackend) ?? 0, backend: defaultBackend, frame, replaces: null });
  }
  return steps;
}

/** 6.0.x keeps one TCP service per address:port: the later rule replaces the earlier (6.0.0 parser.go:551). Edits `drafts`. */
function replaceTcpRule(drafts: Draft[], replaced: { ruleIndex: number; key: string }, ruleIndex: number, profile: Profile): SkippedBackend[] {
  const out: SkippedBackend[] = [];
  for (const gone of drafts.filter((d) => d.type === 'tcp' && d.ruleIndex === replaced.ruleIndex)) {
    drafts.splice(drafts.indexOf(gone), 1);
    out.push({
      item: gone.item,
      declared: gone.declared,
      host: gone.host,
      path: gone.path,
      service: { namespace: gone.service.namespace, name: gone.service.name, port: gone.service.port },
      reason: `spec.rules[${ruleIndex}] uses the same TCP address and port ${replaced.key}, and Voyager ${profile.version} keeps only the last such rule`,
    });
  }
  return out;
}

function skippedOf(index: number, backend: Backend, service: { namespace: string; name: string }, reason: string): SkippedBackend {
  return {
    item: index,
    declared: backend.type,
    host: backend.host,
    path: backend.path,
    service: { namespace: service.namespace, name: service.name, port: backend.ref.servicePort },
    reason,
  };
}

/** A broken backend: left out from 6.0 on, the whole Ingress's failure before. */
function broken(ctx: ParseContext, index: number, backend: Backend, reason: string): NotBuilt {
  if (ctx.legacy) return { kind: 'fail', message: `${reason} (backend ${backendLabel(backend)})` };
  return { kind: 'skip', skipped: skippedOf(index, backend, backend.service, reason) };
}

/** One backend's template data (serviceEndpoints and the section's fields), or why it is not written. */
function draftBackend(ctx: ParseContext, index: number, backend: Backend, frame: Frame): Built {
  const { profile, ingress } = ctx;
  const rules = profile.rules;
  const service = ctx.services.get(serviceKey(backend.service.namespace, backend.service.name));
  if (!service) return broken(ctx, index, backend, `service ${backend.service.namespace}/${backend.service.name} not found`);
  const options = optionsOf(backend.ref.options, profile, ingress.apiVersion);
  const resolved = resolveEndpoints(ctx, index, backend, service, frame, options);
  if (resolved.kind !== 'endpoints') return resolved;
  let endpoints = resolved.endpoints;
  const notes = [...resolved.notes];
  if (endpoints.some((e) => e.external) && frame.type !== 'tcp' && !endpoints[0]?.resolver && options.rules.length === 0) {
    notes.push('ExternalName without use-dns-resolver: Voyager redirects (301) instead of proxying');
  }
  notes.push(...options.unreadNotes);
  const auth = backendAuth(ctx, service, frame);
  notes.push(...auth.notes);
  // Servers are sorted by IP as text, except TCP ones before 6.0 (5.0.0 pkg/haproxy/renderer.go:58, 83).
  if (frame.type !== 'tcp' || !ctx.legacy) endpoints = [...endpoints].sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
  const explicit = rules.skipsBrokenBackends ? backend.ref.backendName : null;
  const generatedName =
    frame.type === 'default' && backend.type === 'default'
      ? 'default-backend'
      : generatedBackendName(backend.ref.serviceName, backend.ref.servicePort, ingress.meta.namespace);
  const rewrite =
    frame.type === 'http'
      ? rewriteTarget(ingressAnnotation(profile, ingress.meta.annotations, 'rewrite-target'), backend.path ?? '', options.rewrites)
      : options.rewrites;
  const draft: Draft = {
    item: index,
    name: explicit ?? generatedName,
    generated: explicit === null,
    nameStable: rules.skipsBrokenBackends || frame.type === 'default',
    type: frame.type,
    declared: backend.type,
    host: backend.host,
    path: backend.path,
    frontendPort: frame.frontendPort,
    offloadSSL: frame.offloadSSL,
    bindAddress: frame.bindAddress,
    seedHost: frame.type === 'tcp' && !rules.tcpRulesShareFrontend ? (backend.host ?? '') : ruleHost(backend.host),
    ruleIndex: frame.ruleIndex,
    service: {
      namespace: service.meta.namespace,
      name: service.meta.name,
      port: backend.ref.servicePort,
      externalName: service.type === 'ExternalName' ? service.externalName : null,
    },
    decision: ctx.decisions[index] ?? { sticky: false, mode: null, cookie: null },
    balance: rules.balanceAlpnProto ? options.balance : '',
    basicAuth: auth.basicAuth,
    backendRules: options.rules,
    rewriteRules: frame.type === 'tcp' ? [] : rewrite,
    headerRules: frame.type === 'tcp' ? [] : options.headers,
    alpn: rules.balanceAlpnProto ? options.alpn : '',
    proto: rules.balanceAlpnProto ? options.proto : '',
    endpoints,
    notes,
  };
  return { kind: 'draft', draft };
}

type Resolved = { kind: 'endpoints'; endpoints: TemplateEndpoint[]; notes: string[] } | NotBuilt;

/** serviceEndpoints: the servers of one backend, or why it is left out (or fails the Ingress). */
function resolveEndpoints(ctx: ParseContext, index: number, backend: Backend, service: ServiceView, frame: Frame, options: ReadOptions): Resolved {
  const { profile } = ctx;
  const rules = profile.rules;
  if (service.type === 'ExternalName') return { kind: 'endpoints', endpoints: [externalEndpoint(service, backend, ctx.legacy)], notes: [] };
  const servicePort = findServicePort(service, backend.ref, profile);
  if (!servicePort) {
    return broken(ctx, index, backend, `service port ${backend.ref.servicePort} unavailable for service ${service.meta.namespace}/${service.meta.name}`);
  }
  const found = endpointAddresses(ctx.objects, service, servicePort, options.hostNames);
  // getEndpoints' EndpointsLister Get fails for an absent object, as for a missing Service: left
  // out from 6.0 (BackendInvalid), the whole Ingress before (5.0.0 parser.go:77-81; 6.0.0
  // parser.go:79-83; 9.0.0 parser.go:85-89; v12.0.0 parser.go:103-107). An empty one is written.
  if (!found.known && endpointsAbsent(ctx.objects, service.meta.namespace, service.meta.name))
    return broken(ctx, index, backend, `endpoints "${service.meta.name}" not found`);
  const notes: string[] = [];
  if (found.fromSlices) notes.push('no Endpoints object: servers read from EndpointSlices (Voyager itself reads Endpoints)');
  const a = service.meta.annotations;
  const endpoints = found.addresses.map(({ address, port }) => ({
    name: profile.podServerNames && address.podName ? `pod-${address.podName}` : `pod-${address.ip}`,
    address: address.ip,
    port,
    external: false,
    resolver: null,
    tlsOption: a['ingress.appscode.com/backend-tls'] ?? '',
    check: a['ingress.appscode.com/check'] === 'true' ? { port: a['ingress.appscode.com/check-port'] ?? '' } : null,
    agent:
      rules.agentCheck && a['ingress.appscode.com/agent-port']
        ? { port: a['ingress.appscode.com/agent-port'] ?? '', interval: a['ingress.appscode.com/agent-interval'] ?? '' }
        : null,
    sendProxy: sendProxy(a['ingress.appscode.com/send-proxy'] ?? ''),
    ...podOptions(ctx, service, address.podName),
  }));
  if (endpoints.length === 0) {
    const why = found.known ? 'no ready endpoints' : 'no Endpoints for it among the objects read';
    // 3.2-5.x leave out HTTP and TCP backends only (5.0.0 parser.go:456, 496); 6.0-8.x every backend (8.0.1 parser.go:352-358).
    const leftOut = !rules.writesBackendsWithoutEndpoints && (rules.skipsBrokenBackends || frame.type !== 'default');
    if (leftOut && found.known) {
      const reason = `${why}: Voyager ${profile.version} leaves such backends out (9.0 and later write them)`;
      return { kind: 'skip', skipped: skippedOf(index, backend, service.meta, reason) };
    }
    notes.push(
      leftOut
        ? `${why}: the servers are unknown, and if it has none Voyager ${profile.version} leaves this backend out`
        : `${why}: the backend has no servers (Voyager records an event and writes it anyway)`,
    );
  }
  return { kind: 'endpoints', endpoints, notes };
}

/** Go's strconv.Atoi as the operator ignores its error: the number, or 0. */
function atoi(text: string): number {
  return /^[+-]?\d+$/.test(text) ? Number(text) : 0;
}

/**
 * A server's maxconn and weight from its Pod's annotations (getEndpoints: the Pods of the
 * Service's selector, by the address's targetRef name; 5.0.0 parser.go:137-143, 9.0.0 :145-151,
 * v12.0.0 :160-171; templates http-, tcp-, default-backend.cfg). An unread Pod counts as none.
 */
function podOptions(ctx: ParseContext, service: ServiceView, podName: string | null): { maxconn: number; weight: number | null } {
  const pod = podName ? ctx.objects.pods.find((p) => p.meta.namespace === service.meta.namespace && p.meta.name === podName) : undefined;
  const a = pod?.meta.annotations ?? {};
  const weightText = a['ingress.appscode.com/backend-weight'];
  const parsed = weightText === undefined ? null : atoi(weightText);
  const weight = ctx.profile.rules.weightFromMinusOne ? (parsed !== null && parsed > -1 ? parsed : null) : parsed ? parsed : null;
  return { maxconn: atoi(a['ingress.appscode.com/max-connections'] ?? ''), weight };
}

/** An ExternalName Service's one server: its DNS name, through a resolver with use-dns-resolver. */
function externalEndpoint(service: ServiceView, backend: Backend, legacy: boolean): TemplateEndpoint {
  const a = service.meta.annotations;
  const external = service.externalName ?? '';
  let resolver: TemplateEndpoint['resolver'] = null;
  if (parseGoBool(a['ingress.appscode.com/use-dns-resolver'] ?? '') === true) {
    const nameservers = a['ingress.appscode.com/dns-resolver-nameservers'] ?? '';
    const check = parseGoBool(a['ingress.appscode.com/dns-resolver-check-health'] ?? '');
    resolver = { name: external, check: check ?? nameservers.replace(/[[\]"\s]/g, '') !== '' };
  }
  return {
    name: 'external',
    address: external,
    port: backend.ref.servicePort,
    external: true,
    resolver,
    tlsOption: legacy ? '' : (a['ingress.appscode.com/backend-tls'] ?? ''),
    check: null,
    agent: null,
    sendProxy: '',
    maxconn: 0,
    weight: null,
  };
}

/** Service-level basic auth needs its Secret's keys; the Ingress-wide kind moves auth to the frontend. */
function backendAuth(ctx: ParseContext, service: ServiceView, frame: Frame): { basicAuth: TemplateBackend['basicAuth']; notes: string[] } {
  const { ingress, objects, profile } = ctx;
  const a = service.meta.annotations;
  const secretOf = (name: string) => objects.secrets?.find((s) => s.meta.namespace === ingress.meta.namespace && s.meta.name === name);
  const notes: string[] = [];
  let basicAuth: TemplateBackend['basicAuth'] = null;
  if (a['ingress.appscode.com/auth-type'] === 'basic' && a['ingress.appscode.com/auth-secret']) {
    const name = a['ingress.appscode.com/auth-secret'] ?? '';
    const secret = secretOf(name);
    if (secret && secret.keys.length > 0)
      basicAuth = { realm: a['ingress.appscode.com/auth-realm'] ?? '', userLists: secret.keys.map((k) => `${name}-${k}`).sort() };
    else if (objects.secrets === null || (secret && !secret.keysKnown))
      notes.push(`basic auth lines of Service ${service.meta.name} not rendered: its Secret ${name} was not read`);
  }
  if (frame.type === 'http' && (ctx.globalAuth || ctx.globalTlsAuth)) basicAuth = null;
  if (frame.type === 'default' && ctx.globalAuth) {
    const name = ingressAnnotation(profile, ingress.meta.annotations, 'auth-secret');
    const realm = ingressAnnotation(profile, ingress.meta.annotations, 'auth-realm');
    basicAuth = { realm, userLists: (secretOf(name)?.keys ?? []).map((k) => `${name}-${k}`).sort() };
  }
  return { basicAuth, notes };
}

interface ReadOptions {
  balance: string;
  rules: string[];
  rewrites: string[];
  headers: string[];
  hostNames: string[];
  alpn: string;
  proto: string;
  /** Fields written in the spelling this version does not read. */
  unreadNotes: string[];
}

/**
 * The backend fields under the spelling the version reads: before 6.0 backendRule, rewriteRule,
 * headerRule; a voyager.appscode.com/v1 backend from v2021.10.16 has neither rewrite nor header rules.
 */
function optionsOf(options: BackendOptions | undefined, profile: Profile, apiVersion: string): ReadOptions {
  const o = options ?? noBackendOptions();
  const modern = profile.rules.skipsBrokenBackends;
  const unread: string[] = [];
  const pairs: [string, string[], string, string[]][] = [
    ['backendRules', o.backendRules, 'backendRule', o.backendRule],
    ['rewriteRules', o.rewriteRules, 'rewriteRule', o.rewriteRule],
    ['headerRules', o.headerRules, 'headerRule', o.headerRule],
  ];
  for (const [plural, pluralValue, singular, singularValue] of pairs) {
    if (modern && singularValue.length > 0) unread.push(`${singular} is not read by Voyager ${profile.version} (the field is ${plural} since 6.0)`);
    if (!modern && pluralValue.length > 0) unread.push(`${plural} is not read by Voyager ${profile.version} (the field is ${singular} before 6.0)`);
  }
  const pruned = apiVersion === V1 && profile.rules.v1WithoutRewriteHeaderRules;
  if (pruned) {
    for (const [field, value] of [
      ['rewriteRules', o.rewriteRules],
      ['headerRules', o.headerRules],
    ] as const) {
      if (value.length > 0)
        unread.push(
          `${field} is not a field of voyager.appscode.com/v1 at Voyager ${profile.version} (gone since v2021.10.16; the API server drops it): write it as a backendRules line (http-request ${field === 'rewriteRules' ? 'replace-uri' : 'set-header'} ...)`,
        );
    }
  }
  return {
    balance: o.loadBalanceOn,
    rules: modern ? o.backendRules : o.backendRule,
    rewrites: pruned ? [] : modern ? o.rewriteRules : o.rewriteRule,
    headers: pruned ? [] : modern ? o.headerRules : o.headerRule,
    hostNames: o.hostNames,
    alpn: o.alpn.length > 0 ? `alpn ${o.alpn.join(',')}` : '',
    proto: o.proto,
    unreadNotes: unread,
  };
}

/** rewriteTarget (v12.0.0 parser.go:258-276; the same in 5.0.0): a reqrep rule put before the others. */
function rewriteTarget(target: string, path: string, rewriteRules: readonly string[]): string[] {
  if (target === '') return [...rewriteRules];
  if (target === '/') return [`^([^\\ :]*)\\ ${path}/?(.*$) \\1\\ ${target}\\2`, ...rewriteRules];
  const to = path.endsWith('/') ? `${target}/` : target;
  return [`^([^\\ :]*)\\ ${path}(.*$) \\1\\ ${to}\\2`, ...rewriteRules];
}

/**
 * TemplateData.sort/canonicalize: a generated name used more than once (explicit names count)
 * gets `-<hex md5>` of "address-host-port-path" (7.3.0 and later) or "host-port-path" (6.0 to
 * 7.2); the default backend's parts are all empty. Before 6.0 names were random: nothing to do.
 */
function nameDuplicates(drafts: Draft[], profile: Profile): void {
  if (!profile.rules.skipsBrokenBackends) return;
  const counts = new Map<string, number>();
  for (const d of drafts) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  for (const d of drafts) {
    if (!d.generated || (counts.get(d.name) ?? 0) < 2) continue;
    const parts = d.type === 'default' ? ['', '', '', ''] : [d.bindAddress, d.seedHost, String(d.frontendPort ?? 0), d.type === 'http' ? (d.path ?? '') : ''];
    const seed = (profile.rules.collisionSeedHasAddress ? parts : parts.slice(1)).join('-');
    d.name = `${d.name}-${createHash('md5').update(seed).digest('hex')}`;
  }
}

function hostRank(host: string): number {
  if (host === '') return 0;
  return host.startsWith('*') ? 1 : 2;
}

function compareDesc(a: string, b: string): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

/** Hosts with a name first, then wildcards, then the empty host; each group by name, descending. */
function compareHosts(a: string, b: string): number {
  return hostRank(b) - hostRank(a) || compareDesc(a.toLowerCase().replace(/^\*\./, ''), b.toLowerCase().replace(/^\*\./, ''));
}

/** Paths with more segments first, then by path descending. */
function comparePaths(a: string, b: string): number {
  const x = a.toLowerCase().replace(/^\/+|\/+$/g, '');
  const y = b.toLowerCase().replace(/^\/+|\/+$/g, '');
  return y.split('/').length - x.split('/').length || compareDesc(x, y);
}

/**
 * haproxy.cfg's order: HTTP frontends by `http://PORT` or `https://PORT` (text), hosts and paths
 * as above, the ACME challenge path of :80 moved first; then TCP frontends by port (text), hosts
 * as above; the default backend last (templates/haproxy.cfg; helper.go sort, moveAcmePathToTop).
 * Go's sort.Slice is an insertion sort at these sizes, so equal keys keep their order.
 */
function inConfigOrder(drafts: readonly Draft[], profile: Profile): Draft[] {
  // Before 7.0 a TCP service has one host and sorts by "host:port" (6.0.0 pkg/haproxy/api/types.go sortKey).
  const tcpKey = (d: Draft) => (profile.rules.tcpRulesShareFrontend ? String(d.frontendPort ?? '') : `${d.host ?? ''}:${d.frontendPort ?? ''}`);
  const frontend = (d: Draft) => (d.type === 'http' ? `${d.offloadSSL ? 'https' : 'http'}://${d.frontendPort ?? 80}` : tcpKey(d));
  const http = drafts.filter((d) => d.type === 'http');
  const tcp = drafts.filter((d) => d.type === 'tcp');
  const byFrontend = (list: Draft[]) => {
    const groups = new Map<string, Draft[]>();
    for (const d of list) {
      const key = `${frontend(d)}\u0000${d.bindAddress}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
  };
  const out: Draft[] = [];
  for (const group of byFrontend(http)) {
    // A frontend's TLS setting is its last rule's; group members share it in practice.
    const sorted = [...group].sort((a, b) => compareHosts(ruleHost(a.host), ruleHost(b.host)) || comparePaths(a.path ?? '', b.path ?? ''));
    const acme = sorted.findIndex((d) => d.frontendPort === 80 && ruleHost(d.host) === '' && d.path === ACME_PATH);
    if (acme > 0) sorted.unshift(...sorted.splice(acme, 1));
    out.push(...sorted);
  }
  for (const group of byFrontend(tcp)) out.push(...[...group].sort((a, b) => compareHosts(ruleHost(a.host), ruleHost(b.host))));
  out.push(...drafts.filter((d) => d.type === 'default'));
  return out;
}

function isIp(text: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255 && !/^0\d/.test(part));
  return /^[0-9a-fA-F:]+$/.test(text) && text.includes(':') && text.split('::').length <= 2;
}
