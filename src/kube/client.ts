// The only module that talks to the API server. It uses client-node for what it does well
// (kubeconfig auth: certificates, tokens, exec plugins, TLS material) and sends raw requests with
// node:http(s), so lists come back as plain JSON without a model round trip (that keeps
// `status -A` close to what `kubectl get` costs), and any port kubectl reaches is reachable:
// fetch (undici) refuses the WHATWG "bad ports" (6000, 6665-6669, 10080...), a Go client does not.

import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { ServerError, UserError, WriteUncertainError, redact, registerSecret } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../core/objects.ts';
import { loadConfig, type Impersonation, type LoadedConfig } from './config.ts';
import {
  qualifiedName,
  type Api,
  type ConnectOptions,
  type GroupVersions,
  type ListAt,
  type ResourceType,
  type WatchEvent,
  type WatchQuery,
  type WatchStatus,
} from './api.ts';

interface ClientOptions {
  /**
   * Per request, in milliseconds, as given with --request-timeout; 0 means the default bound
   * (DEFAULT_TIMEOUT_MS, or KUBECTL_STICKY_DEFAULT_TIMEOUT when set: tests use it to keep a
   * stalled-server case short).
   */
  timeoutMs: number;
  /** kubectl's -v: >= 6 logs each request with status and time, >= 8 also the request headers. */
  verbosity?: number;
  /** Where -v lines go (stderr by default). */
  log?: (line: string) => void;
}

/**
 * kubectl waits forever with --request-timeout=0; a plugin run from scripts should not hang on a
 * stalled server, so 0 (the default) means this bound per request instead.
 */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The bound used when --request-timeout is 0: KUBECTL_STICKY_DEFAULT_TIMEOUT (1s, 500ms, 2m) or 60s. */
export function defaultTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['KUBECTL_STICKY_DEFAULT_TIMEOUT'];
  const match = text ? /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim()) : null;
  if (!match) return DEFAULT_TIMEOUT_MS;
  const ms = Math.round(Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000));
  return ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}

/** Header values that carry credentials, masked the way kubectl -v=8 masks them. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-remote-user-token']);

function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return redact(value);
  const scheme = /^(\w+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} <masked>` : '<masked>';
}

const PAGE_SIZE = 500;
// Reads are retried on 429/5xx and on dropped connections; writes never are (see patch()).
const READ_RETRIES = 3;

type Method = 'GET' | 'PATCH';

interface Reply {
  status: number;
  text: string;
}

/** The exchange ran out of its time bound (the timer destroys the request with this). */
class TimeoutError extends Error {
  constructor() {
    super('timeout');
    this.name = 'TimeoutError';
  }
}

/** What each request needs from the kubeconfig: TLS for the agent, and the credential headers. */
interface Prepared {
  agent: http.Agent;
  headers: Record<string, string>;
}

class Kube implements Api {
  readonly namespace: string;
  readonly server: string;
  private readonly base: URL;
  private readonly kubeConfig: KubeConfig;
  private readonly timeoutMs: number;
  private readonly timeoutIsDefault: boolean;
  private readonly verbosity: number;
  private readonly log: (line: string) => void;
  private readonly discovery = new Map<string, Promise<GroupVersions | null>>();
  private readonly impersonate: Impersonation | null;
  private readonly compression: boolean;
  // One keep-alive agent per process: discovery and the lists of a command share connections.
  private agent: http.Agent | null = null;

  constructor(config: LoadedConfig, options: ClientOptions) {
    this.kubeConfig = config.kubeConfig;
    this.namespace = config.namespace;
    this.impersonate = config.impersonate;
    this.compression = config.compression;
    this.server = config.server.replace(/\/+$/, '');
    this.base = serverUrl(this.server);
    this.timeoutIsDefault = options.timeoutMs <= 0;
    this.timeoutMs = this.timeoutIsDefault ? defaultTimeoutMs() : options.timeoutMs;
    this.verbosity = options.verbosity ?? 0;
    this.log = options.log ?? ((line) => void process.stderr.write(`${redact(line)}\n`));
  }

