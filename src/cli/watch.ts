// `kubectl sticky status --watch`: the status table, then every backend whose row changes, as
// `kubectl get --watch` prints them. One list and one watch per collection status reads
// (Ingresses, Services, and Endpoints and ConfigMaps when it reads them); events update the
// objects kept here, and only the Ingresses a changed object touches are judged again, with
// the same core and the same selection as the one-shot status (status.ts statusOf).

import { backendsOf, serviceKey } from '../core/backends.ts';
import { configMapName } from '../core/drift.ts';
import type { StatusItem, StickyStatus, Warning } from '../core/effective.ts';
import {
  coreFields,
  emptyObjectSet,
  isObject,
  objectLabel,
  objectsFrom,
  type ConfigMapView,
  type EndpointsView,
  type IngressView,
  type JsonObject,
  type ObjectSet,
  type ReadIssue,
  type ServiceView,
} from '../core/objects.ts';
import { ConnectionError, errorLine, ServerError, UserError } from '../errors.ts';
import { CONFIGMAPS, ENDPOINTS, qualifiedName, SERVICES, type Api, type ListAt, type ResourceType, type WatchEvent } from '../kube/api.ts';
import { renderDocument } from '../output/document.ts';
import { semanticsLine } from '../output/semantics.ts';
import { sortItems } from '../output/jsonpath.ts';
import { statusCells, watchTable, type StatusColumns, type WatchEventType, type WatchRow } from '../output/status.ts';
import { warningLines } from '../output/warnings.ts';
import type { StatusOptions } from './commands.ts';
import { connect, gatherLive, type Gathered } from './gather.ts';
import type { Context, Io } from './io.ts';
import { printTemplate, templated } from '../output/print.ts';
import { checkTargetsFound, statusNeeds, statusOf } from './status.ts';

/** Events that arrive together are judged together: a burst costs one pass, not one per event. */
const COALESCE_MS = 50;
/** Reconnects after a failure: exponential from the first, capped. */
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 4000;
/** A watch that cannot be had back for this long is given up: a clear error, exit 1. */
const GIVE_UP_MS = 30_000;

// --- the objects, kept from the lists and the events ------------------------------------------

type Kind = 'ingress' | 'service' | 'endpoints' | 'configmap';

function kindOf(type: ResourceType): Kind | null {
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

function nameOf(raw: JsonObject): { namespace: string; name: string; resourceVersion: string } {
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
  private serviceList: ServiceView[] | null = null;
  private endpointList: EndpointsView[] | null = null;
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
    this.serviceList = null;
    this.endpointList = null;
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
        this.serviceList = null;
        return new Set(this.users.get(nsName));
      }
      case 'endpoints': {
        const view = read?.endpoints[0];
        if (view) this.endpoints.set(nsName, view);
        else this.endpoints.delete(nsName);
        this.endpointList = null;
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
    // The same arrays while nothing changes: the core memoises its indexes per array.
    this.serviceList ??= [...this.services.values()];
    this.endpointList ??= [...this.endpoints.values()];
    const configMaps = ingresses.flatMap((i) => this.configMaps.get(serviceKey(i.meta.namespace, configMapName(i.meta.name))) ?? []);
    const issues = [...this.issues.values()].flat();
    return { ingresses, services: this.serviceList, endpoints: this.endpointList, configMaps, ...this.fixed, secrets: null, issues };
  }
}

// --- rows, and which of them changed ------------------------------------------------------------

/** A backend's row: its identity, and the text it prints as (compared to tell a change). */
export interface Row {
  id: string;
  item: StatusItem;
  printed: string;
}

function rowId(item: StatusItem): string {
  const { type, host, path, port } = item.backend;
  return `${type} ${host ?? ''} ${path ?? ''} ${port ?? ''} ${item.service.namespace}/${item.service.name}:${item.service.port}`;
}

/** An Ingress's items as rows; `printed` gives the text a row prints as. */
export function rowsOf(items: readonly StatusItem[], printed: (item: StatusItem) => string): Row[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = rowId(item);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { id: n === 0 ? base : `${base} #${n}`, item, printed: printed(item) };
  });
}

/**
 * The rows of one Ingress that print differently now: new and changed ones in their order, then
 * the ones gone (printed as they were, as kubectl prints a deleted object).
 */
