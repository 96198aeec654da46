// Gathers the objects a command needs, from the cluster or from files, and picks the semantics.
// Live and offline differ only here: the core cannot tell them apart.

import { backendsOf } from '../core/backends.ts';
import { coreFields, objectsFrom, type ObjectSet } from '../core/objects.ts';
import { chooseSemantics, type SemanticsChoice } from '../core/semantics.ts';
import { CONFIGMAPS, DEPLOYMENTS, ENDPOINTS, EVENTS, NETWORKING_INGRESSES, SERVICES, voyagerIngresses, type Api } from '../kube/api.ts';
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

function decide(flag: string | undefined, objects: ObjectSet, servedVersions: readonly string[] | null): SemanticsChoice {
  const result = chooseSemantics({ flag: flag ?? null, deployments: deploymentsOf(objects), servedVersions });
  if (!result.ok) throw new UserError(result.message);
  return result.choice;
}

async function gatherOffline(args: SourceOptions, ctx: Context): Promise<Gathered> {
  const { readManifests } = await import('../manifests/read.ts');
  const raws = readManifests(args.filename, () => readStdin(ctx));
  const objects = objectsFrom(raws, args.namespace || 'default');
  return {
    objects,
    choice: decide(args['voyager-version'], objects, null),
    unreadableServiceNamespaces: [],
    scope: '',
    kube: null,
    notes: [],
  };
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

export async function gatherLive(args: SourceOptions, ctx: Context, needs: GatherNeeds, labelSelector: string | undefined, connected?: Api): Promise<Gathered> {
  const kube = connected ?? (await connect(args, ctx));
  const scope = args['all-namespaces'] ? '' : kube.namespace;
  const notes: Gathered['notes'] = [];
  const where = scope ? `namespace ${scope}` : 'all namespaces';

  const discovery = await kube.groupVersions('voyager.appscode.com');
  const voyagerVersion = await kube.voyagerVersion();
  if (!discovery)
    notes.push({
      object: 'voyager.appscode.com',
      message: 'the API group is not served: the Voyager CRDs are not installed, so only standard Ingresses are read',
    });

  const ingressQuery: Record<string, string> = labelSelector ? { labelSelector } : {};
  const optional = async <T>(what: string, load: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await load();
    } catch (error) {
      if (!isForbidden(error)) throw error;
      notes.push({ object: what, message: `cannot list ${what} in ${where} (forbidden); they are left out` });
      return [];
    }
  };
  const required = async <T>(load: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await load();
    } catch (error) {
      if (isForbidden(error) && !scope) {
        throw new ServerError(
          403,
          'Forbidden',
          `${error instanceof Error ? error.message : String(error)}; you may have rights in one namespace only: try -n NAMESPACE`,
        );
      }
      throw error;
    }
  };
  const unreadable: string[] = [];
  const listServices = async (namespace: string) => {
    try {
      return await kube.list(SERVICES, namespace, {}, coreFields);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      unreadable.push(namespace || '*');
      return [];
    }
  };
  const operatorDeployments = async () => {
    if (args['voyager-version']) return [];
    try {
      const lists = await Promise.all(
        ['app.kubernetes.io/name=voyager', 'app=voyager'].map((labelSelector) => kube.list(DEPLOYMENTS, '', { labelSelector }, coreFields)),
      );
      return lists.flat();
    } catch (error) {
      if (isForbidden(error)) return [];
      throw error;
    }
  };

  // The operator's Events on Ingresses: what it says it refused, to set beside the prediction.
  const events = () => optional('events', () => kube.list(EVENTS, scope, { fieldSelector: 'involvedObject.kind=Ingress' }, coreFields));
  const [voyager, networking, services, endpoints, configMaps, deployments, ingressEvents] = await Promise.all([
    voyagerVersion ? required(() => kube.list(voyagerIngresses(voyagerVersion), scope, ingressQuery, coreFields)) : Promise.resolve([]),
    optional('ingresses.networking.k8s.io', () => kube.list(NETWORKING_INGRESSES, scope, ingressQuery, coreFields)),
    listServices(scope),
    needs.endpoints ? optional('endpoints', () => kube.list(ENDPOINTS, scope, {}, coreFields)) : Promise.resolve([]),
    needs.configMaps ? optional('configmaps', () => kube.list(CONFIGMAPS, scope, {}, coreFields)) : Promise.resolve([]),
    operatorDeployments(),
    events(),
  ]);

  const objects = objectsFrom([...voyager, ...networking, ...services, ...endpoints, ...configMaps, ...deployments, ...ingressEvents], kube.namespace);

  // Backends may name Services in other namespaces (`name.namespace`): fetch those namespaces too.
  if (scope) {
    const others = new Set<string>();
    for (const ingress of objects.ingresses) {
      for (const backend of backendsOf(ingress)) if (backend.service.namespace !== scope) others.add(backend.service.namespace);
    }
    const extra = await Promise.all(
      [...others].sort().map(async (namespace) => ({
        services: await listServices(namespace),
        endpoints: needs.endpoints ? await optional(`endpoints in ${namespace}`, () => kube.list(ENDPOINTS, namespace, {}, coreFields)) : [],
      })),
    );
    const more = objectsFrom(
      extra.flatMap((e) => [...e.services, ...e.endpoints]),
      kube.namespace,
    );
    objects.services.push(...more.services);
    objects.endpoints.push(...more.endpoints);
  }

  // Secrets are never listed live (names only would do, but the right to list them is rare).
  objects.secrets = null;
  const choice = decide(args['voyager-version'], objects, discovery?.versions ?? []);
  // Before 9.0 a backend without ready endpoints is left out of haproxy.cfg: status needs them.
  if (!needs.endpoints && !choice.profile.rules.writesBackendsWithoutEndpoints) {
    const namespaces = scope ? [scope, ...new Set(objects.services.map((s) => s.meta.namespace).filter((n) => n !== scope))] : [''];
    const lists = await Promise.all(
      namespaces.map((namespace) => optional(`endpoints${namespace ? ` in ${namespace}` : ''}`, () => kube.list(ENDPOINTS, namespace, {}, coreFields))),
    );
    objects.endpoints.push(...objectsFrom(lists.flat(), kube.namespace).endpoints);
  }
  return {
    objects,
    choice,
    unreadableServiceNamespaces: unreadable,
    scope,
    kube,
    notes,
  };
}

export function gather(args: SourceOptions, ctx: Context, needs: GatherNeeds, labelSelector?: string): Promise<Gathered> {
  return args.filename.length > 0 ? gatherOffline(args, ctx) : gatherLive(args, ctx, needs, labelSelector);
}
