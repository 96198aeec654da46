// The only module that talks to the API server. It uses client-node for what it does well
// (kubeconfig auth: certificates, tokens, exec plugins, TLS material) and sends raw requests with
// node:http(s), so lists come back as plain JSON without a model round trip (that keeps
// `status -A` close to what `kubectl get` costs), and any port kubectl reaches is reachable:
// fetch (undici) refuses the WHATWG "bad ports" (6000, 6665-6669, 10080...), a Go client does not.

import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConnectionError, ServerError, UserError, WriteUncertainError, neutralise, redact, registerSecret, type ConnectionFailure } from '../errors.ts';
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
  type Projection,
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
  /** kubectl's -v: >= 6 logs each request with status and time, >= 8 also the request and response headers. */
  verbosity?: number;
  /** Where -v lines and the server's warnings go (stderr by default). */
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

// client-go's WarningWriter deduplicates per process: a list of 500 objects of a deprecated
// version warns once.
const warned = new Set<string>();

/**
 * The texts of the code-299 warnings in one Warning header value (RFC 7234 5.5:
 * `299 agent "text" ["date"]`, comma-separated), as client-go's ParseWarningHeaders reads them;
 * other codes and malformed values are ignored.
 */
export function parseWarnings(value: string): string[] {
  const out: string[] = [];
  let rest = value.trim();
  while (rest) {
    const head = /^(\d{3}) (\S+) "/.exec(rest);
    if (!head) break;
    let text = '';
    let at = head[0].length;
    for (; at < rest.length && rest[at] !== '"'; at++) {
      if (rest[at] === '\\' && at + 1 < rest.length) at++;
      text += rest[at];
    }
    if (at >= rest.length) break; // unterminated quoted text
    rest = rest
      .slice(at + 1)
      .replace(/^ "[^"]*"/, '')
      .trim();
    if (head[1] === '299' && text) out.push(text);
    if (!rest.startsWith(',')) break;
    rest = rest.slice(1).trim();
  }
  return out;
}

const PAGE_SIZE = 500;
// Reads are retried on 429/5xx and on dropped connections; writes never are (see mergePatch()).
const READ_RETRIES = 3;

type Method = 'GET' | 'PATCH';