export function changedRows(before: readonly Row[], after: readonly Row[]): WatchRow[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const now = new Set(after.map((r) => r.id));
  const out: WatchRow[] = [];
  for (const row of after) {
    const was = old.get(row.id);
    if (!was) out.push({ type: 'ADDED', item: row.item });
    else if (was.printed !== row.printed) out.push({ type: 'MODIFIED', item: row.item });
  }
  for (const row of before) if (!now.has(row.id)) out.push({ type: 'DELETED', item: row.item });
  return out;
}

function compareKeys(a: string, b: string): number {
  // apiVersion/namespace/name: order as the core does (namespace, then name), then by version.
  const split = (k: string) => {
    const parts = k.split('/');
    const name = parts.pop() ?? '';
    const namespace = parts.pop() ?? '';
    return [namespace, name, parts.join('/')];
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? '') < (y[i] ?? '') ? -1 : 1;
  return 0;
}

/** The rows printed so far, by Ingress; `update` judges some Ingresses again and says what changed. */
export class RowBook {
  private readonly rows = new Map<string, Row[]>();
  private readonly printed: (item: StatusItem) => string;
  constructor(printed: (item: StatusItem) => string) {
    this.printed = printed;
  }

  /** New items of the Ingresses `keys` (an Ingress without items has none now). */
  update(keys: Iterable<string>, items: readonly StatusItem[]): WatchRow[] {
    const byIngress = new Map<string, StatusItem[]>();
    for (const item of items) {
      const key = ingressKey(item.ingress);
      const list = byIngress.get(key) ?? [];
      byIngress.set(key, list);
      list.push(item);
    }
    const out: WatchRow[] = [];
    for (const key of [...new Set([...keys, ...byIngress.keys()])].sort(compareKeys)) {
      const after = rowsOf(byIngress.get(key) ?? [], this.printed);
      out.push(...changedRows(this.rows.get(key) ?? [], after));
      if (after.length > 0) this.rows.set(key, after);
      else this.rows.delete(key);
    }
    return out;
  }
}

// --- printing ------------------------------------------------------------------------------------

/** Prints rows as the flags ask, remembering what kubectl's printers remember between events. */
export class WatchPrinter {
  private widths: number[] | null = null;
  private documents = 0;
  private readonly warned = new Set<string>();
  private readonly io: Io;
  private readonly options: StatusOptions;
  private readonly semantics: StickyStatus['semantics'];

  constructor(io: Io, options: StatusOptions, semantics: StickyStatus['semantics']) {
    this.io = io;
    this.options = options;
    this.semantics = semantics;
  }

  /** The table's columns, for the default printer and -o wide (always with DEPLOYED, as it compares); else null. */
  private columns(): StatusColumns | null {
    const output = this.options.output;
    const wide = output?.format === 'wide';
    return output === undefined || wide ? { wide, allNamespaces: this.options['all-namespaces'], deployed: wide } : null;
  }

  /** What a row prints as, compared to tell a change: its table cells, or its document. */
  printedForm(): (item: StatusItem) => string {
    const columns = this.columns();
    return columns ? (item) => statusCells(item, columns).join('\t') : (item) => JSON.stringify(item);
  }

  rows(rows: readonly WatchRow[]): void {
    const output = this.options.output;
    const events = this.options['output-watch-events'];
    const columns = this.columns();
    if (rows.length === 0) return;
    if (columns) {
      const { text, widths } = watchTable(rows, { ...columns, noHeaders: this.options['no-headers'], events }, this.widths);
      this.widths = widths;
      this.io.out(text);
      return;
    }
    if (output === undefined) return;
    const documents = rows.map((row) => (events ? { type: row.type, object: row.item } : row.item));
    if (output.format === 'json' || output.format === 'yaml') {
      for (const document of documents) {
        // kubectl's YAML printer separates documents with ---; its JSON printer just prints them.
        if (output.format === 'yaml' && this.documents > 0) this.io.out('---');
        this.io.out(renderDocument(document, output.format));
        this.documents++;
      }
      return;
    }
    if (output.template !== null) {
      const document = { apiVersion: 'kubectl-sticky/v1alpha1', kind: 'StickyStatus', semantics: this.semantics, items: documents, warnings: [] };
      this.io.write(printTemplate(output.format, output.template, document, this.options['no-headers'] || this.documents > 0));
      this.documents++;
    }
  }

