// Operator upgrades: which backends change their effective state between two Voyager versions
// (upgrade-check), and which annotations to add so both versions agree (migrate), or to remove
// once neither needs them (migrate --prune). Pure: objects and two profiles in, rows and plans out.

import { backendLabel } from './backends.ts';
import { analyse, type Mode, type StatusItem, type StatusOptions } from './effective.ts';
import { objectLabel, type IngressView, type ObjectSet, type ServiceView } from './objects.ts';
import {
  COOKIE_KEYS,
  STICKY_ON_KEYS,
  cookieKeys,
  enableAnnotation,
  keysRead as keysReadBy,
  readingOf,
  acceptsValue,
  isCookieHash,
  DEFAULT_COOKIE,
  STICKY_KEYS,
  type KeyUse,
  readCookie,
  stickyReading,
  type Annotations,
  type CookieHash,
  type Profile,
} from './semantics.ts';

/** What one backend is under one version: written at all, sticky, how, with which cookie. */
export interface BackendState {
  written: boolean;
  sticky: boolean | null;
  mode: Mode | null;
  cookie: { name: string; hash: CookieHash | null } | null;
}

export interface UpgradeRow {
  ingress: { apiVersion: string; namespace: string; name: string };
  backend: string;
  service: { namespace: string; name: string };
  from: BackendState;
  to: BackendState;
  /** The annotations (object: key) or the parse differences that cause the change. */
  causes: string[];
}

type Role = 'ingress' | 'service';

/** Every sticky and cookie key the version reads on an object of the role. */
export function keysRead(profile: Profile, role: Role): Set<string> {
  return new Set(keysReadBy(profile, role).map((k) => k.key));
}

const itemKey = (item: StatusItem) =>
  `${item.ingress.apiVersion}/${item.ingress.namespace}/${item.ingress.name}/${item.backend.type}/${backendLabel(item.backend)}/${item.service.namespace}/${item.service.name}/${item.service.port}`;

/** Every backend's state under the profile, by a key stable across versions. */
function states(objects: ObjectSet, options: StatusOptions): Map<string, { item: StatusItem; state: BackendState }> {
  const { status, configs } = analyse(objects, options);
  const byIngress = new Map<string, IngressView>();
  for (const ingress of configs.keys()) byIngress.set(`${ingress.apiVersion}/${ingress.meta.namespace}/${ingress.meta.name}`, ingress);
  const out = new Map<string, { item: StatusItem; state: BackendState }>();
  let previous = '';
  let index = 0;
  for (const item of status.items) {
    const id = `${item.ingress.apiVersion}/${item.ingress.namespace}/${item.ingress.name}`;
    index = id === previous ? index + 1 : 0;
    previous = id;
    const ingress = byIngress.get(id);
    const config = ingress ? configs.get(ingress) : undefined;
    const written = config?.written === true && !config.skipped.some((s) => s.item === index);
    out.set(itemKey(item), { item, state: { written, sticky: item.sticky, mode: item.mode, cookie: item.cookie } });
  }
  return out;
}

function sameState(a: BackendState, b: BackendState): boolean {
  return (
    a.written === b.written &&
    a.sticky === b.sticky &&
    a.mode === b.mode &&
    a.cookie?.name === b.cookie?.name &&
    (a.cookie?.hash ?? null) === (b.cookie?.hash ?? null)
  );
}

function findIngress(objects: ObjectSet, item: StatusItem): IngressView | undefined {
  return objects.ingresses.find(
    (i) => i.apiVersion === item.ingress.apiVersion && i.meta.namespace === item.ingress.namespace && i.meta.name === item.ingress.name,
  );
}

function findService(objects: ObjectSet, item: StatusItem): ServiceView | undefined {
  return objects.services.find((s) => s.meta.namespace === item.service.namespace && s.meta.name === item.service.name);
}

/** The keys present on an object whose reading differs between the two versions. */
function differentlyRead(annotations: Annotations, role: Role, from: Profile, to: Profile): string[] {
  const a = keysRead(from, role);
  const b = keysRead(to, role);
  return [...STICKY_ON_KEYS, ...COOKIE_KEYS].filter((key) => annotations[key] !== undefined && a.has(key) !== b.has(key));
}

/** Backends whose effective state differs between `from` and `to`, with what causes it. */
export function upgradeCheck(objects: ObjectSet, base: Omit<StatusOptions, 'profile'>, from: Profile, to: Profile): UpgradeRow[] {
  return changedBackends(objects, base, from, to).map((c) => c.row);
}

