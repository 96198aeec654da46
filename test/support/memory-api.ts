// An in-memory API server behind kube/api.ts's Api, for in-process tests of command flows (as
// stern tests its flows against client-go's fake clientset). It models what the commands rely
// on: resourceVersion (one counter, bumped per write), 404 (get: null; patch: NotFound), merge
// patch (RFC 7386) with the metadata.resourceVersion precondition (409 Conflict in the server's
// words), dry-run (nothing stored, the result returned), list pages (limit/continue, each page
// projected as it arrives), discovery from what it holds, and watch as an event stream. The
// real-apiserver e2e tests stay the reference for the wire; this is for the flows above it.

import { ServerError, notFound } from '../../src/errors.ts';
import { isObject, type Json, type JsonObject } from '../../src/core/objects.ts';
import { matchesSelector, parseSelector } from '../../src/core/selector.ts';
import {
  CONFIGMAPS,
  DEPLOYMENTS,
  ENDPOINTS,
  EVENTS,
  NAMESPACES,
  NETWORKING_INGRESSES,
  PODS,
  SECRETS,
  SERVICES,
  qualifiedName,
  voyagerIngresses,
  type Api,
  type Connect,
  type ConnectOptions,
  type GroupVersions,
  type ListAt,
  type Projection,
  type ResourceType,
  type WatchEvent,
  type WatchQuery,
} from '../../src/kube/api.ts';

/** One call the commands made, for tests that check what was (or was not) asked. */
export interface Call {
  /** names: a metadata-only list (Api.names). */
  verb: 'get' | 'list' | 'names' | 'watch' | 'patch' | 'discover';
  type: string;
  namespace: string;
  name?: string;
  query?: Record<string, string>;
  patch?: JsonObject;
  dryRun?: boolean;
  fieldManager?: string;
}

export interface MemoryOptions {
  /** The context's namespace (what -n overrides). */
  namespace?: string;
  /** Objects to hold, each with apiVersion and kind (a known type: see TYPES). */
  objects?: readonly JsonObject[];
  /** Items per list page (the real client asks 500). */
  pageSize?: number;
  /** API groups served beyond those of the objects held, with their versions (preferred first). */
  groups?: Record<string, readonly string[]>;
}

const TYPES: readonly ResourceType[] = [
  SERVICES,
  SECRETS,
  PODS,
  ENDPOINTS,
  CONFIGMAPS,
  EVENTS,
  DEPLOYMENTS,
  NAMESPACES,
  NETWORKING_INGRESSES,
  voyagerIngresses('v1beta1'),
  voyagerIngresses('v1'),
];

function typeOf(object: JsonObject): ResourceType {
  const apiVersion = String(object['apiVersion'] ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const type = TYPES.find((t) => t.group === group && t.version === version && t.kind === object['kind']);
  if (!type) throw new Error(`memory-api: no type for ${apiVersion} ${String(object['kind'])}`);
  return type;
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

function metadataOf(object: JsonObject): JsonObject {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  object['metadata'] = metadata;
  return metadata;
}

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key] ?? null, value);
  }
  return out;
}

/** A dotted field path's value as a field selector compares it (`involvedObject.kind`). */
function fieldValue(object: JsonObject, path: string): string {
  let at: Json = object;
  for (const part of path.split('.')) at = isObject(at) ? (at[part] ?? null) : null;
  return at === null ? '' : String(at);
}

function selected(object: JsonObject, query: Record<string, string>): boolean {
  const metadata = metadataOf(object);
  const labels = isObject(metadata['labels']) ? metadata['labels'] : {};
  const labelSelector = query['labelSelector'];
  if (labelSelector) {
    const parsed = parseSelector(labelSelector);
    if (!parsed.ok) throw new ServerError(400, 'BadRequest', `Error from server (BadRequest): ${parsed.message}`);
    const text: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) text[k] = String(v);
    if (!matchesSelector(parsed.requirements, text)) return false;
  }
  for (const term of (query['fieldSelector'] ?? '').split(',').filter(Boolean)) {
    const negated = term.includes('!=');
    const [path = '', want = ''] = term.split(negated ? '!=' : /==?/);
    if ((fieldValue(object, path) === want) === negated) return false;
  }
  return true;
}

interface Stored {
  type: ResourceType;
  object: JsonObject;
}