  /** Warnings not printed before. */
  warnings(warnings: readonly Warning[]): void {
    const fresh = warnings.filter((w) => !this.warned.has(`${w.object}\n${w.message}`));
    for (const w of fresh) this.warned.add(`${w.object}\n${w.message}`);
    for (const line of warningLines(fresh)) this.io.err(line);
  }
}

// --- following the server ----------------------------------------------------------------------------

/** One list and its watch. */
interface Collection {
  type: ResourceType;
  namespace: string;
  query: Record<string, string>;
  /** The objects as last seen, by `namespace/name`, with their resourceVersion. */
  seen: Map<string, string>;
  resourceVersion: string;
}

function where(c: Collection): string {
  return `${qualifiedName(c.type)}${c.namespace ? ` in namespace ${c.namespace}` : ''}`;
}

/** The Api gatherLive reads through: each list is also kept, with where its watch starts. */
function recording(kube: Api, lists: (ListAt & { type: ResourceType; namespace: string; query: Record<string, string> })[]): Api {
  return {
    namespace: kube.namespace,
    get: (type, namespace, name) => kube.get(type, namespace, name),
    list: async (type, namespace, query = {}, project) => {
      const listed = await kube.listAt(type, namespace, query, project);
      lists.push({ ...listed, type, namespace, query });
      return listed.items;
    },
    listAt: (type, namespace, query, project) => kube.listAt(type, namespace, query, project),
    watch: (type, namespace, query, signal) => kube.watch(type, namespace, query, signal),
    groupVersions: (group) => kube.groupVersions(group),
    voyagerVersion: () => kube.voyagerVersion(),
    mergePatch: (type, namespace, name, patch, options) => kube.mergePatch(type, namespace, name, patch, options),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Failures a retry cannot mend: the request itself is refused. */
function isFatal(error: unknown): boolean {
  return error instanceof ServerError && error.code >= 400 && error.code < 500 && error.code !== 408 && error.code !== 410 && error.code !== 429;
}

/** A change to the kept objects: of a type, by name; `raw` null for a deletion. */
type Change = (type: ResourceType, key: { namespace: string; name: string }, raw: JsonObject | null) => void;

/**
 * A list against what was seen before (resourceVersions by `namespace/name`): the objects new or
 * changed, the ones gone, and what is seen now.
 */
export function listedChanges(
  seen: ReadonlyMap<string, string>,
  items: readonly JsonObject[],
): { changed: JsonObject[]; gone: { namespace: string; name: string }[]; seen: Map<string, string> } {
  const now = new Map<string, string>();
  const changed: JsonObject[] = [];
  for (const raw of items) {
    const id = nameOf(raw);
    const key = serviceKey(id.namespace, id.name);
    now.set(key, id.resourceVersion);
    if (seen.get(key) !== id.resourceVersion) changed.push(raw);
  }
  const gone = [...seen.keys()]
    .filter((key) => !now.has(key))
    .map((key) => {
      const [namespace = '', name = ''] = key.split('/');
      return { namespace, name };
    });
  return { changed, gone, seen: now };
}

/** An attempt that ran this long before it failed had been answering: a new run of failures starts. */
const ANSWERING_MS = 5000;

/** The request itself ran out of time: the server is there but stalled, not answering. */
function timedOut(error: unknown): boolean {
  return error instanceof ConnectionError && error.failure === 'timeout';
}

/**
 * Follows one collection until `signal` aborts, as client-go's Reflector does: watch from the
 * last resourceVersion; when the server closes the watch, or the connection fails, watch again
 * from there (after a failure, with backoff); when the server says that version is gone (410,
 * as after its restart), list again and take the differences as changes. Throws when the
 * server stays away for GIVE_UP_MS, or refuses the watch (403 and the like).
 */
async function follow(kube: Api, c: Collection, change: Change, signal: AbortSignal, listFirst: boolean): Promise<void> {
  let failing: { since: number; attempts: number } | null = null;
  let relist = listFirst;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      if (relist) {
        const listed = await kube.listAt(c.type, c.namespace, c.query, coreFields);
        failing = null;
        relist = false;
        const differences = listedChanges(c.seen, listed.items);
        for (const raw of differences.changed) change(c.type, nameOf(raw), raw);
        for (const gone of differences.gone) change(c.type, gone, null);
        c.seen = differences.seen;
        c.resourceVersion = listed.resourceVersion;
      }
      const query = {
        resourceVersion: c.resourceVersion,
        labelSelector: c.query['labelSelector'],
        fieldSelector: c.query['fieldSelector'],
        allowWatchBookmarks: true,
      };
      let received = 0;
      for await (const event of kube.watch(c.type, c.namespace, query, signal)) {
        // Any event, a 410 too, says the server answers.
        received++;
        failing = null;
        if (!apply(c, event, change)) {
          relist = true;
          break;
        }
      }
      if (signal.aborted) return;
      // A server that ends every watch at once: count it as a failure, not a loop.
      if (!relist && received === 0 && Date.now() - started < 1000) throw new UserError(`the server ended the watch of ${where(c)} at once`);
      if (!relist) failing = null;
    } catch (error) {
      if (signal.aborted) return;
      if (isFatal(error)) throw error;
      const now = Date.now();
      const answering = now - started >= ANSWERING_MS && !timedOut(error);
      failing = failing && !answering ? { since: failing.since, attempts: failing.attempts + 1 } : { since: now, attempts: 1 };
      if (now - failing.since >= GIVE_UP_MS) {
        const reason = errorLine(error).replace(/^error: /, '');
        throw new UserError(`lost the watch of ${where(c)} and could not get it back in ${GIVE_UP_MS / 1000}s (${failing.attempts} attempts): ${reason}`);
      }
      await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failing.attempts - 1)), signal);
    }
  }
}

