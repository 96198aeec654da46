// Gathers the objects a command needs, from the cluster or from files, and picks the semantics.
// Live and offline differ only here: the core cannot tell them apart.

import { backendsOf, canExist, indexServices, ingressesUsing, mayUse, serviceKey, servicesNeeded, type ServiceRef } from '../core/backends.ts';
import {
  coreFields,
  endpointsKnownFromFiles,
  isObject,
  objectsFrom,
  type IngressView,
  type JsonObject,
  type ObjectSet,
  type SecretView,
} from '../core/objects.ts';
import { admittedByCrd } from '../core/crd.ts';
import { readsSecrets } from '../core/parse.ts';
import { chooseSemantics, profileFor, type Profile, type SemanticsChoice } from '../core/semantics.ts';
import {
  CONFIGMAPS,
  DEPLOYMENTS,
  ENDPOINTS,
  EVENTS,
  NETWORKING_INGRESSES,
  PODS,
  SECRETS,
  SERVICES,
  voyagerIngresses,
  type Api,
  type ResourceType,
} from '../kube/api.ts';
import { unknownVersionRefusal, unknownVersionWarning, VERSION_ENV } from '../output/semantics.ts';
import { ServerError, UserError } from '../errors.ts';
import type { ClusterOptions, SourceOptions } from './flags.ts';
import type { Context } from './io.ts';

export interface Gathered {
  objects: ObjectSet;
  choice: SemanticsChoice;
  /** Namespaces whose Services could not be listed. */
  unreadableServiceNamespaces: string[];
  /** Namespace scope: '' for all namespaces (or files), else the namespace. */
  scope: string;
  /** The connection, in live mode. */
  kube: Api | null;
  /** Warnings about gathering itself (forbidden optional lists and the like). */
  notes: { object: string; message: string }[];
}

export interface GatherNeeds {
  endpoints: boolean;
  configMaps: boolean;
  /** The endpoint Pods of the backends (render's server lines); status never reads Pods. */
  pods?: boolean;
}

function readStdin(ctx: Context): string {
  try {
    return ctx.io.stdin();
  } catch {
    throw new UserError('cannot read standard input');
  }
}

function deploymentsOf(objects: ObjectSet) {
  return objects.deployments.map((d) => ({ object: `deployment/${d.meta.namespace}/${d.meta.name}`, labels: d.meta.labels, images: d.images }));
}

/** The version the user names: --voyager-version, else the environment variable (checked as the flag is). */
interface NamedVersion {
  text: string;
  from: 'flag' | 'env';
}

function namedVersion(args: Pick<SourceOptions, 'voyager-version'>, ctx: Context): NamedVersion | null {
  const flag = args['voyager-version'];
  if (flag) return { text: flag, from: 'flag' };
  const env = ctx.env?.[VERSION_ENV];
  if (env === undefined || env === '') return null;
  const result = profileFor(env);
  if (!result.ok) throw new UserError(`${VERSION_ENV}: ${result.message}`);
  return { text: env, from: 'env' };
}

function decide(named: NamedVersion | null, objects: ObjectSet, servedVersions: readonly string[] | null): SemanticsChoice {
  const result = chooseSemantics({ flag: named?.text ?? null, deployments: deploymentsOf(objects), servedVersions });
  if (!result.ok) throw new UserError(result.message);
  return named?.from === 'env' ? { profile: result.choice.profile, source: 'env' } : result.choice;
}

/**
 * A write needs a known version: made for the bare 3.2 guess it may write keys the real operator
 * ignores (sticky-session does nothing from 6.0 on). A dry run or --local (`dryRun`) writes nothing
 * anywhere: it goes on under the guess and says so.
 */
export function requireKnownVersion(choice: SemanticsChoice, dryRun: boolean, ctx: Context): void {
  if (choice.source !== 'default') return;
  if (!dryRun) throw new UserError(unknownVersionRefusal(choice));
  ctx.io.err(unknownVersionWarning(choice));
}