function changedBackends(objects: ObjectSet, base: Omit<StatusOptions, 'profile'>, from: Profile, to: Profile): { key: string; row: UpgradeRow }[] {
  const before = states(objects, { ...base, profile: from });
  const after = states(objects, { ...base, profile: to });
  const rows: { key: string; row: UpgradeRow }[] = [];
  for (const [key, was] of before) {
    const will = after.get(key);
    if (!will || sameState(was.state, will.state)) continue;
    const item = was.item;
    const causes: string[] = [];
    const ingress = findIngress(objects, item);
    const service = findService(objects, item);
    if (ingress)
      for (const k of differentlyRead(ingress.meta.annotations, 'ingress', from, to))
        causes.push(`${objectLabel('ingress', ingress.meta.namespace, ingress.meta.name)}: ${k}`);
    if (service)
      for (const k of differentlyRead(service.meta.annotations, 'service', from, to))
        causes.push(`${objectLabel('service', service.meta.namespace, service.meta.name)}: ${k}`);
    if (was.state.written !== will.state.written)
      causes.push(
        `written by ${was.state.written ? from.version : to.version} only: ${[...item.warnings, ...will.item.warnings].find((w) => /haproxy\.cfg|leaves backend/.test(w.message))?.message ?? 'the parse differs'}`,
      );
    if (
      item.backend.type === 'default' &&
      was.state.cookie &&
      will.state.cookie &&
      was.state.cookie.name !== will.state.cookie.name &&
      from.rules.defaultBackendCookieName !== to.rules.defaultBackendCookieName
    ) {
      // The 5.x default-backend template writes a fixed `cookie SERVERID` (5.0.0 templates/default-backend.cfg).
      causes.splice(0, causes.length, `before 6.0 the default backend's cookie is always SERVERID; from 6.0 it is the Ingress's session-cookie-name`);
    }
    if (causes.length === 0 && was.state.cookie?.name !== will.state.cookie?.name)
      causes.push('cookie settings are read from another object (9.0 reads the Service when only the Service is sticky)');
    rows.push({
      key,
      row: {
        ingress: item.ingress,
        backend: backendLabel(item.backend),
        service: { namespace: item.service.namespace, name: item.service.name },
        from: was.state,
        to: will.state,
        causes,
      },
    });
  }
  return rows;
}

export interface AnnotationChange {
  role: Role;
  /** The object as `ingress/NS/NAME` or `service/NS/NAME`. */
  object: string;
  namespace: string;
  name: string;
  /** For Ingresses: which kind (Voyager or standard). */
  apiVersion: string | null;
  set: Record<string, string>;
  remove: string[];
}

/** What the target version makes of a key's value on the object. */
export type KeyMeaning = { role: 'sticky'; sticky: boolean } | { role: 'cookie-name'; name: string } | { role: 'cookie-hash'; hash: CookieHash | null };

/** An object migrate leaves as it is: keeping today's state would remove or rewrite keys the user wrote that the target reads. */
export interface KeptObject {
  object: string;
  /** The target version's exact name ("v12.0.0"). */
  target: string;
  keys: { key: string; value: string; meaning: KeyMeaning }[];
  /** The backends that therefore change on the upgrade. */
  backends: UpgradeRow[];
}

export interface MigrationPlan {
  changes: AnnotationChange[];
  /** Backends no set of added annotations keeps the same under both versions. */
  impossible: { row: UpgradeRow; reason: string }[];
  /** The user's own keys the target reads are never removed or rewritten: these objects stay as they are. */
  kept: KeptObject[];
}

export function withAnnotations(objects: ObjectSet, changes: readonly AnnotationChange[]): ObjectSet {
  const edit = (role: Role, namespace: string, name: string, annotations: Record<string, string>): Record<string, string> => {
    const change = changes.find((c) => c.role === role && c.namespace === namespace && c.name === name);
    if (!change) return annotations;
    const out = { ...annotations, ...change.set };
    for (const key of change.remove) delete out[key];
    return out;
  };
  return {
    ...objects,
    ingresses: objects.ingresses.map((i) => ({ ...i, meta: { ...i.meta, annotations: edit('ingress', i.meta.namespace, i.meta.name, i.meta.annotations) } })),
    services: objects.services.map((s) => ({ ...s, meta: { ...s.meta, annotations: edit('service', s.meta.namespace, s.meta.name, s.meta.annotations) } })),
  };
}

/**
 * The edit that makes the target read from this object what the current version reads: keys
 * the target reads are added or set; a key only the target reads that misleads it is removed
 * (the current version does not read it, so nothing changes for it); a key both read is only
 * ever set to a value that means the same to the current version (verified afterwards).
 */
