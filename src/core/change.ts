// enable/disable as data: which annotations to set or remove on one object for a profile, and
// what that does to every backend that uses the object. Pure: the CLI fetches and writes.

import { backendLabel } from './backends.ts';
import { computeStatus, type StatusItem, type StatusOptions, type Warning } from './effective.ts';
import { objectLabel, type IngressView, type ObjectSet, type ServiceView } from './objects.ts';
import { formatBackends, renderBackends } from './render.ts';
import {
  COOKIE_KEYS,
  STICKY_ON_KEYS,
  isCookieHash,
  cookieKeys,
  cookieSourceRole,
  describeProfile,
  enableAnnotation,
  type Annotations,
  type Profile,
} from './semantics.ts';

export type ChangeAction = 'enable' | 'disable';
export type Role = 'ingress' | 'service';

export interface ChangeRequest {
  action: ChangeAction;
  role: Role;
  cookieName: string | null;
  cookieHash: string | null;
  overwrite: boolean;
  purge: boolean;
}

/** Keys to set (string) or remove (null): the body of a JSON merge patch of metadata.annotations. */
export type AnnotationPatch = Record<string, string | null>;

/** Why a change cannot be made as asked: data, worded by output/effect.ts refusalMessage. */
export type Refusal =
  /** 3.2 writes cookie SERVERID with no hash whatever the annotations say. */
  | { kind: 'cookie-fixed'; what: 'name' | 'hash'; version: string }
  /** Before 9.0 cookie settings are read from the Ingress only. */
  | { kind: 'cookie-on-ingress-only'; what: 'name' | 'hash'; version: string }
  /** The version predates the cookie hash (4.0.0-rc.0). */
  | { kind: 'no-cookie-hash'; version: string }
  | { kind: 'bad-cookie-name'; value: string }
  | { kind: 'bad-cookie-hash'; value: string }
  /** Cookie settings given to disable. */
  | { kind: 'cookie-with-disable' }
  /** Keys that already hold another value, without the overwrite permission. */
  | { kind: 'conflicts'; conflicts: { key: string; current: string }[] };

export type ChangePlan = { ok: true; patch: AnnotationPatch } | { ok: false; refusal: Refusal };

function refuseCookie(profile: Profile, role: Role, what: 'name' | 'hash'): Refusal | null {
  const version = describeProfile(profile);
  const keys = cookieKeys(profile, role);
  if (cookieKeys(profile, 'ingress').name.length === 0) return { kind: 'cookie-fixed', what, version };
  // Only a Service can lack the name keys here: the Ingress's were checked just above.
  if (keys.name.length === 0) return { kind: 'cookie-on-ingress-only', what, version };
  if (what === 'hash' && keys.hash.length === 0) return { kind: 'no-cookie-hash', version };
  return null;
}

/** A cookie name HAProxy and browsers take as is: an RFC 6265 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The annotation patch for one object, or why the request cannot be done as asked. */
export function planChange(profile: Profile, annotations: Annotations, request: ChangeRequest): ChangePlan {
  const patch: AnnotationPatch = {};
  const conflicts: { key: string; current: string }[] = [];
  const set = (key: string, value: string) => {
    const current = annotations[key];
    if (current === value) return;
    if (current !== undefined && !request.overwrite) conflicts.push({ key, current });
    patch[key] = value;
  };

  if (request.action === 'enable') {
    const on = enableAnnotation(profile);
    set(on.key, on.value);
    for (const [what, value] of [
      ['name', request.cookieName],
      ['hash', request.cookieHash],
    ] as const) {
      if (value === null) continue;
      const refused = refuseCookie(profile, request.role, what);
      if (refused) return { ok: false, refusal: refused };
      if (what === 'hash' ? !isCookieHash(value) : !COOKIE_NAME.test(value)) {
        return { ok: false, refusal: what === 'hash' ? { kind: 'bad-cookie-hash', value } : { kind: 'bad-cookie-name', value } };
      }
      // The spelling Voyager finds first among those present (5.x reads two), else its first.
      const spellings = what === 'name' ? cookieKeys(profile, request.role).name : cookieKeys(profile, request.role).hash;
      const key = spellings.find((k) => annotations[k] !== undefined) ?? spellings[0];
      // Stryker disable next-line ConditionalExpression: refuseCookie refused every version and role without a spelling, so key is always set
      if (key) set(key, value);
    }
  } else {
    if (request.cookieName !== null || request.cookieHash !== null) return { ok: false, refusal: { kind: 'cookie-with-disable' } };
    for (const key of request.purge ? [...STICKY_ON_KEYS, ...COOKIE_KEYS] : STICKY_ON_KEYS) {
      if (annotations[key] !== undefined) patch[key] = null;
    }
  }
  if (conflicts.length > 0) {
    return { ok: false, refusal: { kind: 'conflicts', conflicts } };
  }
  return { ok: true, patch };
}

