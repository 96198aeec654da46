// The Api over the transport: the resources the commands read and patch, as paths, pages, watch
// streams and discovery, with plain JSON in and out (no model round trip: that keeps `status -A`
// close to what `kubectl get` costs). Requests and their failures: transport.ts, wording.ts.

import { UserError, redact } from '../errors.ts';
import { decoded, readBody } from '../http.ts';
import { isObject, type Json, type JsonObject } from '../core/objects.ts';
import { loadConfig, type LoadedConfig } from './config.ts';
import { Transport, type ClientOptions, type Reply } from './transport.ts';
import { apiError, statusOf } from './wording.ts';
import type { Api, ConnectOptions, GroupVersions, ListAt, ResourceType, WatchEvent, Projection, WatchQuery } from './api.ts';

const PAGE_SIZE = 500;
/** The server's metadata-only list (kubectl's `-o name` asks the same): names and metadata, never data. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1';

class Kube implements Api {
  readonly namespace: string;
  private readonly transport: Transport;
  private readonly discovery = new Map<string, Promise<GroupVersions | null>>();

  constructor(config: LoadedConfig, options: ClientOptions) {
    this.namespace = config.namespace;
    this.transport = new Transport(config, options);
  }

  /** GET of one object; null when it does not exist. */
  async get(type: ResourceType, namespace: string, name: string): Promise<JsonObject | null> {
    const { status, text } = await this.transport.read(objectPath(type, namespace, name));
    if (status === 404) return null;
    if (status >= 300) throw apiError(status, text, { verb: 'get', type, namespace, name });
    return withKind(parseJson(text), type);
  }

  /** All objects of a type in a namespace ('' for all). */
  async list(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<JsonObject[]> {
    return (await this.listAt(type, namespace, query, project)).items;
  }

  async names(type: ResourceType, namespace: string): Promise<string[]> {
    const out: string[] = [];
    let token = '';
    do {
      const page: Record<string, string> = { limit: String(PAGE_SIZE) };
      if (token) page['continue'] = token;
      const { status, text } = await this.transport.read(collectionPath(type, namespace), page, METADATA_ONLY);
      if (status >= 300) throw apiError(status, text, { verb: 'list', type, namespace });
      const body = parseJson(text);
      for (const item of Array.isArray(body['items']) ? body['items'] : []) {
        const name = isObject(item) && isObject(item['metadata']) ? item['metadata']['name'] : undefined;
        if (typeof name === 'string') out.push(name);
      }
      const metadata = isObject(body['metadata']) ? body['metadata'] : {};
      token = typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
    } while (token);
    return out;
  }

  /**
   * All objects, following `continue` tokens; the resourceVersion is the first page's (the
   * snapshot's). The next page is asked for as soon as this one's token arrives (the list's
   * metadata comes before its items), so the server makes it while this one is read and decoded.
   */
  async listAt(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<ListAt> {
    const items: JsonObject[] = [];
    let resourceVersion = '';
    let page: Page | null = this.page(collectionPath(type, namespace), query, '');
    while (page) {
      const { status, text } = await page.reply;
      if (status >= 300) throw apiError(status, text, { verb: 'list', type, namespace });
      const body = parseJson(text);
      const pageItems = Array.isArray(body['items']) ? body['items'] : [];
      for (const item of pageItems) if (isObject(item)) items.push(project ? project(withKind(item, type)) : withKind(item, type));
      const metadata = isObject(body['metadata']) ? body['metadata'] : {};
      if (!resourceVersion && typeof metadata['resourceVersion'] === 'string') resourceVersion = metadata['resourceVersion'];
      const token = typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
      // The token read early is the page's own unless the head was odd: then the page is asked for again.
      page = token ? (page.next?.token === token ? page.next : this.page(collectionPath(type, namespace), query, token)) : null;
    }
    return { items, resourceVersion };
  }

  /** One page of a list, and the next one, asked for once this one's token is in. */
  private page(path: string, query: Record<string, string>, token: string): Page {
    const params: Record<string, string> = { ...query, limit: String(PAGE_SIZE) };
    if (token) params['continue'] = token;
    const page: Page = { token, reply: Promise.resolve({ status: 0, text: '', headers: {} }), next: null };
    page.reply = this.transport.read(path, params, undefined, (head) => {
      const next = continueToken(head);
      if (next === null) return false;
      if (next && !page.next) {
        page.next = this.page(path, query, next);
        // Awaited when its turn comes; a failure before then (this page's too) is not unhandled.
        page.next.reply.catch(() => undefined);
      }
      return true;
    });
    return page;
  }

  /**
   * A watch from `query.resourceVersion`. The request (connect, TLS, response headers) has the
   * usual bound; the open stream has none. Ends when the server closes the stream or `signal`
   * aborts (then quietly). A resourceVersion too old to watch from (410 Gone, at the start or
   * as an ERROR event mid-stream) comes as an ERROR event with code 410: list again and watch
   * from the new list's resourceVersion. Other failures to start throw, as reads do.
   */
  async *watch(type: ResourceType, namespace: string, query: WatchQuery, signal: AbortSignal): AsyncGenerator<WatchEvent, void, undefined> {
    if (signal.aborted) return;
    const params: Record<string, string> = { watch: '1', resourceVersion: query.resourceVersion };
    if (query.labelSelector) params['labelSelector'] = query.labelSelector;
    if (query.fieldSelector) params['fieldSelector'] = query.fieldSelector;
    if (query.allowWatchBookmarks) params['allowWatchBookmarks'] = 'true';
    if (query.timeoutSeconds !== undefined) params['timeoutSeconds'] = String(query.timeoutSeconds);
    const url = this.transport.url(collectionPath(type, namespace), params);
    const started = performance.now();
    let opened: Awaited<ReturnType<Transport['open']>>;
    try {
      opened = await this.transport.open('GET', url, undefined, { connected: false }, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof UserError) throw error;
      const failure = this.transport.failed(error, false);
      this.transport.trace(`GET ${url.href} (no answer: ${failure.message}) in ${Math.round(performance.now() - started)}ms`);
      throw failure;
    }
    const { response, timer } = opened;
    this.transport.trace(`GET ${url.href} ${response.statusCode} in ${Math.round(performance.now() - started)}ms`);
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      let text: string;
      try {
        text = await readBody(response);
      } catch (error) {
        if (signal.aborted) return;
        throw this.transport.failed(error, false);
      } finally {
        clearTimeout(timer);
      }
      if (status === 410) {
        yield { type: 'ERROR', status: statusOf(text, 410) };
        return;
      }
      throw apiError(status, text, { verb: 'watch', type, namespace });
    }
    clearTimeout(timer);
    const stream = decoded(response);
    stream.setEncoding('utf8');
    let pending = '';
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line) yield watchEvent(line, type);
          newline = pending.indexOf('\n');
        }
      }
      if (pending.trim()) yield watchEvent(pending.trim(), type);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof UserError) throw error;
      throw this.transport.failed(error, false);
    } finally {
      response.destroy();
    }
  }

  /** The versions a group serves, or null when the group is not served; asked once per process. */
  groupVersions(group: string): Promise<GroupVersions | null> {
    let answer = this.discovery.get(group);
    if (!answer) {
      answer = this.discover(group);
      this.discovery.set(group, answer);
    }
    return answer;
  }

  /** The version to read Voyager Ingresses in (the group's preferred one); null when not served. */
  async voyagerVersion(): Promise<string | null> {
    const served = await this.groupVersions('voyager.appscode.com');
    return served ? (served.preferred ?? served.versions[0] ?? null) : null;
  }

  private async discover(group: string): Promise<GroupVersions | null> {
    const { status, text } = await this.transport.read(`/apis/${group}`);
    if (status === 404) return null;
    if (status >= 300) throw apiError(status, text, { verb: 'get', type: { group, version: '', plural: '', kind: '' }, namespace: '' });
    const body = parseJson(text);
    const versions = (Array.isArray(body['versions']) ? body['versions'] : [])
      .map((v) => (isObject(v) && typeof v['version'] === 'string' ? v['version'] : ''))
      .filter(Boolean);
    const preferred =
      isObject(body['preferredVersion']) && typeof body['preferredVersion']['version'] === 'string' ? body['preferredVersion']['version'] : null;
    return { versions, preferred };
  }

  /**
   * A JSON merge patch. Never retried: a write without a precondition that reached the server
   * may have been applied, so a blind retry could repeat or reorder it.
   */
  async mergePatch(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: JsonObject,
    options: { dryRun: boolean; fieldManager: string },
  ): Promise<JsonObject> {
    const query: Record<string, string> = { fieldManager: options.fieldManager };
    if (options.dryRun) query['dryRun'] = 'All';
    const { status, text } = await this.transport.send('PATCH', objectPath(type, namespace, name), query, {
      text: JSON.stringify(patch),
      contentType: 'application/merge-patch+json',
    });
    if (status >= 300) throw apiError(status, text, { verb: 'patch', type, namespace, name });
    return withKind(parseJson(text), type);
  }
}