function edits(annotations: Annotations, role: Role, from: Profile, to: Profile): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const current = keysRead(from, role);
  const sticky = (profile: Profile, annotations: Annotations) => stickyReading(profile, role, annotations);
  const view = () => {
    const out: Record<string, string> = { ...annotations, ...set };
    for (const key of remove) delete out[key];
    return out;
  };
  const wasSticky = sticky(from, annotations).sticky;
  if (wasSticky && !sticky(to, view()).sticky) {
    const enable = enableAnnotation(to);
    set[enable.key] = enable.value;
  }
  if (!wasSticky) {
    for (const { key } of keysReadBy(to, role, 'sticky')) {
      if (!sticky(to, view()).sticky) break;
      if (view()[key] === undefined) continue;
      if (!current.has(key)) remove.push(key);
      // Read by both: "" is false for Go's ParseBool, not "cookie", and empty for 4.x/5.x affinity.
      else set[key] = '';
    }
  }
  const was = readCookie(from, role, annotations);
  const read = cookieKeys(to, role);
  for (const [field, keys, value] of [
    ['name', read.name, was.name],
    ['hash', read.hash, was.hash ?? ''],
  ] as const) {
    const will = readCookie(to, role, view());
    const now = field === 'name' ? will.name : (will.hash ?? '');
    if (now === value || keys.length === 0) continue;
    // The target's first key wins its look-up; the others it reads are moved out of the way when the current version does not read them.
    const first = keys[0] ?? '';
    if (value === '' && !current.has(first)) remove.push(first);
    else set[first] = value;
  }
  return { set, remove: remove.filter((key) => annotations[key] !== undefined && set[key] === undefined) };
}

/**
 * migrate --to: add the keys the target reads, object by object, so that every backend keeps its
 * current state under both versions; never remove a key the current version reads. A backend the
 * additions cannot keep is reported, and (without force) the objects it involves are left as they are.
 */
export function planMigration(
  objects: ObjectSet,
  base: Omit<StatusOptions, 'profile'>,
  from: Profile,
  to: Profile,
  options: { force: boolean },
): MigrationPlan {
  const changed = changedBackends(objects, base, from, to);
  if (changed.length === 0) return { changes: [], impossible: [], kept: [] };
  const rows = changed.map((c) => c.row);
  const changes = new Map<string, AnnotationChange>();
  const keptKeys = new Map<string, KeptObject['keys']>();
  const add = (role: Role, namespace: string, name: string, apiVersion: string | null, annotations: Annotations) => {
    const { set, remove } = edits(annotations, role, from, to);
    const changed = Object.fromEntries(Object.entries(set).filter(([k, v]) => annotations[k] !== v));
    if (Object.keys(changed).length === 0 && remove.length === 0) return;
    const object = objectLabel(role, namespace, name);
    const overruled = usersKeysTouched(annotations, role, to, changed, remove);
    if (overruled.length > 0) keptKeys.set(object, overruled);
    else changes.set(object, { role, object, namespace, name, apiVersion, set: changed, remove });
  };
  for (const row of rows) {
    const ingress = objects.ingresses.find(
      (i) => i.apiVersion === row.ingress.apiVersion && i.meta.namespace === row.ingress.namespace && i.meta.name === row.ingress.name,
    );
    if (ingress) add('ingress', ingress.meta.namespace, ingress.meta.name, ingress.apiVersion, ingress.meta.annotations);
    const service = objects.services.find((s) => s.meta.namespace === row.service.namespace && s.meta.name === row.service.name);
    if (service) add('service', service.meta.namespace, service.meta.name, null, service.meta.annotations);
  }
  let planned = [...changes.values()];
  const before = states(objects, { ...base, profile: from });
  // Every backend, not only the changed ones: an added key may reach others (a shared Service).
  const verify = (list: AnnotationChange[]): UpgradeRow[] => {
    const after = withAnnotations(objects, list);
    const underFrom = states(after, { ...base, profile: from });
    const underTo = states(after, { ...base, profile: to });
    const out: UpgradeRow[] = [];
    for (const [key, was] of before) {
      const a = underFrom.get(key)?.state;
      const b = underTo.get(key)?.state;
      if (a && b && sameState(was.state, a) && sameState(was.state, b)) continue;
      const known = changed.find((c) => c.key === key)?.row;
      const item = was.item;
      const achieved = (a && !sameState(was.state, a) ? a : b) ?? was.state;
      out.push({
        ...(known ?? {
          ingress: item.ingress,
          backend: backendLabel(item.backend),
          service: { namespace: item.service.namespace, name: item.service.name },
          from: was.state,
          causes: ['an added annotation would change it'],
        }),
        to: achieved,
      });
    }
    return out;
  };
  let failing = verify(planned);
  if (failing.length > 0 && !options.force) {
    // Leave alone every object a failing backend involves; what remains must still verify.
    const involved = new Set(
      failing.flatMap((row) => [
        objectLabel('ingress', row.ingress.namespace, row.ingress.name),
        objectLabel('service', row.service.namespace, row.service.name),
      ]),
    );
    planned = planned.filter((c) => !involved.has(c.object));
    failing = verify(planned);
  }
  const keptRow = (row: UpgradeRow) =>
    keptKeys.has(objectLabel('ingress', row.ingress.namespace, row.ingress.name)) ||
    keptKeys.has(objectLabel('service', row.service.namespace, row.service.name));
  const impossible = failing.filter((row) => !keptRow(row)).map((row) => ({ row, reason: impossibleReason(row, from, to) }));
  const kept = [...keptKeys].map(([object, keys]) => ({
    object,
    target: to.version,
    keys,
    backends: failing.filter((row) =>
      [objectLabel('ingress', row.ingress.namespace, row.ingress.name), objectLabel('service', row.service.namespace, row.service.name)].includes(object),
    ),
  }));
  return { changes: planned, impossible, kept };
}