interface Reply {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** client-go's transport: 30s to connect (net.Dialer), 10s for the TLS handshake. */
const DIAL_TIMEOUT_MS = 30_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A time bound ran out: the request's own, or the connect's or the TLS handshake's inside it. */
class PhaseTimeout extends Error {
  readonly phase: 'request' | 'dial' | 'tls';
  constructor(phase: 'request' | 'dial' | 'tls') {
    super(`${phase} timeout`);
    this.name = 'PhaseTimeout';
    this.phase = phase;
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
  // One keep-alive agent per client (a command makes one): discovery and its lists share connections.
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
   * expires). Asked per request; the agent is made once from the first answer.
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
      // The client key, however the kubeconfig gave it (file or data), is masked line by line.
      const key = options.key === undefined ? '' : String(options.key);
      for (const line of key.split('\n')) if (!line.startsWith('-----')) registerSecret(line);
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
        const name = options.servername;
        if (name && isIP(name) !== 0) {
          // An IP is not a TLS server name (SNI, RFC 6066), but Go checks the certificate against
          // it all the same: so does this, without sending it.
          tls.checkServerIdentity = (_host, cert) => checkServerIdentity(name, cert);
        } else if (name) tls.servername = name;
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
   * Sends one request and waits for its response headers, within the request bound; the timer
   * keeps running for the body until the caller clears it (a watch clears it at the headers).
   * `progress.connected` tells a failure on an established connection (the request may have
   * reached the server) from one before (it cannot have).
   */
  private async open(
    method: Method,
    url: URL,
    body: { text: string; contentType: string } | undefined,
    progress: { connected: boolean },
    signal?: AbortSignal,
  ): Promise<{ response: http.IncomingMessage; timer: NodeJS.Timeout }> {
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
    const viaProxy = Boolean(this.kubeConfig.getCurrentCluster()?.proxyUrl);
    return new Promise((resolve, reject) => {
      let request: http.ClientRequest;
      try {
        request = send(url, { method, headers, agent: prepared.agent, ...(signal ? { signal } : {}) });
      } catch (error) {
        // Node builds the TLS context here: a client key that does not match its certificate throws.
        reject(error);
        return;
      }
      let response: http.IncomingMessage | null = null;
      const timer = setTimeout(() => (response ?? request).destroy(new PhaseTimeout('request')), this.timeoutMs);
      // Go's transport bounds the TCP connect and the TLS handshake on their own, inside the
      // request's bound: a silent server fails as "TLS handshake timeout" after 10s, as in kubectl.
      request.on('socket', (socket) => {
        if (viaProxy || !socket.connecting) {
          progress.connected = true;
          return;
        }
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
          progress.connected = true;
        });
        const phase = (which: 'dial' | 'tls', ms: number) => {
          if (ms >= this.timeoutMs) return;
          const bound = setTimeout(() => request.destroy(new PhaseTimeout(which)), ms);
          socket.once(which === 'dial' ? 'connect' : 'secureConnect', () => clearTimeout(bound));
          socket.once('close', () => clearTimeout(bound));
        };
        phase('dial', DIAL_TIMEOUT_MS);
        if (url.protocol === 'https:') socket.once('connect', () => phase('tls', TLS_HANDSHAKE_TIMEOUT_MS));
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('response', (answer) => {
        response = answer;
        this.warnings(answer.rawHeaders);
        if (this.verbosity >= 8) {
          this.log('Response Headers:');
          for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
            const name = answer.rawHeaders[i] ?? '';
            this.log(`    ${name}: ${maskHeader(name, answer.rawHeaders[i + 1] ?? '')}`);
          }
        }
        resolve({ response: answer, timer });
      });
      request.end(body?.text);
    });
  }

