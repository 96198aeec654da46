// status --watch's reflector, as client-go's: one list and its watch per collection, followed
// from the last resourceVersion through closed watches, failed connections (with backoff) and
// 410 Gone (listed again, the differences taken as changes).

import { serviceKey } from '../core/backends.ts';
import { coreFields, type JsonObject } from '../core/objects.ts';
import { ConnectionError, errorLine, ServerError, UserError } from '../errors.ts';
import { qualifiedName, type Api, type ListAt, type ResourceType, type WatchEvent } from '../kube/api.ts';
import { nameOf } from './watch-store.ts';

/** Reconnects after a failure: exponential from the first, capped. */
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 4000;
/** A watch that cannot be had back for this long is given up: a clear error, exit 1. */
const GIVE_UP_MS = 30_000;

/** One list and its watch. */
export interface Collection {
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
export function recording(kube: Api, lists: (ListAt & { type: ResourceType; namespace: string; query: Record<string, string> })[]): Api {
  return {
    namespace: kube.namespace,
    get: (type, namespace, name) => kube.get(type, namespace, name),
    list: async (type, namespace, query = {}, project) => {
      const listed = await kube.listAt(type, namespace, query, project);
      lists.push({ ...listed, type, namespace, query });
      return listed.items;
    },
    names: (type, namespace) => kube.names(type, namespace),
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
export type Change = (type: ResourceType, key: { namespace: string; name: string }, raw: JsonObject | null) => void;

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
export async function follow(kube: Api, c: Collection, change: Change, signal: AbortSignal, listFirst: boolean): Promise<void> {
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