/** The keys an edit would remove or rewrite that the user wrote and the target reads, with what the target makes of each. */
function usersKeysTouched(annotations: Annotations, role: Role, to: Profile, set: Record<string, string>, remove: readonly string[]): KeptObject['keys'] {
  const touched = [...Object.keys(set).filter((key) => annotations[key] !== undefined), ...remove];
  const out: KeptObject['keys'] = [];
  for (const key of STICKY_KEYS.map((k) => k.key)) {
    const value = annotations[key];
    const reading = readingOf(to, role, key);
    if (value === undefined || !reading || !touched.includes(key)) continue;
    out.push({ key, value, meaning: meaningOf(reading, value) });
  }
  return out;
}

function meaningOf(reading: KeyUse, value: string): KeyMeaning {
  if (reading.role === 'cookie-name') return { role: 'cookie-name', name: value || DEFAULT_COOKIE };
  if (reading.role === 'cookie-hash') return { role: 'cookie-hash', hash: isCookieHash(value) ? value : null };
  return { role: 'sticky', sticky: acceptsValue(reading.accepts, value) };
}

/** One backend's state in words: `cookie SHOPID (md5)`, `source-ip`, `no`, `not written`. */
export function describeState(state: BackendState): string {
  if (!state.written) return 'not written';
  if (state.sticky === null) return 'unknown';
  if (!state.sticky) return 'no';
  if (state.mode === 'cookie' && state.cookie) return `cookie ${state.cookie.name}${state.cookie.hash ? ` (${state.cookie.hash})` : ''}`;
  return state.mode ?? 'yes';
}

function impossibleReason(row: UpgradeRow, from: Profile, to: Profile): string {
  if (row.from.written !== row.to.written)
    return `Voyager ${row.from.written ? to.version : from.version} writes no config for it whatever the annotations say`;
  if (row.from.sticky !== true && row.to.sticky === true)
    return `a key both versions read makes it sticky under ${to.version} only, and no value of it means the same to ${from.version}`;
  return `it is ${describeState(row.from)} under ${from.version}; with the keys its other backends need, ${to.version} makes it ${describeState(row.to)}`;
}

/**
 * migrate --prune (after the upgrade): remove the sticky and cookie keys that neither version
 * reads on the object. Nothing else is touched.
 */
export function planPrune(objects: ObjectSet, from: Profile, to: Profile): AnnotationChange[] {
  const out: AnnotationChange[] = [];
  const prune = (role: Role, namespace: string, name: string, apiVersion: string | null, annotations: Annotations) => {
    const a = keysRead(from, role);
    const b = keysRead(to, role);
    const remove = [...STICKY_ON_KEYS, ...COOKIE_KEYS].filter((key) => annotations[key] !== undefined && !a.has(key) && !b.has(key));
    if (remove.length > 0) out.push({ role, object: objectLabel(role, namespace, name), namespace, name, apiVersion, set: {}, remove });
  };
  for (const i of objects.ingresses) prune('ingress', i.meta.namespace, i.meta.name, i.apiVersion, i.meta.annotations);
  for (const s of objects.services) prune('service', s.meta.namespace, s.meta.name, null, s.meta.annotations);
  return out;
}
