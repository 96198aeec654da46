// What the API client and the -f URL reader share about one HTTP exchange over node:http(s): its
// time bounds, its body, and how a failed one reads in Go's words (net, crypto/tls, x509), as
// kubectl prints them. Node and OpenSSL codes never show.

import type http from 'node:http';
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import { createGunzip } from 'node:zlib';
import { ConnectionError, UserError, redact, type ConnectionFailure } from './errors.ts';

/** client-go's transport: 30s to connect (net.Dialer), 10s for the TLS handshake. */
export const DIAL_TIMEOUT_MS = 30_000;
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A time bound ran out: the request's own, or the connect's or the TLS handshake's inside it. */
export class PhaseTimeout extends Error {
  readonly phase: 'request' | 'dial' | 'tls';
  constructor(phase: 'request' | 'dial' | 'tls') {
    super(`${phase} timeout`);
    this.name = 'PhaseTimeout';
    this.phase = phase;
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

/**
 * A failed exchange as kubectl reports it: `Unable to connect to the server: ...`, a refused
 * connection alone, an unusable client certificate or key as a configuration error.
 */
export function exchangeError(error: unknown, server: URL, defaultBoundMs: number | null): UserError {
  const { failure, message } = describeFailure(error, server, defaultBoundMs);
  if (failure === 'credentials') return new UserError(message);
  return new ConnectionError(failure === 'refused' ? message : `Unable to connect to the server: ${message}`, failure);
}

/**
 * Inflated in pieces of this size, not zlib's default 16 KiB: a full-scale `status -A` inflates
 * 20 MB, and each piece is a callback and a Buffer on the main thread (bench/profile.ts: 170 ms
 * of zlib callbacks with 16 KiB).
 */
const INFLATE_CHUNK = 256 * 1024;

/** The body as gzip-decoded bytes when the server compressed it. */
export function decoded(response: http.IncomingMessage): NodeJS.ReadableStream & AsyncIterable<string | Buffer> {
  return response.headers['content-encoding'] === 'gzip' ? response.pipe(createGunzip({ chunkSize: INFLATE_CHUNK })) : response;
}

/**
 * Reads the whole body (the request's timer, still running, destroys the response if the bound
 * runs out). `onHead` sees the decoded text so far (as latin1) until it returns true: a list's
 * continue token is in its first bytes.
 */
export function readBody(response: http.IncomingMessage, onHead?: (head: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = decoded(response);
    let head = onHead ? '' : null;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (head === null || !onHead) return;
      head += chunk.toString('latin1');
      if (onHead(head)) head = null;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
    // A connection closed mid-body is an `aborted` ECONNRESET error here; the bound's timer
    // destroys the response with its PhaseTimeout.
    response.on('error', reject);
  });
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message.split('\n')[0] ?? '');
}
