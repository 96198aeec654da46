// The only module that talks to the API server. It uses client-node for what it does well
// (kubeconfig auth: certificates, tokens, exec plugins, TLS) and sends raw requests, so lists
// come back as plain JSON without a model round trip: that keeps `status -A` close to what
// `kubectl get` costs.

import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { ServerError, UserError, WriteUncertainError, redact, registerSecret } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../core/objects.ts';
import { loadConfig, type LoadedConfig } from './config.ts';
import { qualifiedName, type Api, type ConnectOptions, type GroupVersions, type ResourceType } from './api.ts';

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

class Kube implements Api {
  readonly namespace: string;
  readonly server: string;
  private readonly kubeConfig: KubeConfig;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly timeoutMs: number;
  private readonly timeoutIsDefault: boolean;
  private readonly verbosity: number;
  private readonly log: (line: string) => void;
  private readonly discovery = new Map<string, Promise<GroupVersions | null>>();

  constructor(config: LoadedConfig, options: ClientOptions) {
    this.kubeConfig = config.kubeConfig;
    this.namespace = config.namespace;
    this.server = config.server.replace(/\/+$/, '');
    this.timeoutIsDefault = options.timeoutMs <= 0;
    this.timeoutMs = this.timeoutIsDefault ? defaultTimeoutMs() : options.timeoutMs;
    this.verbosity = options.verbosity ?? 0;
    this.log = options.log ?? ((line) => void process.stderr.write(`${redact(line)}\n`));
  }

  private async send(
    method: HttpMethod,
    path: string,
    query: Record<string, string>,
    body?: { text: string; contentType: string },
  ): Promise<{ status: number; text: string }> {
    const context = new RequestContext(this.server + path, method);
    for (const [key, value] of Object.entries(query)) context.setQueryParam(key, value);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('User-Agent', 'kubectl-sticky');
    if (body) {
      context.setHeaderParam('Content-Type', body.contentType);
      context.setBody(body.text);
    }
    // One bound for the whole exchange: connect, TLS, headers and body.
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
    try {
      await this.kubeConfig.applySecurityAuthentication(context);
    } catch (error) {
      throw new UserError(`getting credentials: ${credentialProblem(error)}`);
    }
    const headers = context.getHeaders();
    for (const [name, value] of Object.entries(headers)) {
      // The credential itself (a kubeconfig token, or an exec plugin's) is masked wherever it
      // could be printed: errors, warnings, -v logs.
      if (SECRET_HEADERS.has(name.toLowerCase())) registerSecret(value.replace(/^\w+\s+/, ''));
    }
    const url = context.getUrl();
    if (this.verbosity >= 8) {
      this.log(`${method} ${url}`);
      this.log(`Request Headers:`);
      for (const [name, value] of Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1))) this.log(`    ${name}: ${maskHeader(name, value)}`);
      if (body && this.verbosity >= 9) this.log(`Request Body: ${body.text}`);
    }
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)}ms`;
    // client-node makes one connection pool (undici Agent) per request. Close it when done, and
    // destroy it on failure: an aborted fetch leaves its TLS connect pending, which would keep
    // the process alive until undici's own 10s connect timeout.
    const dispatcher = context.getDispatcher() as { close?: () => Promise<void>; destroy?: () => Promise<void> } | undefined;
    try {
      const response = await this.http.send(context).toPromise();
      const text = await response.body.text();
      if (this.verbosity >= 6) this.log(`${method} ${url} ${response.httpStatusCode} in ${elapsed()}`);
      dispatcher?.close?.().catch(() => {});
      return { status: response.httpStatusCode, text };
    } catch (error) {
      dispatcher?.destroy?.().catch(() => {});
      const failure = this.networkError(error, method !== HttpMethod.GET);
      if (this.verbosity >= 6) this.log(`${method} ${url} (no answer: ${failure.message}) in ${elapsed()}`);
      throw failure;
    }
  }

  /**
   * A failed exchange, in kubectl's words. For a write (`write`), a timeout or a connection
   * closed after the request was sent leaves the outcome unknown: the error says so, and is a
   * WriteUncertainError so the caller does not report the object as "not written".
   */
  private networkError(error: unknown, write: boolean): Error {
    const err = error as { name?: string; cause?: { code?: string; name?: string; message?: string } };
    const host = this.server.replace(/^https?:\/\//, '');
    const maybe = '; the change may or may not have been applied';
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.cause?.name === 'TimeoutError') {
      const bound = `${this.timeoutMs / 1000}s`;
      const how = this.timeoutIsDefault ? `the default bound; set --request-timeout to wait longer` : `--request-timeout`;
      const message = `the server ${host} did not answer within ${bound} (${how})`;
      return write ? new WriteUncertainError(message + maybe) : new UserError(message);
    }
    const code = err.cause?.code ?? '';
    if (code === 'ECONNREFUSED') return new UserError(`the connection to the server ${host} was refused - did you specify the right host or port?`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError(`dial tcp: lookup ${host.split(':')[0]}: no such host`);
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
      const message = `the connection to the server ${host} was closed before it answered`;
      return write ? new WriteUncertainError(message + maybe) : new UserError(message);
    }
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
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

  private async read(path: string, query: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      let result: { status: number; text: string } | null = null;
      let failure: Error | null = null;
      try {
        result = await this.send(HttpMethod.GET, path, query);
      } catch (error) {
        failure = error as Error;
        // Timeouts already used the whole bound; only dropped connections are worth a retry.
        if (!(failure instanceof UserError) || !/closed before it answered/.test(failure.message)) throw failure;
      }
      const retriable = failure !== null || (result !== null && (result.status === 429 || result.status >= 500));
      if (!retriable || attempt >= READ_RETRIES) {
        if (failure) throw failure;
        return result as { status: number; text: string };
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

  /** All objects of a type in a namespace ('' for all), following `continue` tokens. */
  async list(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: (item: JsonObject) => JsonObject): Promise<JsonObject[]> {
    const out: JsonObject[] = [];
    let token = '';
    do {
      const page: Record<string, string> = { ...query, limit: String(PAGE_SIZE) };
      if (token) page['continue'] = token;
      const { status, text } = await this.read(collectionPath(type, namespace), page);
      if (status >= 300) throw apiError(status, text, { verb: 'list', type, namespace });
      const body = parseJson(text);
      const items = Array.isArray(body['items']) ? body['items'] : [];
      for (const item of items) if (isObject(item)) out.push(project ? project(withKind(item, type)) : withKind(item, type));
      const metadata = isObject(body['metadata']) ? body['metadata'] : {};
      token = typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
    } while (token);
    return out;
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
    const { status, text } = await this.send(HttpMethod.PATCH, objectPath(type, namespace, name), query, {
      text: JSON.stringify(patch),
      contentType: 'application/merge-patch+json',
    });
    if (status >= 300) throw apiError(status, text, { verb: 'patch', type, namespace, name });
    return withKind(parseJson(text), type);
  }
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