  /** The server's Warning headers (code 299), each text printed once per process, as kubectl does. */
  private warnings(raw: readonly string[]): void {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]?.toLowerCase() !== 'warning') continue;
      for (const text of parseWarnings(raw[i + 1] ?? '')) {
        if (warned.has(text)) continue;
        warned.add(text);
        this.log(`Warning: ${text}`);
      }
    }
  }

  /** One request and its whole response, within one bound: connect, TLS, headers and body. */
  private async send(method: Method, path: string, query: Record<string, string>, body?: { text: string; contentType: string }): Promise<Reply> {
    const url = this.url(path, query);
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)}ms`;
    const progress = { connected: false };
    try {
      const { response, timer } = await this.open(method, url, body, progress);
      try {
        const text = await readBody(response);
        if (this.verbosity >= 6) this.log(`${method} ${url.href} ${response.statusCode} in ${elapsed()}`);
        return { status: response.statusCode ?? 0, text, headers: response.headers };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      const failure = this.networkError(error, method !== 'GET' && progress.connected);
      if (this.verbosity >= 6) this.log(`${method} ${url.href} (no answer: ${failure.message}) in ${elapsed()}`);
      throw failure;
    }
  }

  /**
   * A failed exchange, in kubectl's words (client-go's errors as kubectl prints them). A write
   * that failed once connected (`sentWrite`: a timeout, a connection closed) has an unknown
   * outcome: the error says so, and is a WriteUncertainError so the caller does not report the
   * object as "not written".
   */
  private networkError(error: unknown, sentWrite: boolean): UserError {
    const unable = 'Unable to connect to the server: ';
    const { failure, message } = describeFailure(error, this.base, this.timeoutIsDefault ? this.timeoutMs : null);
    // The client certificate or key is unusable: a configuration error, `error: tls: ...` in kubectl.
    if (failure === 'credentials') return new UserError(message);
    const text = failure === 'refused' ? message : unable + message;
    if (sentWrite && (failure === 'timeout' || failure === 'closed' || failure === 'other')) {
      return new WriteUncertainError(`${text}; the change may or may not have been applied`, failure);
    }
    return new ConnectionError(text, failure);
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
        if (!(failure instanceof ConnectionError) || failure.failure !== 'closed') throw failure;
      }
      const retriable = failure !== null || (result !== null && (result.status === 429 || result.status >= 500));
      if (!retriable || attempt >= READ_RETRIES) {
        if (failure) throw failure;
        return result as Reply;
      }
      await new Promise((r) => setTimeout(r, this.retryDelayMs(attempt, result)));
    }
  }

  /**
   * The wait before retry `attempt` (0-based): the server's Retry-After in whole seconds on a 429
   * or 5xx, as client-go honours it (at most one request bound), else 200ms doubling.
   */
  private retryDelayMs(attempt: number, result: Reply | null): number {
    const header = result?.headers['retry-after'];
    const seconds = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) : null;
    if (seconds !== null && seconds > 0) return Math.min(seconds * 1000, this.timeoutMs);
    return 200 * 2 ** attempt;
  }

  /** GET of one object; null when it does not exist. */
  async get(type: ResourceType, namespace: string, name: string): Promise<JsonObject | null> {
    const { status, text } = await this.read(objectPath(type, namespace, name));
    if (status === 404) return null;
    if (status >= 300) throw apiError(status, text, { verb: 'get', type, namespace, name });
    return withKind(parseJson(text), type);
  }

  /** All objects of a type in a namespace ('' for all). */
  async list(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<JsonObject[]> {
    return (await this.listAt(type, namespace, query, project)).items;
  }

  /** All objects, following `continue` tokens; the resourceVersion is the first page's (the snapshot's). */
  async listAt(type: ResourceType, namespace: string, query: Record<string, string> = {}, project?: Projection): Promise<ListAt> {
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
      for (const item of pageItems) if (isObject(item)) items.push(project ? project(withKind(item, type)) : withKind(item, type));
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
    if (query.timeoutSeconds !== undefined) params['timeoutSeconds'] = String(query.timeoutSeconds);
    const url = this.url(collectionPath(type, namespace), params);
    const started = performance.now();
    let opened: Awaited<ReturnType<Kube['open']>>;
    try {
      opened = await this.open('GET', url, undefined, { connected: false }, signal);
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

/** The peer certificate Node attaches to a host name mismatch. */
interface MismatchDetail {
  host?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string } };
}

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** Go's x509.HostnameError text: the names (or IPs) the certificate is valid for, and the one asked. */
function hostnameError(detail: MismatchDetail): string {
  const host = detail.host ?? '';
  const sans = (detail.cert?.subjectaltname ?? '').split(',').map((san) => san.trim());
  const ip = isIP(host) !== 0;
  const valid = sans.filter((san) => san.startsWith(ip ? 'IP Address:' : 'DNS:')).map((san) => san.slice(san.indexOf(':') + 1));
  if (ip && valid.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
  if (valid.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${valid.join(', ')}, not ${host}`;
}

/** The resolver Go would name in `lookup HOST on SERVER: no such host`. */
function resolverName(): string {
  const server = getServers()[0];
  if (!server) return '';
  if (/^\[.*\]:\d+$/.test(server) || /^[\d.]+:\d+$/.test(server)) return ` on ${server}`;
  return server.includes(':') ? ` on [${server}]:53` : ` on ${server}:53`;
}

/**
 * What went wrong, in client-go's words as kubectl prints them after "Unable to connect to the
 * server: " (or alone, for a refused connection). Node and OpenSSL codes never show.
 * `defaultBoundMs` is set when the bound that ran out is the plugin's default, not --request-timeout.
 */