/** Applies one event; false when the collection must be listed again (410 Gone). */
function apply(c: Collection, event: WatchEvent, change: Change): boolean {
  if (event.type === 'ERROR') {
    if (event.status.code === 410) return false;
    throw new ServerError(event.status.code, event.status.reason, `Error from server (${event.status.reason}): ${event.status.message}`);
  }
  const id = nameOf(event.object);
  if (id.resourceVersion) c.resourceVersion = id.resourceVersion;
  if (event.type === 'BOOKMARK') return true;
  const key = serviceKey(id.namespace, id.name);
  if (event.type === 'DELETED') {
    c.seen.delete(key);
    change(c.type, id, null);
  } else {
    c.seen.set(key, id.resourceVersion);
    change(c.type, id, event.object);
  }
  return true;
}

// --- the command -------------------------------------------------------------------------------------

/** Ctrl-C (or SIGTERM, SIGHUP) ends the watch with exit 0, as kubectl get --watch does. */
function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, stop);
  const release = () => {
    for (const s of signals) process.off(s, stop);
  };
  return { signal: controller.signal, release };
}

function checkFlags(options: StatusOptions): void {
  const flag = options['watch-only'] ? '--watch-only' : options.watch ? '--watch' : null;
  if (flag === null) throw new UserError('--output-watch-events option can only be used with --watch or --watch-only');
  if (options.filename.length > 0) throw new UserError(`${flag} cannot be used with --filename: only objects in the cluster can be watched`);
}

export async function runWatch(options: StatusOptions, ctx: Context): Promise<number> {
  checkFlags(options);
  const interrupt = ctx.signal ? null : interruptSignal();
  try {
    return await watch(options, ctx, ctx.signal ?? interrupt?.signal ?? new AbortController().signal);
  } finally {
    interrupt?.release();
  }
}

