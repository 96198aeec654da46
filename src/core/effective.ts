// The effective sticky state of every backend, why it is so, and what in the annotations does
// nothing. Pure: objects and a profile in, the StickyStatus document out.

import { backendLabel, backendsOf, handledByVoyager, indexServices, serviceKey, type Backend, type BackendType } from './backends.ts';
import { objectLabel, type IngressView, type ObjectSet, type ServiceView } from './objects.ts';
import { parseIngress, type IngressConfig } from './parse.ts';
import type { EventView } from './objects.ts';
import {
  COOKIE_KEYS,
  DEFAULT_COOKIE,
  reasonsOfAnyVersion,
  KEY,
  STICKY_ON_KEYS,
  cookieKeys,
  cookieSourceRole,
  describeProfile,
  ingressSticky,
  enableAnnotation,
  enableText,
  parseGoBool,
  readCookie,
  readingOf,
  retired,
  retiredSince,
  serviceSticky,
  type Annotations,
  type CookieHash,
  type Profile,
  type ProfileId,
  type SemanticsSource,
} from './semantics.ts';

export interface Warning {
  object: string;
  message: string;
}

export type Mode = 'cookie' | 'source-ip';
export type Deployed = 'in-sync' | 'drift' | 'unknown';

export interface StatusItem {
  ingress: { apiVersion: string; namespace: string; name: string };
  backend: { type: BackendType; host: string | null; path: string | null; port: number | null };
  service: { namespace: string; name: string; port: string; found: boolean };
  /** null when the Service could not be read and the Ingress alone does not decide. */
  sticky: boolean | null;
  sources: ('ingress' | 'service')[];
  mode: Mode | null;
  cookie: { name: string; hash: CookieHash | null } | null;
  warnings: Warning[];
  deployed?: Deployed;
}

export interface StickyStatus {
  apiVersion: 'kubectl-sticky/v1alpha1';
  kind: 'StickyStatus';
  /**
   * voyagerVersion: the version in force as given or detected ("v12.0.0"; "3.2" when assumed);
   * profile: whose rules apply; assumedFrom (omitted when the version's own code is public): the
   * public code whose behaviour stands in for a closed-source release's, as the Semantics line says.
   */
  semantics: { voyagerVersion: string; profile: ProfileId; source: SemanticsSource; assumedFrom?: string };
  items: StatusItem[];
  warnings: Warning[];
}

export interface StatusOptions {
  profile: Profile;
  source: SemanticsSource;
  /** The operator's --ingress-class, when it runs with one. */
  ingressClass: string | null;
  /** Namespaces whose Services could not be read (for example Forbidden); '*' for all. */
  unreadableServiceNamespaces?: readonly string[];
}

// Cookie names applications set themselves; HAProxy's `indirect` takes such a cookie over.
const APPLICATION_COOKIES = [
  'JSESSIONID',
  'PHPSESSID',
  'ASP.NET_SessionId',
  'connect.sid',
  'laravel_session',
  'sessionid',
  '_session_id',
  'rack.session',
  'SESSION',
  'csrftoken',
];

const TRUTHY_LOOKING = ['cookie', 'true', '1', 't', 'yes', 'y', 'on', 'enabled', 'enable', 'sticky'];

function looksLikeOn(value: string): boolean {
  return TRUTHY_LOOKING.includes(value.trim().toLowerCase());
}

function ingressLabel(ingress: IngressView): string {
  return objectLabel('ingress', ingress.meta.namespace, ingress.meta.name);
}

function serviceLabel(service: ServiceView): string {
  return objectLabel('service', service.meta.namespace, service.meta.name);
}