export class MemoryApi implements Api {
  /** -n when the command connected with one, else the context's. */
  namespace: string;
  private readonly contextNamespace: string;
  /** Every call, in order. */
  readonly calls: Call[] = [];
  private readonly pageSize: number;
  private readonly groups: Record<string, readonly string[]>;
  private readonly store = new Map<string, Stored>();
  private readonly history: { resourceVersion: number; key: string; event: WatchEvent }[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly faults: { verb: Call['verb']; error: Error }[] = [];
  private revision = 0;
  private compactedAt = 0;

  constructor(options: MemoryOptions = {}) {
    this.contextNamespace = options.namespace ?? 'default';
    this.namespace = this.contextNamespace;
    this.pageSize = options.pageSize ?? 500;
    this.groups = options.groups ?? {};
    for (const object of options.objects ?? []) this.add(object);
  }

  /** A Connect for ctx.connect that returns this server with -n as its namespace, keeping what the command asked for. */
  connector(): Connect & { options: ConnectOptions[] } {
    const options: ConnectOptions[] = [];
    const connect = async (given: ConnectOptions): Promise<Api> => {
      options.push(given);
      this.namespace = given.namespace || this.contextNamespace;
      return this;
    };
    return Object.assign(connect, { options });
  }

  /** Stores an object as a create would: a new resourceVersion (and uid), an ADDED event. */
  add(object: JsonObject): JsonObject {
    const type = typeOf(object);
    const stored = clone(object);
    const metadata = metadataOf(stored);
    const namespace = type === NAMESPACES ? '' : String(metadata['namespace'] ?? this.namespace);
    if (type !== NAMESPACES) metadata['namespace'] = namespace;
    metadata['uid'] ??= `uid-${this.revision + 1}`;
    return this.commit(type, namespace, String(metadata['name']), stored, 'ADDED');
  }

  /** The stored object, as a get would return it (null when absent). */
  object(type: ResourceType, namespace: string, name: string): JsonObject | null {
    const stored = this.store.get(this.key(type, namespace, name));
    return stored ? this.served(stored.object, type) : null;
  }

  /** The next call of this verb fails with `error` (a dropped PATCH: a WriteUncertainError). */
  failNext(verb: Call['verb'], error: Error): void {
    this.faults.push({ verb, error });
  }

  /** Forgets the event history up to now: a watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.compactedAt = this.revision;
  }

  /** The current resourceVersion (of the last write). */
  get resourceVersion(): string {
    return String(this.revision);
  }

  async get(type: ResourceType, namespace: string, name: string): Promise<JsonObject | null> {
    this.record({ verb: 'get', type: qualifiedName(type), namespace, name });
    return this.object(type, namespace, name);
  }

  async list(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<JsonObject[]> {
    return (await this.listAt(type, namespace, query, project)).items;
  }

  async names(type: ResourceType, namespace: string): Promise<string[]> {
    this.record({ verb: 'names', type: qualifiedName(type), namespace });
    return [...this.store.values()]
      .filter((s) => this.sameResource(s.type, type) && metadataOf(s.object)['namespace'] === namespace)
      .map((s) => String(metadataOf(s.object)['name'] ?? ''));
  }

  /** Pages of `pageSize`, each a call with limit and continue, as the real client asks them. */
  async listAt(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<ListAt> {
    const resourceVersion = this.resourceVersion;
    const matching = [...this.store.values()]
      .filter((s) => this.sameResource(s.type, type) && (namespace === '' || metadataOf(s.object)['namespace'] === namespace))
      .map((s) => this.served(s.object, type))
      .filter((object) => selected(object, query));
    const items: JsonObject[] = [];
    let offset = 0;
    do {
      const page: Record<string, string> = { ...query, limit: String(this.pageSize) };
      if (offset > 0) page['continue'] = `${resourceVersion}:${offset}`;
      this.record({ verb: 'list', type: qualifiedName(type), namespace, query: page });
      for (const item of matching.slice(offset, offset + this.pageSize)) items.push(project ? project(item) : item);
      offset += this.pageSize;
    } while (offset < matching.length);
    return { items, resourceVersion };
  }

  /**
   * The events after `query.resourceVersion` for the type and namespace, then new ones as they
   * are written, until `signal` aborts or `timeoutSeconds` pass. Selectors apply; BOOKMARKs are
   * not sent. A resourceVersion older than the last compact() is a 410 ERROR event.
   */
  async *watch(type: ResourceType, namespace: string, query: WatchQuery, signal: AbortSignal): AsyncGenerator<WatchEvent, void, undefined> {
    this.record({ verb: 'watch', type: qualifiedName(type), namespace, query: { resourceVersion: query.resourceVersion } });
    let from = Number(query.resourceVersion || this.revision);
    if (from < this.compactedAt) {
      yield { type: 'ERROR', status: { code: 410, reason: 'Expired', message: `too old resource version: ${from} (${this.compactedAt})` } };
      return;
    }
    const deadline = query.timeoutSeconds === undefined ? null : Date.now() + query.timeoutSeconds * 1000;
    const filter: Record<string, string> = {};
    if (query.labelSelector) filter['labelSelector'] = query.labelSelector;
    if (query.fieldSelector) filter['fieldSelector'] = query.fieldSelector;
    while (!signal.aborted && (deadline === null || Date.now() < deadline)) {
      const entry = this.history.find((h) => h.resourceVersion > from);
      if (!entry) {
        await this.nextWrite(signal, deadline);
        continue;
      }
      from = entry.resourceVersion;
      const stored = this.store.get(entry.key);
      if (entry.event.type === 'ERROR' || !stored || !this.sameResource(stored.type, type)) continue;
      const object = this.served(entry.event.object, type);
      if ((namespace === '' || metadataOf(object)['namespace'] === namespace) && selected(object, filter)) yield { type: entry.event.type, object };
    }
  }

  async groupVersions(group: string): Promise<GroupVersions | null> {
    this.record({ verb: 'discover', type: group, namespace: '' });
    const versions = [...(this.groups[group] ?? [])];
    for (const { type } of this.store.values()) if (type.group === group && !versions.includes(type.version)) versions.push(type.version);
    return versions.length > 0 ? { versions, preferred: versions[0] ?? null } : null;
  }

  async voyagerVersion(): Promise<string | null> {
    const served = await this.groupVersions('voyager.appscode.com');
    return served ? (served.preferred ?? served.versions[0] ?? null) : null;
  }

  async mergePatch(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: JsonObject,
    options: { dryRun: boolean; fieldManager: string },
  ): Promise<JsonObject> {
    this.record({ verb: 'patch', type: qualifiedName(type), namespace, name, patch: clone(patch), dryRun: options.dryRun, fieldManager: options.fieldManager });
    const stored = this.store.get(this.key(type, namespace, name));
    if (!stored) throw notFound(qualifiedName(type), name);
    const wanted = isObject(patch['metadata']) ? patch['metadata']['resourceVersion'] : undefined;
    const current = metadataOf(stored.object)['resourceVersion'];
    if (wanted !== undefined && wanted !== null && wanted !== current) {
      const message = `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
      throw new ServerError(409, 'Conflict', `Error from server (Conflict): ${message}`);
    }
    const merged = mergePatch(stored.object, patch);
    if (!isObject(merged)) throw new ServerError(422, 'Invalid', 'Error from server (Invalid): the patch does not leave an object');
    const metadata = metadataOf(merged);
    metadata['resourceVersion'] = current ?? null;
    if (options.dryRun) return this.served(merged, type);
    return this.commit(stored.type, namespace, name, merged, 'MODIFIED');
  }

  private commit(type: ResourceType, namespace: string, name: string, object: JsonObject, event: 'ADDED' | 'MODIFIED'): JsonObject {
    this.revision++;
    metadataOf(object)['resourceVersion'] = String(this.revision);
    const key = this.key(type, namespace, name);
    this.store.set(key, { type, object });
    this.history.push({ resourceVersion: this.revision, key, event: { type: event, object: clone(object) } });
    for (const wake of this.waiting) wake();
    return this.served(object, type);
  }

  /** A copy in the asked version: one stored object serves every version of its group, as a CRD's does. */
  private served(object: JsonObject, type: ResourceType): JsonObject {
    const copy = clone(object);
    copy['apiVersion'] = type.group ? `${type.group}/${type.version}` : type.version;
    copy['kind'] = type.kind;
    return copy;
  }

  private sameResource(a: ResourceType, b: ResourceType): boolean {
    return a.group === b.group && a.plural === b.plural;
  }

  private key(type: ResourceType, namespace: string, name: string): string {
    return `${type.group}/${type.plural}/${namespace}/${name}`;
  }

  /** Keeps the call, then fails it if a fault waits for its verb. */
  private record(call: Call): void {
    this.calls.push(call);
    const at = this.faults.findIndex((f) => f.verb === call.verb);
    if (at < 0) return;
    const [fault] = this.faults.splice(at, 1);
    if (fault) throw fault.error;
  }

  private nextWrite(signal: AbortSignal, deadline: number | null): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = () => {
        this.waiting.delete(done);
        signal.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = deadline === null ? undefined : setTimeout(done, Math.max(0, deadline - Date.now()));
      this.waiting.add(done);
      signal.addEventListener('abort', done);
    });
  }
}