async function watch(options: StatusOptions, ctx: Context, outer: AbortSignal): Promise<number> {
  const { io } = ctx;
  const lists: Parameters<typeof recording>[1] = [];
  const kube = await connect(options, ctx);
  const gathered: Gathered = await gatherLive(options, ctx, statusNeeds(options), options.selector, recording(kube, lists));
  if (outer.aborted) return 0;
  const { status, ingresses } = statusOf(gathered, options);
  checkTargetsFound(options.targets, gathered, ingresses, status.items);

  io.err(semanticsLine(gathered.choice));
  const printer = new WatchPrinter(io, options, status.semantics);
  printer.warnings(status.warnings);
  const book = new RowBook(printer.printedForm());
  const listed = book.update([], status.items);
  if (options['sort-by'] !== undefined) {
    io.err(
      `warning: ${options['watch-only'] ? '--watch-only requested, --sort-by will be ignored' : '--watch requested, --sort-by will be ignored for watch events received'}`,
    );
  }
  if (!options['watch-only']) {
    const items =
      options['sort-by'] === undefined ? listed.map((r) => r.item) : templated(() => sortItems(status.items, options['sort-by'] ?? ''), options['sort-by']);
    printer.rows(items.map((item) => ({ type: 'ADDED' satisfies WatchEventType, item })));
  }

  const store = new ObjectStore(kube.namespace, { deployments: gathered.objects.deployments, events: gathered.objects.events });
  store.seed(gathered.objects);
  const collections = new Map<string, Collection>();
  for (const list of lists) {
    if (kindOf(list.type) === null) continue;
    const seen = new Map<string, string>();
    for (const raw of list.items) {
      const id = nameOf(raw);
      seen.set(serviceKey(id.namespace, id.name), id.resourceVersion);
    }
    const key = `${qualifiedName(list.type)} ${list.namespace} ${JSON.stringify(list.query)}`;
    collections.set(key, { type: list.type, namespace: list.namespace, query: list.query, seen, resourceVersion: list.resourceVersion });
  }
  // From here on the store holds the objects: the lists and the gathered set can go.
  lists.length = 0;
  const base: Gathered = { ...gathered, objects: emptyObjectSet(), notes: [] };

  // Ended from outside (Ctrl-C), or by a collection that cannot be followed any more.
  const controller = new AbortController();
  const stop = () => controller.abort();
  outer.addEventListener('abort', stop);
  if (outer.aborted) stop();

  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const keys = pending;
    pending = new Set();
    const objects = store.objectsFor(keys);
    const { status: now } = statusOf({ ...base, objects }, options);
    const rows = book.update(keys, now.items);
    // The warnings about what was judged again: the Ingresses, their rows, objects read anew.
    const mark = (w: Warning) => `${w.object}\n${w.message}`;
    const labels = new Set([...keys].map((k) => objectLabel('ingress', ...namespaceAndName(k))));
    const related = new Set([...rows.flatMap((r) => r.item.warnings), ...objects.issues].map(mark));
    printer.warnings(now.warnings.filter((w) => labels.has(w.object) || related.has(mark(w))));
    printer.rows(rows);
  };
  // With -n, Services (and Endpoints) in the namespaces backends name are followed too: those
  // named at the start came with the gather; one named later gets its own list and watch.
  const followed = new Set([...collections.values()].map((c) => `${qualifiedName(c.type)} ${c.namespace}`));
  const alongside = [...collections.values()].filter((c) => c.namespace === base.scope && (kindOf(c.type) === 'service' || kindOf(c.type) === 'endpoints'));
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  const start = (c: Collection, listFirst: boolean) => {
    follow(kube, c, change, controller.signal, listFirst).catch((error: unknown) => {
      if (listFirst && error instanceof ServerError && error.code === 403) {
        // As the gather does: Services that cannot be read leave their backends unknown.
        if (kindOf(c.type) === 'service') base.unreadableServiceNamespaces.push(c.namespace);
        printer.warnings([
          { object: qualifiedName(c.type), message: `cannot list ${qualifiedName(c.type)} in namespace ${c.namespace} (forbidden); they are left out` },
        ]);
        for (const k of store.usersIn(c.namespace)) pending.add(k);
        timer ??= setTimeout(flush, COALESCE_MS);
        return;
      }
      // Rejected before the abort settles the race below, so the error is what the run ends with.
      fail(error);
      stop();
    });
  };
  const change: Change = (type, key, raw) => {
    for (const k of store.apply(type, key, raw)) {
      pending.add(k);
      if (base.scope === '' || kindOf(type) !== 'ingress') continue;
      for (const namespace of store.serviceNamespaces(k)) {
        for (const like of alongside) {
          if (followed.has(`${qualifiedName(like.type)} ${namespace}`)) continue;
          followed.add(`${qualifiedName(like.type)} ${namespace}`);
          start({ type: like.type, namespace, query: like.query, seen: new Map(), resourceVersion: '' }, true);
        }
      }
    }
    timer ??= setTimeout(flush, COALESCE_MS);
  };

  try {
    // Until Ctrl-C, or a collection that cannot be followed any more.
    const interrupted = new Promise<void>((resolve) => {
      if (controller.signal.aborted) resolve();
      controller.signal.addEventListener('abort', () => resolve());
    });
    for (const c of collections.values()) start(c, false);
    await Promise.race([failed, interrupted]);
  } finally {
    outer.removeEventListener('abort', stop);
    if (timer) clearTimeout(timer);
  }
  return 0;
}

function namespaceAndName(key: string): [string, string] {
  const parts = key.split('/');
  const name = parts.pop() ?? '';
  return [parts.pop() ?? '', name];
}