/** Annotation mistakes visible on one object alone, under the profile. */
export function annotationWarnings(profile: Profile, role: 'ingress' | 'service', annotations: Annotations, object: string): Warning[] {
  const out: Warning[] = [];
  const warn = (message: string) => out.push({ object, message });
  const version = describeProfile(profile);
  const has = (key: string) => annotations[key] !== undefined;
  const kind = role === 'ingress' ? 'an Ingress' : 'a Service';
  const on = enableAnnotation(profile);

  for (const key of STICKY_ON_KEYS) {
    const value = annotations[key];
    if (value === undefined) continue;
    const reading = readingOf(profile, role, key);
    if (reading?.accepts.kind === 'exactly' && value !== reading.accepts.value && looksLikeOn(value)) {
      warn(`${key} is "${value}": only the exact value "${reading.accepts.value}" makes backends sticky in ${version}; this value does nothing`);
    }
    if (reading?.accepts.kind === 'go-bool' && parseGoBool(value) === null) {
      warn(`${key} is "${value}": ${version} reads it as a Go boolean (true, True, TRUE, t, T, 1), so this value means false`);
    }
    if (reading?.accepts.kind === 'non-empty' && key === KEY.legacyAffinity && value !== '' && !looksLikeOn(value)) {
      warn(`${key} is "${value}", yet ${version} makes the Ingress sticky for ANY non-empty value`);
    }
  }
  for (const key of profile.retiredKeys) {
    if (has(key)) warn(`${key} is ignored since Voyager ${retiredSince(key)} (stickiness comes from ${enableText(profile)}); this key does nothing`);
  }
  if (has(KEY.legacyAffinity) && !retired(profile, KEY.legacyAffinity) && !readingOf(profile, role, KEY.legacyAffinity))
    warn(`${KEY.legacyAffinity} is not read on ${kind} by ${version}; this key does nothing`);
  if (has(KEY.affinity) && !readingOf(profile, role, KEY.affinity)) {
    const arrived = role === 'ingress' ? '5.0.0-rc.11 on Ingresses' : '6.0 on Services';
    warn(`${KEY.affinity} is not read on ${kind} by ${version} (it arrived in ${arrived}); use ${enableText(profile)}`);
  }
  if (has(KEY.camelStickySession)) warn(`${KEY.camelStickySession} is not a Voyager key (the key is ${on.key}); it does nothing`);

  const read = cookieKeys(profile, role);
  for (const key of COOKIE_KEYS) {
    if (!has(key) || read.name.includes(key) || read.hash.includes(key)) continue;
    if (retired(profile, key)) continue; // already reported as legacy
    let why: string;
    if (cookieKeys(profile, 'ingress').name.length === 0) why = `${version} always uses cookie SERVERID and no hash`;
    // Only a Service can lack the name keys here: an Ingress without them is 3.2's, said just above.
    else if (read.name.length === 0) why = `cookie settings on a Service are read only from Voyager 9.0 on; ${version} uses the Ingress's`;
    else if (key.endsWith('hash') && !profile.cookieHash) why = `${version} has no cookie hash (it arrived in 4.0.0-rc.0)`;
    else why = `${version} does not read this spelling (it reads ${[...read.name, ...read.hash].join(', ')})`;
    warn(`${key} is ignored: ${why}`);
  }
  const hashKey = read.hash.find((key) => annotations[key] !== undefined);
  const cookie = readCookie(profile, role, annotations);
  if (hashKey && cookie.invalidHash !== null) {
    warn(`${hashKey} "${cookie.invalidHash}" is not a Voyager hash (md5, sha = SHA-512, index): cookie values will be the raw server names`);
  }
  return out;
}

function cookieKeyPresent(annotations: Annotations): boolean {
  return COOKIE_KEYS.some((key) => annotations[key] !== undefined);
}

/** A Service that says "not sticky" in some spelling: an attempt to opt out. */
function saysNotSticky(annotations: Annotations): boolean {
  return STICKY_ON_KEYS.some((key) => {
    const value = annotations[key];
    return value !== undefined && !looksLikeOn(value);
  });
}