export function isEmptyPatch(patch: AnnotationPatch): boolean {
  return Object.keys(patch).length === 0;
}

export function applyPatch(annotations: Annotations, patch: AnnotationPatch): Record<string, string> {
  const out: Record<string, string> = { ...annotations };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** Which object a change is made to, as the core sees it. */
export type ChangeTarget =
  | { role: 'service'; namespace: string; name: string }
  | { role: 'ingress'; flavor: IngressView['flavor']; namespace: string; name: string };

function isTarget(target: ChangeTarget, object: IngressView | ServiceView, role: Role): boolean {
  if (target.role !== role || object.meta.namespace !== target.namespace || object.meta.name !== target.name) return false;
  return target.role === 'service' || (object as IngressView).flavor === target.flavor;
}

/** The object set as it will be once the patches are applied. */
export function withPatches(objects: ObjectSet, changes: readonly { target: ChangeTarget; patch: AnnotationPatch }[]): ObjectSet {
  const patchFor = (object: IngressView | ServiceView, role: Role) => changes.find((c) => isTarget(c.target, object, role))?.patch;
  return {
    ...objects,
    ingresses: objects.ingresses.map((ingress) => {
      const patch = patchFor(ingress, 'ingress');
      return patch ? { ...ingress, meta: { ...ingress.meta, annotations: applyPatch(ingress.meta.annotations, patch) } } : ingress;
    }),
    services: objects.services.map((service) => {
      const patch = patchFor(service, 'service');
      return patch ? { ...service, meta: { ...service.meta, annotations: applyPatch(service.meta.annotations, patch) } } : service;
    }),
  };
}

export interface BackendEffect {
  ingress: { namespace: string; name: string; apiVersion: string };
  backend: string;
  service: { namespace: string; name: string };
  before: boolean | null;
  after: boolean | null;
  /** The sticky cookie's name before and after; null where the backend sticks by no cookie. */
  cookieBefore: string | null;
  cookieAfter: string | null;
  sourcesAfter: ('ingress' | 'service')[];
}

/** Cookie keys a change leaves on an object where, afterwards, no sticky cookie backend reads them. */
export interface IdleCookieKeys {
  object: string;
  keys: string[];
}

export interface Effect {
  backends: BackendEffect[];
  warnings: Warning[];
  /** After disable without --purge: the cookie keys left behind that do nothing. */
  idleCookieKeys: IdleCookieKeys[];
  /** HAProxy backend sections of every affected Ingress, before and after. */
  configs: { ingress: string; before: string; after: string }[];
}

function affects(item: StatusItem, targets: readonly ChangeTarget[]): boolean {
  // A Voyager and a standard Ingress may share a name: only the flavor changed is affected.
  const flavor: IngressView['flavor'] = item.ingress.apiVersion.startsWith('voyager.appscode.com/') ? 'voyager' : 'networking';
  return targets.some((t) =>
    t.role === 'service'
      ? item.service.namespace === t.namespace && item.service.name === t.name
      : item.ingress.namespace === t.namespace && item.ingress.name === t.name && t.flavor === flavor,
  );
}

const itemKey = (item: StatusItem) =>
  `${item.ingress.apiVersion}/${item.ingress.namespace}/${item.ingress.name}/${item.backend.type}/${backendLabel(item.backend)}/${item.service.namespace}/${item.service.name}`;

/** Every backend of every Ingress that the changes touch, sticky before and after. */
export function effectOf(before: ObjectSet, after: ObjectSet, targets: readonly ChangeTarget[], options: StatusOptions, action: ChangeAction): Effect {
  const was = computeStatus(before, options);
  const will = computeStatus(after, options);
  const old = new Map(was.items.map((item) => [itemKey(item), item]));
  const backends: BackendEffect[] = [];
  const warnings: Warning[] = [];
  for (const item of will.items) {
    if (!affects(item, targets)) continue;
    const previous = old.get(itemKey(item));
    backends.push({
      ingress: { namespace: item.ingress.namespace, name: item.ingress.name, apiVersion: item.ingress.apiVersion },
      backend: backendLabel(item.backend),
      service: { namespace: item.service.namespace, name: item.service.name },
      before: previous ? previous.sticky : null,
      after: item.sticky,
      cookieBefore: previous?.cookie?.name ?? null,
      cookieAfter: item.cookie?.name ?? null,
      sourcesAfter: item.sources,
    });
    // A backend has sources only while sticky, so an Ingress among them means it stays sticky.
    if (action === 'disable' && item.sources.includes('ingress') && targets.some((t) => t.role === 'service')) {
      warnings.push({
        object: `service/${item.service.namespace}/${item.service.name}`,
        message: `backend ${backendLabel(item.backend)} stays sticky: ingress ${item.ingress.namespace}/${item.ingress.name} makes every backend sticky, and a Service cannot opt out`,
      });
    }
  }
  const serviceTarget = targets.find((t) => t.role === 'service');
  if (serviceTarget && !options.profile.rules.rerendersOnServiceChange && backends.some((b) => b.before !== b.after)) {
    warnings.push({
      object: `service/${serviceTarget.namespace}/${serviceTarget.name}`,
      message: `${describeProfile(options.profile)} does not re-render HAProxy when a Service changes: the new state reaches HAProxy at the next change of the Ingress`,
    });
  }
  const idleCookieKeys = action === 'disable' ? idleCookies(after, will.items, targets, options.profile) : [];
  return { backends, warnings, idleCookieKeys, configs: configChanges(before, after, backends, options.profile) };
}

/**
 * The targets' cookie keys that no sticky cookie backend reads once the change is made: each
 * cookie backend reads the object cookieSourceRole names (the Ingress, or from 9.0 the Service
 * when only it is sticky), so keys on any other object do nothing.
 */
function idleCookies(after: ObjectSet, items: readonly StatusItem[], targets: readonly ChangeTarget[], profile: Profile): IdleCookieKeys[] {
  const out: IdleCookieKeys[] = [];
  for (const target of targets) {
    const object =
      target.role === 'service' ? after.services.find((s) => isTarget(target, s, 'service')) : after.ingresses.find((i) => isTarget(target, i, 'ingress'));
    if (!object) continue;
    const keys = COOKIE_KEYS.filter((key) => object.meta.annotations[key] !== undefined);
    if (keys.length === 0) continue;
    const used = items.some((item) => {
      if (item.mode !== 'cookie' || item.sticky !== true) return false;
      const source = cookieSourceRole(profile, item.sources.includes('ingress'));
      if (source !== target.role) return false;
      return source === 'service' ? item.service.namespace === target.namespace && item.service.name === target.name : affects(item, [target]);
    });
    if (!used) out.push({ object: objectLabel(target.role, target.namespace, target.name), keys });
  }
  return out;
}

/** The haproxy.cfg backend sections of every Ingress a backend effect names, before and after. */
function configChanges(before: ObjectSet, after: ObjectSet, backends: readonly BackendEffect[], profile: Profile): Effect['configs'] {
  const affected = new Set(backends.map((b) => `${b.ingress.apiVersion}/${b.ingress.namespace}/${b.ingress.name}`));
  const configs: Effect['configs'] = [];
  for (const ingress of after.ingresses) {
    const id = `${ingress.apiVersion}/${ingress.meta.namespace}/${ingress.meta.name}`;
    if (!affected.has(id)) continue;
    const prior = before.ingresses.find(
      (i) => i.apiVersion === ingress.apiVersion && i.meta.namespace === ingress.meta.namespace && i.meta.name === ingress.meta.name,
    );
    configs.push({
      ingress: `${ingress.flavor === 'voyager' ? '' : 'ingress.networking.k8s.io '}${ingress.meta.namespace}/${ingress.meta.name}`,
      before: prior ? formatBackends(renderBackends(prior, before, profile)) : '',
      after: formatBackends(renderBackends(ingress, after, profile)),
    });
  }
  return configs;
}