/**
 * Objects from files are in their own namespaces, -n standing in for a missing one, as with kubectl.
 * `kubectl get -f` then reads each object where it says, whatever -n names; `kubectl annotate -f`
 * refuses an object whose namespace is not -n's. Here -n scopes what is shown and changed to its
 * namespace (the other objects are still read: backends reach across namespaces), and an -n that
 * no Ingress or Service of the files is in, or a TARGET only elsewhere, is annotate's refusal.
 */
function checkNamespace(objects: ObjectSet, namespace: string): void {
  const metas = [...objects.ingresses, ...objects.services].map((o) => o.meta);
  const [first] = metas;
  if (first && !metas.some((m) => m.namespace === namespace)) throw namespaceMismatch(first.namespace, namespace);
}

/** kubectl annotate -f --local -n's words (kubectl 1.32 on the test plane). */
function namespaceMismatch(found: string, given: string): UserError {
  return new UserError(
    `the namespace from the provided object "${found}" does not match the namespace "${given}". You must pass '--namespace=${found}' to perform this operation.`,
  );
}

async function gatherOffline(args: SourceOptions, ctx: Context): Promise<Gathered> {
  const named = namedVersion(args, ctx);
  const { fetchUrls, readManifests } = await import('../manifests/read.ts');
  await fetchUrls(args.filename, args['request-timeout']);
  const raws = readManifests(args.filename, () => readStdin(ctx));
  const namespace = args.namespace ?? '';
  const objects = objectsFrom(raws, namespace || 'default');
  objects.endpointsRead = endpointsKnownFromFiles(objects);
  if (namespace) checkNamespace(objects, namespace);
  const choice = decide(named, objects, null);
  return { objects: admittedByCrd(objects, choice.profile), choice, unreadableServiceNamespaces: [], scope: namespace, kube: null, notes: [] };
}

/**
 * A TARGET among the files' objects of its kind: in the -n namespace (`scope`), else in whichever
 * namespace the files put it; in two namespaces it is ambiguous. Undefined when it is not there.
 */
export function findInFiles<T extends { meta: { namespace: string; name: string } }>(candidates: readonly T[], name: string, scope: string): T | undefined {
  const found = candidates.filter((c) => c.meta.name === name && (scope === '' || c.meta.namespace === scope));
  const elsewhere = found.length === 0 ? candidates.find((c) => c.meta.name === name) : undefined;
  if (elsewhere) throw namespaceMismatch(elsewhere.meta.namespace, scope);
  if (found.length > 1) {
    const namespaces = [...new Set(found.map((c) => c.meta.namespace))].sort();
    if (namespaces.length > 1) throw new UserError(`${name} is in more than one namespace of the files (${namespaces.join(', ')}): name one with -n`);
  }
  return found[0];
}

/** Connects with kubectl's connection flags; -v lines go to the command's stderr. */
export function connect(args: ClusterOptions, ctx: Context): Promise<Api> {
  return ctx.connect({
    // The connection flags by their kubectl names (kube/api.ts ConnectOptions); the rest is ignored.
    ...args,
    // 0 (the default) means the client's default bound, not kubectl's "wait forever".
    timeoutMs: args['request-timeout'],
    verbosity: args.v ?? 0,
    log: ctx.io.err,
  });
}

function isForbidden(error: unknown): boolean {
  return error instanceof ServerError && error.code === 403;
}

/** The operator's Deployments, by their labels in all namespaces: what the semantics are detected from. */
async function listOperatorDeployments(named: NamedVersion | null, kube: Api): Promise<JsonObject[]> {
  if (named) return [];
  try {
    const lists = await Promise.all(
      ['app.kubernetes.io/name=voyager', 'app=voyager'].map((labelSelector) => kube.list(DEPLOYMENTS, '', { labelSelector }, coreFields)),
    );
    return lists.flat();
  } catch (error) {
    if (isForbidden(error)) return [];
    throw error;
  }
}

/** One live gathering's lists and what they learnt besides the objects: notes, unreadable namespaces, complete Endpoints. */
class LiveReader {
  readonly notes: Gathered['notes'] = [];
  readonly unreadable: string[] = [];
  /** Namespaces ('*': all) whose Endpoints were listed whole: there a Service without one has none. */
  readonly endpointsRead: string[] = [];
  readonly kube: Api;
  /** '' for all namespaces. */
  readonly scope: string;
  private readonly where: string;