interface CookieUse {
  object: string;
  annotations: Annotations;
  role: 'ingress' | 'service';
  used: boolean;
  /** A sticky Ingress used its own cookie settings instead (reported per backend). */
  sawStickyIngress: boolean;
  /** The object made a backend sticky that uses no cookie (TCP, ssl-passthrough). */
  stickyWithoutCookie: boolean;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function computeStatus(objects: ObjectSet, options: StatusOptions): StickyStatus {
  return analyse(objects, options).status;
}

/**
 * The status document and, for every Ingress the operator handles, its parse (parse.ts): the
 * annotations decide what would be sticky; the parse decides what the operator writes at all.
 */
export function analyse(objects: ObjectSet, options: StatusOptions): { status: StickyStatus; configs: Map<IngressView, IngressConfig> } {
  const { profile } = options;
  const services = indexServices(objects.services);
  const unreadable = new Set(options.unreadableServiceNamespaces);
  const warnings: Warning[] = [...objects.issues];
  const objectWarnings = new Map<string, Warning[]>();
  const cookieUses = new Map<string, CookieUse>();

  const warningsOf = (object: string, role: 'ingress' | 'service', annotations: Annotations): Warning[] => {
    let found = objectWarnings.get(object);
    // Stryker disable next-line ConditionalExpression: a cache; annotationWarnings is pure, so computing again gives the same warnings
    if (!found) {
      found = annotationWarnings(profile, role, annotations, object);
      // Stryker disable next-line all: the cache again
      objectWarnings.set(object, found);
    }
    return found;
  };
  const trackCookie = (object: string, role: 'ingress' | 'service', annotations: Annotations): CookieUse => {
    let use = cookieUses.get(object);
    if (!use) {
      use = { object, annotations, role, used: false, sawStickyIngress: false, stickyWithoutCookie: false };
      cookieUses.set(object, use);
    }
    return use;
  };

  const ingresses = objects.ingresses
    .filter((ingress) => handledByVoyager(ingress, options.ingressClass))
    .sort((a, b) => compareText(a.meta.namespace, b.meta.namespace) || compareText(a.meta.name, b.meta.name));

  const items: StatusItem[] = [];
  const configs = new Map<IngressView, IngressConfig>();
  for (const ingress of ingresses) {
    const ingressObject = ingressLabel(ingress);
    const ingressAnnotations = ingress.meta.annotations;
    const ingressReading = ingressSticky(profile, ingressAnnotations);
    // Stryker disable next-line StringLiteral: any text that is not a Go true reads the same as absent
    const passthrough = parseGoBool(ingressAnnotations[KEY.sslPassthrough] ?? '') === true;
    // Stryker disable next-line StringLiteral: absent reads as one replica; only more than one is warned about, so 0 ('') is the same
    const replicas = Number(ingressAnnotations[KEY.replicas] ?? '1');
    const ingressCookie = trackCookie(ingressObject, 'ingress', ingressAnnotations);
    const passthroughDefault = passthrough && !ingress.rules.some((rule) => rule.http);
    const ingressItems: StatusItem[] = [];
    for (const backend of backendsOf(ingress)) {
      ingressItems.push(
        backendItem(backend, {
          profile,
          ingress,
          ingressObject,
          ingressSticky: ingressReading.sticky,
          ingressWarnings: warningsOf(ingressObject, 'ingress', ingressAnnotations),
          passthrough,
          replicas: Number.isFinite(replicas) ? replicas : 1,
          service: services.get(serviceKey(backend.service.namespace, backend.service.name)) ?? null,
          serviceUnreadable: unreadable.has('*') || unreadable.has(backend.service.namespace),
          serviceWarnings: (service) => warningsOf(serviceLabel(service), 'service', service.meta.annotations),
          ingressCookie,
          trackCookie,
          passthroughDefault,
        }),
      );
    }
    const config = parseIngress(ingress, objects, profile, ingressItems);
    configs.set(ingress, config);
    warnings.push(...operatorWords(ingress, config, objects.events, profile));
    items.push(...writtenItems(ingress, ingressItems, config, profile));
  }

  for (const use of cookieUses.values()) {
    if (use.used || !cookieKeyPresent(use.annotations)) continue;
    const read = cookieKeys(profile, use.role);
    if (![...read.name, ...read.hash].some((key) => use.annotations[key] !== undefined)) continue; // reported as not read
    if (use.role === 'service' && use.sawStickyIngress) continue; // reported per backend
    const message = use.stickyWithoutCookie
      ? 'session-cookie settings do nothing here: the backends this object makes sticky are TCP or ssl-passthrough, which stick by source IP, not by cookie'
      : `session-cookie settings do nothing by themselves: no sticky cookie backend uses them (${use.role === 'ingress' ? 'the Ingress' : 'the Service'} needs ${enableText(profile)})`;
    warnings.push({ object: use.object, message });
  }

  for (const item of items) warnings.push(...item.warnings);
  const status: StickyStatus = {
    apiVersion: 'kubectl-sticky/v1alpha1',
    kind: 'StickyStatus',
    semantics: {
      voyagerVersion: profile.version,
      profile: profile.id,
      source: options.source,
      ...(profile.basis.assumed ? { assumedFrom: profile.basis.code } : {}),
    },
    items,
    warnings: dedupe(warnings),
  };
  return { status, configs };
}

const FAILED = reasonsOfAnyVersion('invalid', 'configFailed', 'configMapFailed');
// A failed Service means no config only when no ConfigMap was written: the operator reconciles the
// ConfigMap before the LoadBalancer Service (shared/operator c109 wrote both events and a config).
const SERVICE_FAILED = reasonsOfAnyVersion('serviceFailed');
const WROTE = reasonsOfAnyVersion('written');
const BACKEND_INVALID = reasonsOfAnyVersion('backendInvalid');

/**
 * The operator's own words, from the Events it recorded on the Ingress, beside the prediction:
 * its latest "wrote / did not write" Event agrees or disagrees with the parse, and its
 * BackendInvalid Events name the backends it left out. Events expire (an hour by default), so
 * silence says nothing.
 */
function operatorWords(ingress: IngressView, config: IngressConfig, events: readonly EventView[], profile: Profile): Warning[] {
  const object = ingressLabel(ingress);
  const mine = events
    .filter((e) => e.namespace === ingress.meta.namespace && e.involved.kind === 'Ingress' && e.involved.name === ingress.meta.name)
    .sort((a, b) => compareText(a.time, b.time));
  const out: Warning[] = [];
  const latest = [...mine].reverse().find((e) => FAILED.has(e.reason) || WROTE.has(e.reason)) ?? [...mine].reverse().find((e) => SERVICE_FAILED.has(e.reason));
  const said = (e: EventView) => `${e.reason} "${e.message}"${e.time ? ` (${e.time})` : ''}`;
  if (latest) {
    const failed = !WROTE.has(latest.reason);
    if (config.written && failed) {
      out.push({
        object,
        message: `DISAGREES: the operator's latest Event is ${said(latest)}, but ${describeProfile(profile)} would write a config from the objects read; the cause is outside them (a Secret, the cluster) or the operator runs another version`,
      });
    } else if (!config.written && !failed) {
      out.push({
        object,
        message: `DISAGREES: the prediction is that no config is written, but the operator's latest Event is ${said(latest)}; is the operator the version assumed here?`,
      });
    } else if (!config.written) {
      out.push({ object, message: `the operator agrees: ${said(latest)}` });
    }
  }
  const skippedEvents = mine.filter((e) => BACKEND_INVALID.has(e.reason));
  if (skippedEvents.length > 0) {
    const skipped = config.written ? config.skipped.length : 0;
    const messages = [...new Set(skippedEvents.map((e) => e.message))].slice(-3);
    for (const message of messages) {
      // From 9.0 a backend without endpoints is written with this Event: no disagreement.
      const written = profile.rules.writesBackendsWithoutEndpoints && message.includes('endpoint not found');
      const verdict =
        config.written && skipped === 0 && !written ? 'DISAGREES: the prediction leaves no backend out, but the operator says' : 'the operator says';
      out.push({ object, message: `${verdict}: BackendInvalid "${message}"` });
    }
  }
  return out;
}

/**
 * A backendRules line `cookie NAME ...` follows Voyager's own cookie line in the section, and
 * HAProxy keeps the last `cookie` directive of a backend (checked with haproxy, see
 * test/e2e/haproxy.test.ts): the cookie clients get is that one.
 */
function overriddenCookie(item: StatusItem, backendRules: readonly string[], object: string): StatusItem {
  if (item.mode !== 'cookie' || !item.cookie) return item;
  const rule = [...backendRules].reverse().find((line) => /^cookie\s+\S/.test(line.trim()));
  if (!rule) return item;
  const name = rule.trim().split(/\s+/)[1] ?? item.cookie.name;
  const warning = {
    object,
    message: `backend ${backendLabel(item.backend)}: the backendRules line "${rule.trim()}" comes after Voyager's "cookie ${item.cookie.name} insert indirect nocache", and HAProxy uses the last cookie line: the sticky cookie is ${name}, as that line sets it`,
  };
  return { ...item, cookie: { ...item.cookie, name }, warnings: dedupe([...item.warnings, warning]) };
}

/**
 * What reaches haproxy.cfg: an Ingress the operator writes no config for has no sticky backend
 * (one warning says why), and a backend it leaves out is not sticky (a warning each).
 */
function writtenItems(ingress: IngressView, items: readonly StatusItem[], config: IngressConfig, profile: Profile): StatusItem[] {
  const object = ingressLabel(ingress);
  const version = describeProfile(profile);
  const unstick = (item: StatusItem, warning: Warning): StatusItem => ({
    ...item,
    sticky: item.sticky === null ? null : false,
    sources: [],
    mode: null,
    cookie: null,
    warnings: dedupe([...item.warnings, warning]),
  });
  if (!config.written) {
    const warning = {
      object,
      message: `${version} writes no haproxy.cfg for this Ingress (${config.failure.event}): ${config.failure.message}; HAProxy keeps running its last config, so no backend of it is sticky by these annotations`,
    };
    return items.map((item) => unstick(item, warning));
  }
  const skipped = new Map(config.skipped.map((s) => [s.item, s]));
  const sections = new Map(config.backends.map((b) => [b.item, b]));
  return items.map((item, index) => {
    const left = skipped.get(index);
    if (!left) return overriddenCookie(item, sections.get(index)?.backendRules ?? [], object);
    // A missing Service already has its own warning from backendItem.
    if (!item.service.found) return item;
    return unstick(item, { object, message: `${version} leaves backend ${backendLabel(item.backend)} out of haproxy.cfg: ${left.reason}` });
  });
}

interface BackendContext {
  profile: Profile;
  ingress: IngressView;
  ingressObject: string;
  ingressSticky: boolean;
  ingressWarnings: Warning[];
  passthrough: boolean;
  replicas: number;
  service: ServiceView | null;
  serviceUnreadable: boolean;
  serviceWarnings: (service: ServiceView) => Warning[];
  ingressCookie: CookieUse;
  trackCookie: (object: string, role: 'ingress' | 'service', annotations: Annotations) => CookieUse;
  /** ssl-passthrough with no HTTP rule: the default backend becomes a TCP rule on :80. */
  passthroughDefault: boolean;
}

function backendItem(backend: Backend, ctx: BackendContext): StatusItem {
  const { profile, service } = ctx;
  const warnings: Warning[] = [...ctx.ingressWarnings];
  const serviceObject = objectLabel('service', backend.service.namespace, backend.service.name);
  const base = {
    ingress: { apiVersion: ctx.ingress.apiVersion, namespace: ctx.ingress.meta.namespace, name: ctx.ingress.meta.name },
    backend: { type: backend.type, host: backend.host, path: backend.path, port: backend.port },
    service: { namespace: backend.service.namespace, name: backend.service.name, port: backend.ref.servicePort, found: service !== null },
  };
  const where = `backend ${backendLabel(backend)} of ingress ${ctx.ingress.meta.namespace}/${ctx.ingress.meta.name}`;
  const notSticky = (sticky: boolean | null): StatusItem => ({ ...base, sticky, sources: [], mode: null, cookie: null, warnings: dedupe(warnings) });

  if (!service) {
    if (ctx.serviceUnreadable) {
      warnings.push({ object: serviceObject, message: `cannot read Services in namespace ${backend.service.namespace}: stickiness of ${where} is unknown` });
      return notSticky(null);
    }
    const hint = backend.ref.serviceName.includes('.')
      ? ` ("${backend.ref.serviceName}" means Service ${backend.service.name} in namespace ${backend.service.namespace})`
      : '';
    // Before 6.0 the Ingress-level warning (writtenItems) says what follows: no config at all.
    const consequence = profile.rules.skipsBrokenBackends ? `Voyager skips ${where}` : `needed by ${where}`;
    warnings.push({ object: serviceObject, message: `not found${hint}: ${consequence}` });
    return notSticky(false);
  }

  const serviceAnnotations = service.meta.annotations;
  warnings.push(...ctx.serviceWarnings(service));
  const serviceReading = serviceSticky(profile, serviceAnnotations);
  const serviceCookie = ctx.trackCookie(serviceObject, 'service', serviceAnnotations);

  if (service.type === 'ExternalName') {
    if (ctx.ingressSticky || serviceReading.sticky) {
      warnings.push({ object: serviceObject, message: `is an ExternalName Service: Voyager never makes it sticky, whatever the annotations say (${where})` });
    }
    return notSticky(false);
  }
  if (service.sessionAffinity && service.sessionAffinity !== 'None') {
    warnings.push({ object: serviceObject, message: `spec.sessionAffinity ${service.sessionAffinity} is kube-proxy's setting: Voyager's HAProxy ignores it` });
  }
  if (ctx.ingressSticky && !serviceReading.sticky && saysNotSticky(serviceAnnotations)) {
    warnings.push({
      object: serviceObject,
      message: `cannot opt out: ingress ${ctx.ingress.meta.namespace}/${ctx.ingress.meta.name} makes every backend sticky, whatever the Service says`,
    });
  }

  const sources: ('ingress' | 'service')[] = [];
  if (ctx.ingressSticky) sources.push('ingress');
  if (serviceReading.sticky) sources.push('service');
  if (sources.length === 0) return notSticky(false);

  // ssl-passthrough turns HTTP rules into TCP; the default backend's template still writes a cookie.
  const tcp = backend.type === 'tcp' || (ctx.passthrough && backend.type === 'http') || (ctx.passthroughDefault && backend.type === 'default');
  if (tcp) {
    if (ctx.ingressSticky) ctx.ingressCookie.stickyWithoutCookie = true;
    if (serviceReading.sticky) serviceCookie.stickyWithoutCookie = true;
    if (ctx.replicas > 1) {
      warnings.push({
        object: ctx.ingressObject,
        message: `source-IP stickiness of ${where} is per HAProxy replica: ${ctx.replicas} replicas keep ${ctx.replicas} separate stick tables (no peers), lost on every reload`,
      });
    }
    return { ...base, sticky: true, sources, mode: 'source-ip', cookie: null, warnings: dedupe(warnings) };
  }

  const role = cookieSourceRole(profile, ctx.ingressSticky);
  if (ctx.ingressSticky) serviceCookie.sawStickyIngress = true;
  const from = role === 'ingress' ? ctx.ingressCookie : serviceCookie;
  const cookie = readCookie(profile, role, from.annotations);
  // The default backend never hashes its cookie values.
  const hash = backend.type === 'default' ? null : cookie.hash;
  const name = !profile.rules.defaultBackendCookieName && backend.type === 'default' ? DEFAULT_COOKIE : cookie.name;
  from.used = true;
  const serviceKeys = cookieKeys(profile, 'service');
  if (role === 'ingress' && [...serviceKeys.name, ...serviceKeys.hash].some((key) => serviceAnnotations[key] !== undefined)) {
    warnings.push({
      object: serviceObject,
      message: `session-cookie settings are ignored for ${where}: the Ingress is sticky, so its cookie settings apply`,
    });
  }
  if (APPLICATION_COOKIES.some((app) => app.toLowerCase() === name.toLowerCase())) {
    warnings.push({
      object: from.object,
      message: `cookie name ${name} is an application's session cookie: with "indirect", HAProxy takes it over and strips it before the request reaches the app`,
    });
  }
  return { ...base, sticky: true, sources, mode: 'cookie', cookie: { name, hash }, warnings: dedupe(warnings) };
}

/**
 * The warnings once each, by object and message, in first-seen order. Most repeats are the same
 * Warning (an Ingress's warnings are shared by all its backends' items), so identity is checked
 * first; the text is compared per object, without joining the two strings for every warning.
 */
function dedupe(warnings: readonly Warning[]): Warning[] {
  const same = new Set<Warning>();
  const messages = new Map<string, Set<string>>();
  const out: Warning[] = [];
  for (const warning of warnings) {
    if (same.has(warning)) continue;
    same.add(warning);
    let seen = messages.get(warning.object);
    if (!seen) {
      seen = new Set();
      messages.set(warning.object, seen);
    }
    if (seen.has(warning.message)) continue;
    seen.add(warning.message);
    out.push(warning);
  }
  return out;
}
