// The transport to the API server: node:http(s) requests with the kubeconfig's credentials and
// TLS (client-node's applyToHTTPSOptions), one keep-alive pool per client, client-go's time
// bounds, the server's warnings and kubectl's -v logging, and the retries of reads. It knows
// paths and bodies, not resources (client.ts). Raw node:http(s) rather than fetch: any port
// kubectl reaches is reachable, and fetch (undici) refuses the WHATWG "bad ports" (6000,
// 6665-6669, 10080...), which a Go client does not.

import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConnectionError, UserError, redact, registerSecret } from '../errors.ts';
import { DIAL_TIMEOUT_MS, PhaseTimeout, TLS_HANDSHAKE_TIMEOUT_MS, readBody } from '../http.ts';
import { defaultTimeoutMs } from '../timeout.ts';
import type { BasicAuth, Impersonation, LoadedConfig } from './config.ts';
import { credentialProblem, networkError } from './wording.ts';

export interface ClientOptions {
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

/** Header values that carry credentials, masked the way kubectl -v=8 masks them. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-remote-user-token']);

function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return redact(value);
  const scheme = /^(\w+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} <masked>` : '<masked>';
}

/** A header name as Go's CanonicalMIMEHeaderKey writes it: Impersonate-Extra-Scopes. */
function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** client-go's headerKeyEscape: bytes that may not be in a header name, and %, as %XX. */
function headerKeyEscape(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    out += /^[A-Za-z0-9!#$&'*+\-.^_`|~]$/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The Impersonate-* headers, as client-go's impersonatingRoundTripper sets them. */
function impersonationHeaders(impersonate: Impersonation): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'Impersonate-User': impersonate.user };
  if (impersonate.uid) headers['Impersonate-Uid'] = impersonate.uid;
  // One header line per group and per extra value.
  if (impersonate.groups.length > 0) headers['Impersonate-Group'] = [...impersonate.groups];
  for (const [key, values] of Object.entries(impersonate.extra)) {
    const name = canonicalHeader(`Impersonate-Extra-${headerKeyEscape(key)}`);
    if (values.length > 0) headers[name] = [...(headers[name] ?? []), ...values];
  }
  return headers;
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

// Reads are retried on 429/5xx and on dropped connections; writes never are (see mergePatch()).
const READ_RETRIES = 3;

export type Method = 'GET' | 'PATCH';

export interface Reply {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** What each request needs from the kubeconfig: TLS for the agent, and the credential headers. */
interface Prepared {
  agent: http.Agent;
  headers: Record<string, string>;
}

export interface Body {
  text: string;
  contentType: string;
}

export class Transport {
  private readonly base: URL;
  private readonly kubeConfig: KubeConfig;
  private readonly timeoutMs: number;
  private readonly timeoutIsDefault: boolean;
  private readonly verbosity: number;
  private readonly log: (line: string) => void;
  private readonly impersonate: Impersonation | null;
  private readonly basicAuth: BasicAuth | null;
  private readonly compression: boolean;
  // One keep-alive agent per client (a command makes one): discovery and its lists share connections.
  private agent: http.Agent | null = null;

  constructor(config: LoadedConfig, options: ClientOptions) {
    this.kubeConfig = config.kubeConfig;
    this.impersonate = config.impersonate;
    this.basicAuth = config.basicAuth;
    this.compression = config.compression;
    this.base = serverUrl(config.server.replace(/\/+$/, ''));
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
    if (this.basicAuth) headers['Authorization'] = `Basic ${Buffer.from(`${this.basicAuth.username}:${this.basicAuth.password}`).toString('base64')}`;
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

  url(path: string, query: Record<string, string>): URL {
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
  async open(
    method: Method,
    url: URL,
    body: Body | undefined,
    progress: { connected: boolean },
    signal?: AbortSignal,
    accept?: string,
  ): Promise<{ response: http.IncomingMessage; timer: NodeJS.Timeout }> {
    const prepared = await this.prepare();
    if (method !== 'GET') {
      // A write is never retried, so it must not go out on a pooled connection the server has
      // already closed (the FIN is in, not yet handled): two turns of the event loop pass a poll
      // phase, which retires such sockets from the pool.
      for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
    }
    const headers = this.headers(method, url, body, prepared, accept);
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
      request.on('socket', (socket) => this.bound(request, socket, url.protocol === 'https:', viaProxy, progress));
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

  /** The request's headers: credentials, impersonation, compression, the body's type; logged at -v=8. */
  private headers(method: Method, url: URL, body: Body | undefined, prepared: Prepared, accept?: string): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { Accept: accept ?? 'application/json', 'User-Agent': 'kubectl-sticky', ...prepared.headers };
    if (this.compression) headers['Accept-Encoding'] = 'gzip';
    if (this.impersonate) Object.assign(headers, impersonationHeaders(this.impersonate));
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
    return headers;
  }

  /**
   * Go's transport bounds the TCP connect and the TLS handshake on their own, inside the
   * request's bound: a silent server fails as "TLS handshake timeout" after 10s, as in kubectl.
   */
  private bound(request: http.ClientRequest, socket: Socket, https: boolean, viaProxy: boolean, progress: { connected: boolean }): void {
    if (viaProxy || !socket.connecting) {
      progress.connected = true;
      return;
    }
    socket.once(https ? 'secureConnect' : 'connect', () => {
      progress.connected = true;
    });
    const phase = (which: 'dial' | 'tls', ms: number) => {
      if (ms >= this.timeoutMs) return;
      const bound = setTimeout(() => request.destroy(new PhaseTimeout(which)), ms);
      socket.once(which === 'dial' ? 'connect' : 'secureConnect', () => clearTimeout(bound));
      socket.once('close', () => clearTimeout(bound));
    };
    phase('dial', DIAL_TIMEOUT_MS);
    if (https) socket.once('connect', () => phase('tls', TLS_HANDSHAKE_TIMEOUT_MS));
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

  /** One request and its whole response, within one bound: connect, TLS, headers and body; `onHead` as readBody's, for a 200's body. */
  async send(method: Method, path: string, query: Record<string, string>, body?: Body, accept?: string, onHead?: (head: string) => boolean): Promise<Reply> {
    const url = this.url(path, query);
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)}ms`;
    const progress = { connected: false };
    try {
      const { response, timer } = await this.open(method, url, body, progress, undefined, accept);
      try {
        const text = await readBody(response, response.statusCode === 200 ? onHead : undefined);
        if (this.verbosity >= 6) this.log(`${method} ${url.href} ${response.statusCode} in ${elapsed()}`);
        return { status: response.statusCode ?? 0, text, headers: response.headers };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      const failure = this.failed(error, method !== 'GET' && progress.connected);
      if (this.verbosity >= 6) this.log(`${method} ${url.href} (no answer: ${failure.message}) in ${elapsed()}`);
      throw failure;
    }
  }

  /** A failed exchange in kubectl's words; `sentWrite`: a write failed once connected, its outcome unknown. */
  failed(error: unknown, sentWrite: boolean): UserError {
    return networkError(error, this.base, this.timeoutIsDefault ? this.timeoutMs : null, sentWrite);
  }

  /** kubectl -v=6's line for each request. */
  trace(line: string): void {
    if (this.verbosity >= 6) this.log(line);
  }

  /** A GET, retried on 429/5xx and on dropped connections (a write never is). */
  /** `accept` replaces the Accept header (a metadata-only list); `onHead` sees the start of a 200's body (a list's continue token). */
  async read(path: string, query: Record<string, string> = {}, accept?: string, onHead?: (head: string) => boolean): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      let result: Reply | null = null;
      let failure: Error | null = null;
      try {
        result = await this.send('GET', path, query, undefined, accept, onHead);
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
}

function serverUrl(server: string): URL {
  try {
    return new URL(server);
  } catch {
    throw new UserError(`invalid server address "${server}"`);
  }
}