  /**
   * client-node turns the kubeconfig user into request options: TLS material, the Authorization
   * header (a token, basic auth, an auth provider's or an exec plugin's, refreshed as it
   * expires) and Impersonate-User. Asked per request; the agent is made once from the first answer.
   */
  private async prepare(): Promise<Prepared> {
    const options: https.RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw new UserError(`getting credentials: ${credentialProblem(error)}`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = String(value);
    if (typeof options.auth === 'string') headers['Authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    for (const [name, value] of Object.entries(headers)) {
      // The credential itself (a kubeconfig token, or an exec plugin's) is masked wherever it
      // could be printed: errors, warnings, -v logs.
      if (SECRET_HEADERS.has(name.toLowerCase())) registerSecret(value.replace(/^\w+\s+/, ''));
    }
    if (!this.agent) {
      if (this.kubeConfig.getCurrentCluster()?.proxyUrl && options.agent instanceof http.Agent) {
        // kubeconfig proxy-url: client-node's proxy agents (HTTP CONNECT, SOCKS) carry the TLS options.
        this.agent = options.agent;
      } else if (this.base.protocol === 'http:') {
        this.agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
      } else {
        const tls: https.AgentOptions = { keepAlive: true, keepAliveMsecs: 30_000 };
        if (options.ca !== undefined) tls.ca = options.ca;
        if (options.cert !== undefined) tls.cert = options.cert;
        if (options.key !== undefined) tls.key = options.key;
        if (options.pfx !== undefined) tls.pfx = options.pfx;
        if (options.passphrase !== undefined) tls.passphrase = options.passphrase;
        if (options.rejectUnauthorized !== undefined) tls.rejectUnauthorized = options.rejectUnauthorized;
        if (options.servername !== undefined) tls.servername = options.servername;
        this.agent = new https.Agent(tls);
      }
    }
    return { agent: this.agent, headers };
  }

  private url(path: string, query: Record<string, string>): URL {
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  /**
   * Sends one request and waits for its response headers, within `boundMs` from now (the timer
   * keeps running for the body unless the caller clears it: see `exchange` and `watch`).
   */
  private async open(
    method: Method,
    url: URL,
    body: { text: string; contentType: string } | undefined,
    signal?: AbortSignal,
  ): Promise<{ response: http.IncomingMessage; request: http.ClientRequest; timer: NodeJS.Timeout }> {
    const prepared = await this.prepare();
    if (method !== 'GET') {
      // A write is never retried, so it must not go out on a pooled connection the server has
      // already closed (the FIN is in, not yet handled): two turns of the event loop pass a poll
      // phase, which retires such sockets from the pool.
      for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
    }
    const headers: Record<string, string | string[]> = { Accept: 'application/json', 'User-Agent': 'kubectl-sticky', ...prepared.headers };
    if (this.compression) headers['Accept-Encoding'] = 'gzip';
    if (this.impersonate) {
      headers['Impersonate-User'] = this.impersonate.user;
      if (this.impersonate.uid) headers['Impersonate-Uid'] = this.impersonate.uid;
      // One header line per group, as client-go sends them.
      if (this.impersonate.groups.length > 0) headers['Impersonate-Group'] = [...this.impersonate.groups];
    }
    if (body) {
      headers['Content-Type'] = body.contentType;
      headers['Content-Length'] = String(Buffer.byteLength(body.text));
    }
    if (this.verbosity >= 8) {
      this.log(`${method} ${url.href}`);
      this.log(`Request Headers:`);
      for (const [name, values] of Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1)))
        for (const value of Array.isArray(values) ? values : [values]) this.log(`    ${name}: ${maskHeader(name, value)}`);
      if (body && this.verbosity >= 9) this.log(`Request Body: ${body.text}`);
    }
    const send = url.protocol === 'http:' ? http.request : https.request;
    return new Promise((resolve, reject) => {
      let request: http.ClientRequest;
      try {
        request = send(url, { method, headers, agent: prepared.agent, ...(signal ? { signal } : {}) });
      } catch (error) {
        // Node builds the TLS context here: a client key that does not match its certificate throws.
        reject(error);
        return;
      }
      const timer = setTimeout(() => request.destroy(new TimeoutError()), this.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('response', (response) => resolve({ response, request, timer }));
      request.end(body?.text);
    });
  }

  /** One request and its whole response, within one bound: connect, TLS, headers and body. */
  private async send(method: Method, path: string, query: Record<string, string>, body?: { text: string; contentType: string }): Promise<Reply> {
    const url = this.url(path, query);
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)}ms`;
    try {
      const { response, timer } = await this.open(method, url, body);
      try {
        const text = await readBody(response);
        if (this.verbosity >= 6) this.log(`${method} ${url.href} ${response.statusCode} in ${elapsed()}`);
        return { status: response.statusCode ?? 0, text };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      const failure = this.networkError(error, method !== 'GET');
      if (this.verbosity >= 6) this.log(`${method} ${url.href} (no answer: ${failure.message}) in ${elapsed()}`);
      throw failure;
    }
  }

  /**
   * A failed exchange, in kubectl's words. For a write (`write`), a timeout or a connection
   * closed after the request was sent leaves the outcome unknown: the error says so, and is a
   * WriteUncertainError so the caller does not report the object as "not written".
   */
  private networkError(error: unknown, write: boolean): Error {
    const err = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
    const host = this.base.host;
    const maybe = '; the change may or may not have been applied';
    if (err instanceof TimeoutError || err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError') {
      const bound = `${this.timeoutMs / 1000}s`;
      const how = this.timeoutIsDefault ? `the default bound; set --request-timeout to wait longer` : `--request-timeout`;
      const message = `the server ${host} did not answer within ${bound} (${how})`;
      return write ? new WriteUncertainError(message + maybe) : new UserError(message);
    }
    const code = err.code ?? err.cause?.code ?? '';
    if (code === 'ECONNREFUSED') return new UserError(`the connection to the server ${host} was refused - did you specify the right host or port?`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError(`dial tcp: lookup ${this.base.hostname}: no such host`);
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      const message = `the connection to the server ${host} was closed before it answered`;
      return write ? new WriteUncertainError(message + maybe) : new UserError(message);
    }
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
      return new UserError(`tls: failed to verify the certificate of ${host} (${code})`);
    }
    if (code.startsWith('ERR_OSSL')) {
      // OpenSSL refused the kubeconfig's client certificate or key (say, a key that does not
      // match the certificate): the code says which, and no key material is quoted.
      return new UserError(`tls: cannot use the client certificate and key of the kubeconfig user (${code})`);
    }
    const reason = code || firstLine(err.cause ?? error);
    return write ? new WriteUncertainError(`cannot reach the server ${host}: ${reason}${maybe}`) : new UserError(`cannot reach the server ${host}: ${reason}`);
  }

  private async read(path: string, query: Record<string, string> = {}): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      let result: Reply | null = null;
      let failure: Error | null = null;
      try {
        result = await this.send('GET', path, query);
      } catch (error) {
        failure = error as Error;
        // Timeouts already used the whole bound; only dropped connections are worth a retry.
        if (!(failure instanceof UserError) || !/closed before it answered/.test(failure.message)) throw failure;
      }
      const retriable = failure !== null || (result !== null && (result.status === 429 || result.status >= 500));
      if (!retriable || attempt >= READ_RETRIES) {
        if (failure) throw failure;
        return result as Reply;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }

  /** GET of one object; null when it does not exist. */
  async get(type: ResourceType, namespace: string, name: string): Promise<JsonObject | null> {
    const { status, text } = await this.read(objectPath(type, namespace, name));
    if (status === 404) return null;
    if (status >= 300) throw apiError(status, text, { verb: 'get', type, namespace, name });
    return withKind(parseJson(text), type);
  }

  /** All objects of a type in a namespace ('' for all). */
  async list(type: ResourceType, namespace: string, query: Record<string, string> = {}): Promise<JsonObject[]> {
    return (await this.listAt(type, namespace, query)).items;
  }

  /** All objects, following `continue` tokens; the resourceVersion is the first page's (the snapshot's). */
  async listAt(type: ResourceType, namespace: string, query: Record<string, string> = {}): Promise<ListAt> {
    const items: JsonObject[] = [];
    let resourceVersion = '';
    let token = '';
    do {
      const page: Record<string, string> = { ...query, limit: String(PAGE_SIZE) };
      if (token) page['continue'] = token;
      const { status, text } = await this.read(collectionPath(type, namespace), page);
      if (status >= 300) throw apiError(status, text, { verb: 'list', type, namespace });
      const body = parseJson(text);
      const pageItems = Array.isArray(body['items']) ? body['items'] : [];
      for (const item of pageItems) if (isObject(item)) items.push(withKind(item, type));
      const metadata = isObject(body['metadata']) ? body['metadata'] : {};
      if (!resourceVersion && typeof metadata['resourceVersion'] === 'string') resourceVersion = metadata['resourceVersion'];
      token = typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
    } while (token);
    return { items, resourceVersion };
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
    const url = this.url(collectionPath(type, namespace), params);
    const started = performance.now();
    let opened: Awaited<ReturnType<Kube['open']>>;
    try {
      opened = await this.open('GET', url, undefined, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof UserError) throw error;
      const failure = this.networkError(error, false);
      if (this.verbosity >= 6) this.log(`GET ${url.href} (no answer: ${failure.message}) in ${Math.round(performance.now() - started)}ms`);
      throw failure;
    }
    const { response, timer } = opened;
    if (this.verbosity >= 6) this.log(`GET ${url.href} ${response.statusCode} in ${Math.round(performance.now() - started)}ms`);
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      let text: string;
      try {
        text = await readBody(response);
      } catch (error) {
        if (signal.aborted) return;
        throw this.networkError(error, false);
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
      throw this.networkError(error, false);
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
    const { status, text } = await this.read(`/apis/${group}`);
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
    const { status, text } = await this.send('PATCH', objectPath(type, namespace, name), query, {
      text: JSON.stringify(patch),
      contentType: 'application/merge-patch+json',
    });
    if (status >= 300) throw apiError(status, text, { verb: 'patch', type, namespace, name });
    return withKind(parseJson(text), type);
  }
}

function serverUrl(server: string): URL {
  try {
    return new URL(server);
  } catch {
    throw new UserError(`invalid server address "${server}"`);
  }
}

/** The body as gzip-decoded bytes when the server compressed it. */
function decoded(response: http.IncomingMessage): NodeJS.ReadableStream & AsyncIterable<string | Buffer> {
  return response.headers['content-encoding'] === 'gzip' ? response.pipe(createGunzip()) : response;
}

/** Reads the whole body (the request's timer, still running, destroys the response if the bound runs out). */
function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = decoded(response);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
    response.on('error', reject);
    response.on('aborted', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  });
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

/** A Status object's code, reason and message (`fallback` when the body is not a Status). */
function statusOf(text: string, fallback: number): WatchStatus {
  let body: Json = null;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // not JSON: the fallback below
  }
  const status = isObject(body) ? body : {};
  const code = typeof status['code'] === 'number' ? status['code'] : fallback;
  const reason = typeof status['reason'] === 'string' ? status['reason'] : (REASONS[code] ?? (code === 410 ? 'Expired' : 'Unknown'));
  const message = typeof status['message'] === 'string' ? status['message'] : '';
  return { code, reason, message };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message.split('\n')[0] ?? '');
}

/**
 * Why credentials could not be had, without the credentials. client-node's exec plugin support
 * rejects with JSON.parse's error when the plugin prints something that is not JSON, and V8
 * quotes the input in that message: the plugin's stdout, usually the token itself.
 */
function credentialProblem(error: unknown): string {
  if (error instanceof SyntaxError) return 'the exec credential plugin printed something that is not an ExecCredential (JSON)';
  if (error instanceof TypeError) return 'the exec credential plugin printed an ExecCredential without status';
  const line = firstLine(error).trim();
  return line || 'the exec credential plugin failed and printed nothing on stderr';
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

interface RequestDescription {
  verb: string;
  type: ResourceType;
  namespace: string;
  name?: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** kubectl's wording for API errors. The response body is a Status; only its message is shown. */
function apiError(status: number, text: string, request: RequestDescription): Error {
  let reason = REASONS[status] ?? 'Unknown';
  let message = '';
  try {
    const body = JSON.parse(text) as Json;
    if (isObject(body)) {
      if (typeof body['reason'] === 'string' && body['reason']) reason = body['reason'];
      if (typeof body['message'] === 'string') message = body['message'];
    }
  } catch {
    // not a Status: keep the generic text below
  }
  if (status === 401) return new UserError('You must be logged in to the server (Unauthorized)');
  if (!message) {
    const what = request.name ? `${qualifiedName(request.type)} "${request.name}"` : qualifiedName(request.type);
    message = `${request.verb} ${what}: the server answered ${status}`;
  }
  return new ServerError(status, reason, `Error from server (${reason}): ${message}`);
}

/** The real Api: the kubeconfig as kubectl loads it, and this client. */
export async function connect(options: ConnectOptions): Promise<Api> {
  return new Kube(loadConfig(options), { timeoutMs: options.timeoutMs, verbosity: options.verbosity, log: (line) => options.log(redact(line)) });
}