  constructor(kube: Api, scope: string) {
    this.kube = kube;
    this.scope = scope;
    this.where = scope ? `namespace ${scope}` : 'all namespaces';
  }

  /** A list the command can do without: forbidden, it is left out with a note. */
  async optional<T>(what: string, load: () => Promise<T[]>): Promise<T[]> {
    try {
      return await load();
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.notes.push({ object: what, message: `cannot list ${what} in ${this.where} (forbidden); they are left out` });
      return [];
    }
  }

  /** A list the command needs: forbidden across the cluster, the error says to try one namespace. */
  async required<T>(load: () => Promise<T[]>): Promise<T[]> {
    try {
      return await load();
    } catch (error) {
      if (isForbidden(error) && !this.scope) {
        throw new ServerError(
          403,
          'Forbidden',
          `${error instanceof Error ? error.message : String(error)}; you may have rights in one namespace only: try -n NAMESPACE`,
        );
      }
      throw error;
    }
  }

  async services(namespace: string): Promise<JsonObject[]> {
    try {
      return await this.kube.list(SERVICES, namespace, {}, coreFields);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      this.unreadable.push(namespace || '*');
      return [];
    }
  }

  /** `started`: the list, already made (endpointsAhead); its failure is judged here, in order. */
  async endpoints(namespace: string, what: string, started?: Settled<JsonObject[]>): Promise<JsonObject[]> {
    let listed = false;
    const raws = await this.optional(what, async () => {
      const all = started ? unsettle(started) : await this.kube.list(ENDPOINTS, namespace, {}, coreFields);
      listed = true;
      return all;
    });
    if (listed) this.endpointsRead.push(namespace || '*');
    return raws;
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
function unsettle<T>(s: Settled<T>): T {
  if (s.ok) return s.value;
  throw s.error;
}

/**
 * The scope's Endpoints list, started as soon as the operator's Deployments say the semantics
 * need it (before 9.0: addEndpoints), beside the other lists instead of after them. Null when
 * they do not, or when the semantics cannot be decided (the gather then fails as before).
 * Settled: a failure is addEndpoints' to report, after the other lists'.
 */
async function endpointsAhead(
  reader: LiveReader,
  deployments: Promise<JsonObject[]>,
  named: NamedVersion | null,
  served: readonly string[],
): Promise<Settled<JsonObject[]> | null> {
  let choice: SemanticsChoice;
  try {
    choice = decide(named, objectsFrom(await deployments, reader.kube.namespace), served);
  } catch {
    return null;
  }
  return choice.profile.rules.writesBackendsWithoutEndpoints ? null : settle(reader.kube.list(ENDPOINTS, reader.scope, {}, coreFields));
}

/** The scope's Ingresses, Services, Events and (as needed) Endpoints and ConfigMaps, and the operator's Deployments, at once. */
async function listScope(
  reader: LiveReader,
  query: { voyagerVersion: string | null; labelSelector: string | undefined; needs: GatherNeeds; deployments: Promise<JsonObject[]> },
): Promise<JsonObject[]> {
  const { kube, scope } = reader;
  const { voyagerVersion, needs } = query;
  const ingressQuery: Record<string, string> = query.labelSelector ? { labelSelector: query.labelSelector } : {};
  const lists = await Promise.all([
    voyagerVersion ? reader.required(() => kube.list(voyagerIngresses(voyagerVersion), scope, ingressQuery, coreFields)) : Promise.resolve([]),
    reader.optional('ingresses.networking.k8s.io', () => kube.list(NETWORKING_INGRESSES, scope, ingressQuery, coreFields)),
    reader.services(scope),
    needs.endpoints ? reader.endpoints(scope, 'endpoints') : Promise.resolve([]),
    needs.configMaps ? reader.optional('configmaps', () => kube.list(CONFIGMAPS, scope, {}, coreFields)) : Promise.resolve([]),
    query.deployments,
    // The operator's Events on Ingresses: what it says it refused, to set beside the prediction.
    reader.optional('events', () => kube.list(EVENTS, scope, { fieldSelector: 'involvedObject.kind=Ingress' }, coreFields)),
  ]);
  return lists.flat();
}

/** Backends may name Services in other namespaces (`name.namespace`): those namespaces' Services (and Endpoints) too. */
async function addOtherNamespaces(reader: LiveReader, objects: ObjectSet, needs: GatherNeeds): Promise<void> {
  const others = new Set<string>();
  for (const ingress of objects.ingresses) {
    for (const backend of backendsOf(ingress)) if (backend.service.namespace !== reader.scope) others.add(backend.service.namespace);
  }
  const extra = await Promise.all(
    [...others].sort().map(async (namespace) => ({
      services: await reader.services(namespace),
      endpoints: needs.endpoints ? await reader.endpoints(namespace, `endpoints in ${namespace}`) : [],
    })),
  );
  const more = objectsFrom(
    extra.flatMap((e) => [...e.services, ...e.endpoints]),
    reader.kube.namespace,
  );
  objects.services.push(...more.services);
  objects.endpoints.push(...more.endpoints);
}

/** Before 9.0 a backend without ready endpoints is left out of haproxy.cfg: status needs the Endpoints of every namespace read. */
async function addEndpoints(reader: LiveReader, objects: ObjectSet, ahead: Settled<JsonObject[]> | null): Promise<void> {
  const { scope } = reader;
  const namespaces = scope ? [scope, ...new Set(objects.services.map((s) => s.meta.namespace).filter((n) => n !== scope))] : [''];
  const lists = await Promise.all(
    namespaces.map((namespace) =>
      reader.endpoints(namespace, `endpoints${namespace ? ` in ${namespace}` : ''}`, namespace === scope ? (ahead ?? undefined) : undefined),
    ),
  );
  objects.endpoints.push(...objectsFrom(lists.flat(), reader.kube.namespace).endpoints);
}

/**
 * The Endpoints of backend Services without a selector, where no list read them: nobody but their
 * owner creates those, so one may be absent, and the operator then leaves the backend out. A
 * Service with a selector is assumed to have the endpoints controller's object (it creates one
 * for every such Service): its Endpoints are not read (docs/reference.md). Edits `objects`.
 */
async function addSelectorlessEndpoints(kube: Api, objects: ObjectSet, notes: Gathered['notes']): Promise<void> {
  const services = indexServices(objects.services);
  const have = new Set(objects.endpoints.map((e) => serviceKey(e.namespace, e.serviceName)));
  const listed = new Set(objects.endpointsRead);
  const refs = new Map<string, ServiceRef>();
  for (const ingress of objects.ingresses) {
    for (const { service: ref } of backendsOf(ingress)) {
      const key = serviceKey(ref.namespace, ref.name);
      const service = services.get(key);
      if (!service || service.selector || service.type === 'ExternalName' || have.has(key) || listed.has('*') || listed.has(ref.namespace) || listed.has(key))
        continue;
      refs.set(key, ref);
    }
  }
  if (refs.size === 0) return;
  const read = await readNamed(kube, ENDPOINTS, [...refs.values()]);
  objects.endpoints.push(...objectsFrom(read.objects, kube.namespace).endpoints);
  objects.endpointsRead.push(...[...refs.entries()].filter(([, ref]) => !read.forbidden.includes(ref.namespace)).map(([key]) => key));
  for (const namespace of read.forbidden) {
    notes.push({
      object: `endpoints in ${namespace}`,
      message: `cannot get the Endpoints of Services without a selector in namespace ${namespace} (forbidden): if one is absent, the operator leaves its backend out`,
    });
  }
}

/**
 * The names of the Secrets in the namespaces of the Ingresses for which the operator reads
 * Secrets before it writes (auth, stats, frontendRules; or a backend Service's basic auth), by a
 * metadata-only list: never a value. null when none needs them, or when a list is forbidden (the
 * core then says what it could not check).
 */
async function secretNames(kube: Api, objects: ObjectSet, profile: Profile): Promise<SecretView[] | null> {
  const services = indexServices(objects.services);
  const serviceAuth = (ingress: IngressView) =>
    backendsOf(ingress).some((b) => services.get(serviceKey(b.service.namespace, b.service.name))?.meta.annotations['ingress.appscode.com/auth-secret']);
  const namespaces = [...new Set(objects.ingresses.filter((i) => readsSecrets(i, profile) || serviceAuth(i)).map((i) => i.meta.namespace))].sort();
  if (namespaces.length === 0) return null;
  try {
    const lists = await Promise.all(namespaces.map(async (namespace) => ({ namespace, names: await kube.names(SECRETS, namespace) })));
    return lists.flatMap(({ namespace, names }) =>
      names.map((name) => ({ meta: { name, namespace, annotations: {}, labels: {}, resourceVersion: null }, keys: [], keysKnown: false })),
    );
  } catch (error) {
    if (isForbidden(error)) return null;
    throw error;
  }
}

/**
 * The Pods the backends' Endpoints point at (their targetRef names), by GET or one list per
 * namespace: the operator writes their backend-weight and max-connections annotations on the
 * server lines. Edits `objects`.
 */
async function addEndpointPods(kube: Api, objects: ObjectSet, notes: Gathered['notes']): Promise<void> {
  const services = indexServices(objects.services);
  const refs = new Map<string, ServiceRef>();
  for (const ingress of objects.ingresses) {
    for (const { service: ref } of backendsOf(ingress)) {
      if (!services.has(serviceKey(ref.namespace, ref.name))) continue;
      for (const e of objects.endpoints) {
        if (e.namespace !== ref.namespace || e.serviceName !== ref.name) continue;
        for (const address of e.subsets.flatMap((s) => s.addresses)) {
          if (address.podName) refs.set(serviceKey(ref.namespace, address.podName), { namespace: ref.namespace, name: address.podName });
        }
      }
    }
  }
  if (refs.size === 0) return;
  const read = await readNamed(kube, PODS, [...refs.values()]);
  objects.pods.push(...objectsFrom(read.objects, kube.namespace).pods);
  for (const namespace of read.forbidden) {
    notes.push({
      object: `pods in ${namespace}`,
      message: `cannot get Pods in namespace ${namespace} (forbidden): their weight and maxconn server options are left out`,
    });
  }
}

export async function gatherLive(args: SourceOptions, ctx: Context, needs: GatherNeeds, labelSelector: string | undefined, connected?: Api): Promise<Gathered> {
  const named = namedVersion(args, ctx);
  const kube = connected ?? (await connect(args, ctx));
  const reader = new LiveReader(kube, args['all-namespaces'] ? '' : kube.namespace);

  const discovery = await kube.groupVersions('voyager.appscode.com');
  const voyagerVersion = await kube.voyagerVersion();
  if (!discovery)
    reader.notes.push({
      object: 'voyager.appscode.com',
      message: 'the API group is not served: the Voyager CRDs are not installed, so only standard Ingresses are read',
    });

  const deployments = listOperatorDeployments(named, kube);
  // Never rejects: if a list fails, that is the error, whatever the Endpoints list under way does.
  const ahead = needs.endpoints ? Promise.resolve(null) : endpointsAhead(reader, deployments, named, discovery?.versions ?? []);
  const objects = objectsFrom(await listScope(reader, { voyagerVersion, labelSelector, needs, deployments }), kube.namespace);
  if (reader.scope) await addOtherNamespaces(reader, objects, needs);
  const choice = decide(named, objects, discovery?.versions ?? []);
  if (!needs.endpoints && !choice.profile.rules.writesBackendsWithoutEndpoints) await addEndpoints(reader, objects, await ahead);
  objects.endpointsRead = reader.endpointsRead;
  await addSelectorlessEndpoints(kube, objects, reader.notes);
  objects.secrets = await secretNames(kube, objects, choice.profile);
  if (needs.pods) await addEndpointPods(kube, objects, reader.notes);
  return { objects, choice, unreadableServiceNamespaces: reader.unreadable, scope: reader.scope, kube, notes: reader.notes };
}

export function gather(args: SourceOptions, ctx: Context, needs: GatherNeeds, labelSelector?: string): Promise<Gathered> {
  return args.filename.length > 0 ? gatherOffline(args, ctx) : gatherLive(args, ctx, needs, labelSelector);
}

/** What an enable/disable touches: the objects it writes, as read, and the Services among them. */
export interface ChangeScope {
  /** The target Services and Ingresses, as read: the reads of the rest start before they arrive. */
  targets: Promise<JsonObject[]>;
  /** The target Services: every Ingress that uses one, in any namespace, is affected. */
  services: ServiceRef[];
  /** The haproxy.cfg diffs are shown (a dry run): their server lines need the Endpoints. */
  diffs: boolean;
}

/**
 * More names than this in one namespace are read with one namespace-scoped list instead of a GET
 * each. Measured on the test plane (bench, 200 Services and 190 Endpoints a namespace): a GET
 * costs about 4 ms of this client's time (a TLS handshake each, in parallel), the list of such a
 * namespace about 13 ms, so past 8 names one list is cheaper for a namespace of a few hundred
 * objects, and a namespace of thousands still costs only its pages. It also bounds the requests of
 * an Ingress with hundreds of backends to two lists per namespace.
 */
const GETS_PER_NAMESPACE = 8;
/** GETs of one kind in flight at once: a change touching hundreds of Services opens no more connections than this. */
const GETS_IN_FLIGHT = 16;

async function inPool<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Objects of one kind by name, in several namespaces: a GET each, or a namespace's list when many are in it. */
async function readNamed(kube: Api, type: ResourceType, refs: readonly ServiceRef[]): Promise<{ objects: JsonObject[]; forbidden: string[] }> {
  const byNamespace = new Map<string, Set<string>>();
  for (const ref of refs) {
    const names = byNamespace.get(ref.namespace) ?? new Set<string>();
    names.add(ref.name);
    byNamespace.set(ref.namespace, names);
  }
  const forbidden = new Set<string>();
  const lists = [...byNamespace].filter(([, names]) => names.size > GETS_PER_NAMESPACE);
  const gets = [...byNamespace]
    .filter(([, names]) => names.size <= GETS_PER_NAMESPACE)
    .flatMap(([namespace, names]) => [...names].map((name) => ({ namespace, name })));
  const [listed, got] = await Promise.all([
    Promise.all(
      lists.map(async ([namespace, names]) => {
        try {
          return (await kube.list(type, namespace)).filter((raw) => isObject(raw['metadata']) && names.has(String(raw['metadata']['name'])));
        } catch (error) {
          if (!isForbidden(error)) throw error;
          forbidden.add(namespace);
          return [];
        }
      }),
    ),
    inPool(gets, GETS_IN_FLIGHT, async (ref) => {
      try {
        return await kube.get(type, ref.namespace, ref.name);
      } catch (error) {
        if (!isForbidden(error)) throw error;
        forbidden.add(ref.namespace);
        return null;
      }
    }),
  ]);
  return { objects: [...listed.flat(), ...got.filter((raw): raw is JsonObject => raw !== null)], forbidden: [...forbidden].sort() };
}

/** In the order the API server lists them (by etcd key): Voyager's before standard ones, each by `namespace/name`. */
function listOrder(a: IngressView, b: IngressView): number {
  if (a.flavor !== b.flavor) return a.flavor === 'voyager' ? -1 : 1;
  const ka = `${a.meta.namespace}/${a.meta.name}`;
  const kb = `${b.meta.namespace}/${b.meta.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** What one batch of ChangeReads read. */
interface NamedBatch {
  refs: ServiceRef[];
  services: Awaited<ReturnType<typeof readNamed>>;
  /** null when the Endpoints were not needed. */
  endpoints: Awaited<ReturnType<typeof readNamed>> | null;
}

/**
 * The Services (and, when `endpoints` says so, the Endpoints) behind a change's Ingresses, read in
 * batches as the Ingresses become known: those on the first page of the Ingress list are read
 * while its next pages arrive, not after the last. Each object is asked for once; the target
 * Services (`known`) are not asked for again.
 */
class ChangeReads {
  private readonly asked = new Set<string>();
  private readonly batches: Promise<NamedBatch>[] = [];
  private readonly kube: Api;
  private readonly known: ReadonlySet<string>;
  private readonly endpoints: Promise<boolean>;

  constructor(kube: Api, known: ReadonlySet<string>, endpoints: Promise<boolean>) {
    this.kube = kube;
    this.known = known;
    this.endpoints = endpoints;
  }

  /** Starts the reads of the refs no earlier call asked for. */
  add(refs: readonly ServiceRef[]): void {
    const fresh = refs.filter((ref) => {
      const key = serviceKey(ref.namespace, ref.name);
      if (!canExist(ref) || this.asked.has(key)) return false;
      this.asked.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    const batch = this.read(fresh);
    batch.catch(() => undefined); // awaited in all(); a failure meanwhile is not unhandled
    this.batches.push(batch);
  }

  private async read(refs: ServiceRef[]): Promise<NamedBatch> {
    const unknown = refs.filter((ref) => !this.known.has(serviceKey(ref.namespace, ref.name)));
    const [services, endpoints] = await Promise.all([
      readNamed(this.kube, SERVICES, unknown),
      this.endpoints.then((needed) => (needed ? readNamed(this.kube, ENDPOINTS, refs) : null)),
    ]);
    return { refs, services, endpoints };
  }

  /** Everything read, once every batch is in. */
  async all(): Promise<{ services: JsonObject[]; endpoints: JsonObject[]; endpointsRead: string[]; unreadable: string[] }> {
    const batches = await Promise.all(this.batches);
    const unreadable = new Set<string>();
    const out = { services: [] as JsonObject[], endpoints: [] as JsonObject[], endpointsRead: [] as string[] };
    for (const { refs, services, endpoints } of batches) {
      out.services.push(...services.objects);
      for (const namespace of services.forbidden) unreadable.add(namespace);
      if (!endpoints) continue;
      out.endpoints.push(...endpoints.objects);
      // A GET that found no Endpoints object (not forbidden) knows there is none.
      for (const ref of refs) if (!endpoints.forbidden.includes(ref.namespace)) out.endpointsRead.push(serviceKey(ref.namespace, ref.name));
    }
    return { ...out, unreadable: [...unreadable].sort() };
  }
}

/**
 * The Ingresses in all namespaces that may use one of the target Services (mayUse), as they
 * arrive: each page's are handed to `found` once the page is read, so their Services are read
 * while the next page is fetched. Only the namespace when the cluster's are forbidden.
 */
async function ingressesMayUsing(
  kube: Api,
  voyagerVersion: string | null,
  services: readonly ServiceRef[],
  found: (raws: JsonObject[]) => void,
): Promise<{ raws: JsonObject[]; forbidden: boolean }> {
  if (services.length === 0) return { raws: [], forbidden: false }; // an Ingress's effect is its own backends'
  const listIngresses = async (namespace: string) => {
    const kept: { voyager: JsonObject[]; networking: JsonObject[] } = { voyager: [], networking: [] };
    const page: JsonObject[] = [];
    // The projection sees a page's items in one go: the page's are handed on in a microtask, which
    // runs once the list has asked for its next page.
    const keep = (into: JsonObject[]) => (raw: JsonObject) => {
      if (!mayUse(raw, services)) return raw;
      if (page.length === 0) queueMicrotask(() => found(page.splice(0)));
      page.push(raw);
      into.push(raw);
      return raw;
    };
    await Promise.all([
      voyagerVersion ? kube.list(voyagerIngresses(voyagerVersion), namespace, {}, keep(kept.voyager)) : null,
      kube.list(NETWORKING_INGRESSES, namespace, {}, keep(kept.networking)).catch((error: unknown) => {
        if (isForbidden(error)) return [];
        throw error;
      }),
    ]);
    return [...kept.voyager, ...kept.networking];
  };
  try {
    return { raws: await listIngresses(''), forbidden: false };
  } catch (error) {
    if (!isForbidden(error)) throw error;
    return { raws: await listIngresses(kube.namespace), forbidden: true };
  }
}

/**
 * The objects the effect of an enable/disable is computed from, and no more: the Ingresses that use
 * a target Service (every namespace is listed, since `name.namespace` reaches across them; only the
 * namespace when that is forbidden) or are a target, then by GET (or namespace list) the Services of
 * ALL their backends (the operator's parse fails or skips an Ingress on any broken one) and, for a
 * dry run's diffs or before Voyager 9.0, their Endpoints (else those of Services without a
 * selector, as status reads them). No Services or Endpoints are listed across the cluster, and no
 * Events (the effect does not show the operator's words).
 */
export async function gatherForChange(args: Pick<SourceOptions, 'voyager-version'>, ctx: Context, kube: Api, scope: ChangeScope): Promise<Gathered> {
  let named: NamedVersion | null;
  try {
    named = namedVersion(args, ctx);
  } catch (error) {
    // The targets' reads are under way: their failure is not a second error.
    scope.targets.catch(() => undefined);
    throw error;
  }
  const discovery = await kube.groupVersions('voyager.appscode.com');
  const voyagerVersion = await kube.voyagerVersion();
  const operatorList = listOperatorDeployments(named, kube);
  const choice = operatorList.then((raws) => decide(named, objectsFrom(raws, kube.namespace), discovery?.versions ?? []));
  // Before 9.0 a backend without ready endpoints is left out of haproxy.cfg: the effect needs them.
  const endpointsNeeded = choice.then((c) => scope.diffs || !c.profile.rules.writesBackendsWithoutEndpoints);
  endpointsNeeded.catch(() => undefined); // its error is operatorList's, shown below
  // The target Services are read by the caller (scope.targets); a target Ingress's backends, once it is.
  const reads = new ChangeReads(kube, new Set(scope.services.map((s) => serviceKey(s.namespace, s.name))), endpointsNeeded);
  const given = scope.targets.then((raws) => objectsFrom(raws, kube.namespace));
  given.then((targets) => reads.add(servicesNeeded(targets.ingresses))).catch(() => undefined);
  const using = (raws: JsonObject[]) => ingressesUsing(objectsFrom(raws, kube.namespace).ingresses, scope.services);
  const listed = ingressesMayUsing(kube, voyagerVersion, scope.services, (raws) => reads.add(servicesNeeded(using(raws))));

  // All at once; a bad target is the error to show, whatever else failed meanwhile.
  const [targetsRead, ingressList, operatorRead, chosen] = await Promise.allSettled([given, listed, operatorList, choice]);
  if (targetsRead.status === 'rejected') throw targetsRead.reason;
  if (ingressList.status === 'rejected') throw ingressList.reason;
  if (operatorRead.status === 'rejected') throw operatorRead.reason;
  if (chosen.status === 'rejected') throw chosen.reason;
  if (ingressList.value.forbidden) {
    ctx.io.err(`Warning: cannot list Ingresses in all namespaces (forbidden): effects outside namespace ${kube.namespace} are not shown`);
  }

  const targets = targetsRead.value;
  const id = (i: IngressView) => `${i.flavor}/${i.meta.namespace}/${i.meta.name}`;
  const targetIds = new Set(targets.ingresses.map(id));
  const ingresses = [...targets.ingresses, ...using(ingressList.value.raws).filter((i) => !targetIds.has(id(i)))].sort(listOrder);
  reads.add([...scope.services, ...servicesNeeded(ingresses)]);
  const read = await reads.all();

  const found = objectsFrom([...read.services, ...read.endpoints], kube.namespace);
  const operator = objectsFrom(operatorRead.value, kube.namespace);
  const objects: ObjectSet = {
    ...operator,
    ingresses,
    services: [...targets.services, ...found.services],
    endpoints: found.endpoints,
    endpointsRead: read.endpointsRead,
    secrets: null,
  };
  const notes: Gathered['notes'] = [];
  if (!(await endpointsNeeded)) await addSelectorlessEndpoints(kube, objects, notes);
  return { objects, choice: chosen.value, unreadableServiceNamespaces: read.unreadable, scope: '', kube, notes };
}
