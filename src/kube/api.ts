// What the commands need from the API server, as an interface: the HTTP client in client.ts
// implements it, and so does test/support/memory-api.ts. Commands get a `connect` that returns
// one, so tests run them in process against the real control plane (the code users run) or the
// in-memory one. Light: no client-node import.

import type { JsonObject } from '../core/objects.ts';
import type { ConfigFlags } from './config.ts';

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
}

export const SERVICES: ResourceType = { group: '', version: 'v1', plural: 'services', kind: 'Service' };
export const ENDPOINTS: ResourceType = { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints' };
export const CONFIGMAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
export const DEPLOYMENTS: ResourceType = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' };
export const NAMESPACES: ResourceType = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace' };
export const NETWORKING_INGRESSES: ResourceType = { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' };
export function voyagerIngresses(version: string): ResourceType {
  return { group: 'voyager.appscode.com', version, plural: 'ingresses', kind: 'Ingress' };
}

export function qualifiedName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export interface GroupVersions {
  versions: string[];
  preferred: string | null;
}

export interface Api {
  /** -n, else the context's namespace, else default. */
  readonly namespace: string;
  /** GET of one object; null when it does not exist. */
  get(type: ResourceType, namespace: string, name: string): Promise<JsonObject | null>;
  /** All objects of a type in a namespace ('' for all); `project` maps each item as its page arrives (so the page's JSON can go). */
  list(type: ResourceType, namespace: string, query?: Record<string, string>, project?: Projection): Promise<JsonObject[]>;
  /**
   * The names of the objects of a type in a namespace, by a metadata-only list (a
   * PartialObjectMetadataList, as `kubectl get --show-kind -o name` can ask): no data, so no
   * Secret value ever crosses the wire.
   */
  names(type: ResourceType, namespace: string): Promise<string[]>;
  /** As list, with the collection's resourceVersion: where a watch of the same query starts. */
  listAt(type: ResourceType, namespace: string, query?: Record<string, string>, project?: Projection): Promise<ListAt>;
  /**
   * Changes to a type in a namespace ('' for all) after `query.resourceVersion`, as the server
   * streams them. The connect and the response headers have the request bound; the open stream
   * has none. The iterable ends when the server closes the stream (a watch lasts minutes: start
   * another from the last seen resourceVersion), or quietly when `signal` aborts. A failure to
   * start throws as reads do (UserError, ServerError). A resourceVersion too old to watch from
   * comes as `{ type: 'ERROR', status: { code: 410, reason: 'Expired' } }`, whether the server
   * answered 410 at the start or sent it as an event: list again and watch from there.
   */
  watch(type: ResourceType, namespace: string, query: WatchQuery, signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** The versions a group serves, or null when it is not served. */
  groupVersions(group: string): Promise<GroupVersions | null>;
  /** The version to read Voyager Ingresses in; null when the group is not served. */
  voyagerVersion(): Promise<string | null>;
  mergePatch(type: ResourceType, namespace: string, name: string, patch: JsonObject, options: { dryRun: boolean; fieldManager: string }): Promise<JsonObject>;
}

/** What a list keeps of each item (objects.coreFields: only what the core reads). */
export type Projection = (item: JsonObject) => JsonObject;

export interface ListAt {
  items: JsonObject[];
  resourceVersion: string;
}

export interface WatchQuery {
  resourceVersion: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** BOOKMARK events carry a newer resourceVersion to resume from, with no change. */
  allowWatchBookmarks?: boolean | undefined;
  /** The server ends the watch after this many seconds (its own default is 30-60 minutes). */
  timeoutSeconds?: number | undefined;
}

/** A Status object's gist, as the server sent it in an ERROR event or a failed watch. */
export interface WatchStatus {
  code: number;
  reason: string;
  message: string;
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: JsonObject } | { type: 'ERROR'; status: WatchStatus };

/** How to connect: kubectl's connection flags (config.ts reads them), and the client's settings. */
export interface ConnectOptions extends ConfigFlags {
  /** Per request; 0 means the client's default bound. */
  timeoutMs: number;
  /** kubectl's -v. */
  verbosity: number;
  /** Where -v lines go. */
  log: (line: string) => void;
}

export type Connect = (options: ConnectOptions) => Promise<Api>;