function watchEvent(line: string, type: ResourceType): WatchEvent {
  const event = parseJson(line);
  const kind = event['type'];
  const object = isObject(event['object']) ? event['object'] : null;
  if (kind === 'ERROR') return { type: 'ERROR', status: statusOf(JSON.stringify(object ?? {}), 500) };
  if ((kind === 'ADDED' || kind === 'MODIFIED' || kind === 'DELETED' || kind === 'BOOKMARK') && object) {
    return { type: kind, object: kind === 'BOOKMARK' ? object : withKind(object, type) };
  }
  throw new UserError('the server sent a watch event that is not ADDED, MODIFIED, DELETED, BOOKMARK or ERROR');
}

interface Page {
  token: string;
  reply: Promise<Reply>;
  next: Page | null;
}

/** The head of a list's JSON holds no more than its metadata (kind, apiVersion, metadata, then items). */
const HEAD_MAX = 65_536;

/**
 * The continue token in the head of a list's body (the API server writes kind, apiVersion and
 * metadata before the items): '' when there is none or the head is not like that, null while
 * the items have not begun.
 */
export function continueToken(head: string): string | null {
  const at = head.indexOf(',"items":');
  if (at < 0) return head.length > HEAD_MAX ? '' : null;
  let value: Json;
  try {
    value = JSON.parse(`${head.slice(0, at)}}`) as Json;
  } catch {
    return '';
  }
  const metadata = isObject(value) && isObject(value['metadata']) ? value['metadata'] : {};
  return typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
}

function collectionPath(type: ResourceType, namespace: string): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${type.plural}` : `${prefix}/${type.plural}`;
}

function objectPath(type: ResourceType, namespace: string, name: string): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}

function parseJson(text: string): JsonObject {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    throw new UserError('the server sent a response that is not JSON');
  }
  if (!isObject(value)) throw new UserError('the server sent an unexpected response');
  return value;
}

/** List items carry no apiVersion/kind; the core needs both. */
function withKind(item: JsonObject, type: ResourceType): JsonObject {
  item['apiVersion'] = type.group ? `${type.group}/${type.version}` : type.version;
  item['kind'] = type.kind;
  return item;
}

/** The real Api: the kubeconfig as kubectl loads it, and this client. */
export async function connect(options: ConnectOptions): Promise<Api> {
  return new Kube(loadConfig(options), { timeoutMs: options.timeoutMs, verbosity: options.verbosity, log: (line) => options.log(redact(line)) });
}