function describeFailure(error: unknown, server: URL, defaultBoundMs: number | null): { failure: ConnectionFailure | 'credentials'; message: string } {
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const host = server.host;
  if (error instanceof PhaseTimeout) {
    if (error.phase === 'dial') return { failure: 'timeout', message: `dial tcp ${host}: i/o timeout` };
    if (error.phase === 'tls') return { failure: 'timeout', message: 'net/http: TLS handshake timeout' };
    const hint = defaultBoundMs === null ? '' : ` (no answer within the default bound of ${defaultBoundMs / 1000}s; set --request-timeout to wait longer)`;
    return { failure: 'timeout', message: `context deadline exceeded${hint}` };
  }
  const code = err.code ?? err.cause?.code ?? '';
  if (code === 'ECONNREFUSED') {
    return { failure: 'refused', message: `The connection to the server ${host} was refused - did you specify the right host or port?` };
  }
  if (code === 'ENOTFOUND') return { failure: 'dns', message: `dial tcp: lookup ${server.hostname}${resolverName()}: no such host` };
  if (code === 'EAI_AGAIN') return { failure: 'dns', message: `dial tcp: lookup ${server.hostname}${resolverName()}: server misbehaving` };
  if (code === 'EHOSTUNREACH') return { failure: 'other', message: `dial tcp ${host}: connect: no route to host` };
  if (code === 'ENETUNREACH') return { failure: 'other', message: `dial tcp ${host}: connect: network is unreachable` };
  if (code === 'ECONNRESET' && err.message === 'socket hang up') return { failure: 'closed', message: 'EOF' };
  if (code === 'ECONNRESET' && err.message === 'aborted') return { failure: 'closed', message: 'unexpected EOF' };
  if (code === 'ECONNRESET') return { failure: 'closed', message: 'read: connection reset by peer' };
  if (code === 'EPIPE') return { failure: 'closed', message: 'write: broken pipe' };
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return { failure: 'closed', message: 'unexpected EOF' };
  const verify = 'tls: failed to verify certificate: ';
  if (UNKNOWN_AUTHORITY.has(code)) return { failure: 'tls', message: `${verify}x509: certificate signed by unknown authority` };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { failure: 'tls', message: verify + hostnameError(error as MismatchDetail) };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { failure: 'tls', message: `${verify}x509: certificate has expired or is not yet valid` };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return { failure: 'tls', message: 'http: server gave HTTP response to HTTPS client' };
  }
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(\w+)$/.exec(code)?.[1];
  if (alert) return { failure: 'tls', message: `remote error: tls: ${alert.toLowerCase().replace(/_/g, ' ')}` };
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return { failure: 'credentials', message: 'tls: private key does not match public key' };
  // OpenSSL refused the client certificate or key: no key material is quoted.
  if (code.startsWith('ERR_OSSL')) return { failure: 'credentials', message: 'tls: failed to parse the client certificate or key' };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return { failure: 'tls', message: 'tls: handshake failure' };
  return { failure: 'other', message: firstLine(error) || 'EOF' };
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
    // A connection closed mid-body is an `aborted` ECONNRESET error here; the bound's timer
    // destroys the response with its PhaseTimeout.
    response.on('error', reject);
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

/** client-go's messages for an error answer that is not a Status (NewGenericServerResponse). */
const GENERIC: Record<number, string> = {
  400: 'the server rejected our request for an unknown reason',
  404: 'the server could not find the requested resource',
  405: 'the server does not allow this method on the requested resource',
  406: 'the server was unable to respond with a content type that the client supports',
  409: 'the server reported a conflict',
  422: 'the server rejected our request due to an error in our request',
  429: 'the server has received too many requests and has asked us to try again later',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

/**
 * kubectl's wording for API errors. The response body is a Status: only its message is shown.
 * Any other body gets client-go's generic message, with the request in parentheses.
 */
function apiError(status: number, text: string, request: RequestDescription): Error {
  let reason = REASONS[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
  let message = '';
  let isStatus = false;
  try {
    const body = JSON.parse(text) as Json;
    if (isObject(body) && body['kind'] === 'Status') {
      isStatus = true;
      if (typeof body['reason'] === 'string' && body['reason']) reason = body['reason'];
      if (typeof body['message'] === 'string') message = body['message'];
    }
  } catch {
    // not a Status: the generic text below
  }
  if (status === 401) return new UserError('You must be logged in to the server (Unauthorized)');
  if (!message) {
    const served = isStatus ? '' : redact(neutralise(text.trim())).split('\n')[0]?.slice(0, 200) || 'unknown';
    message =
      GENERIC[status] ??
      (status >= 500
        ? `an error on the server (${JSON.stringify(served)}) has prevented the request from succeeding`
        : status === 403 || status === 415
          ? served
          : `the server responded with the status code ${status} but did not return more information`);
    const resource = request.type.plural ? qualifiedName(request.type) : '';
    // client-go names the HTTP verb: a list or a watch is a get.
    const verb = request.verb === 'patch' ? 'patch' : 'get';
    if (resource) message += request.name ? ` (${verb} ${resource} ${request.name})` : ` (${verb} ${resource})`;
  }
  return new ServerError(status, reason, `Error from server (${reason}): ${message}`);
}

/**
 * The text behind an http(s) -f argument, as kubectl reads it (cli-runtime's readHttpWithRetries:
 * three attempts 1s apart on failures and 5xx, redirects followed), with the request bound of
 * --request-timeout (`timeoutMs`; 0 is the default bound) on each attempt, which kubectl lacks.
 * TLS is verified against the system CAs (and NODE_EXTRA_CA_CERTS), not the kubeconfig's.
 */
export async function fetchManifest(url: string, timeoutMs: number): Promise<string> {
  const bound = timeoutMs > 0 ? timeoutMs : defaultTimeoutMs();
  let failure: Error = new UserError(`unable to read URL "${url}"`);
  for (let attempt = 0; attempt < URL_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
    let answer: { status: number; text: string };
    try {
      answer = await getFollowing(new URL(url), bound);
    } catch (error) {
      failure = error instanceof UserError ? error : urlFailure(error, new URL(url), timeoutMs > 0 ? null : bound);
      continue;
    }
    if (answer.status === 200) return answer.text;
    failure = new UserError(`unable to read URL "${url}", server reported ${answer.status} ${STATUS_CODES[answer.status] ?? ''}, status code=${answer.status}`);
    if (answer.status < 500 || answer.status >= 600) break;
  }
  throw failure;
}

const URL_ATTEMPTS = 3;
const MAX_REDIRECTS = 10;

function urlFailure(error: unknown, url: URL, defaultBoundMs: number | null): UserError {
  const { failure, message } = describeFailure(error, url, defaultBoundMs);
  if (failure === 'credentials') return new UserError(message);
  return new ConnectionError(failure === 'refused' ? message : `Unable to connect to the server: ${message}`, failure);
}

/** One GET within `boundMs` (connect to the end of the body), following redirects as Go's http.Get does. */
async function getFollowing(url: URL, boundMs: number): Promise<{ status: number; text: string }> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const { status, location, text } = await new Promise<{ status: number; location: string | undefined; text: string }>((resolve, reject) => {
      const get = target.protocol === 'http:' ? http.get : https.get;
      const request = get(target, { headers: { 'User-Agent': 'kubectl-sticky' } }, (response) => {
        readBody(response).then((body) => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text: body }), reject);
      });
      const timer = setTimeout(() => request.destroy(new PhaseTimeout('request')), boundMs);
      request.on('error', reject);
      request.on('close', () => clearTimeout(timer));
    });
    if (![301, 302, 303, 307, 308].includes(status) || !location) return { status, text };
    if (hop >= MAX_REDIRECTS) throw new UserError(`unable to read URL "${url.href}": stopped after ${MAX_REDIRECTS} redirects`);
    target = new URL(location, target);
  }
}

/** The real Api: the kubeconfig as kubectl loads it, and this client. */
export async function connect(options: ConnectOptions): Promise<Api> {
  return new Kube(loadConfig(options), { timeoutMs: options.timeoutMs, verbosity: options.verbosity, log: (line) => options.log(redact(line)) });
}
