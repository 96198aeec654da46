// The probe's requests: plain HTTP(S) GETs to the Ingress's address, each on a new connection (as
// many clients would come), with the rule's Host header and, for TLS hosts, its SNI. Every
// request has one deadline for all of it (connect, TLS, headers); the body is not waited for.

import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { persistenceCookie, type Exchange, type Observation } from '../core/probe.ts';
import { UserError } from '../errors.ts';

export interface Address {
  host: string;
  port: number;
}

export interface WireTarget {
  address: Address;
  tls: boolean;
  /** The Host header (with a port unless the frontend's is the scheme's), and the SNI name. */
  host: string;
  path: string;
  timeoutMs: number;
  /** --insecure-skip-tls-verify: the Ingress's certificate is not checked. */
  insecure: boolean;
  /** --server-header, lower case. */
  serverHeader: string | null;
}

/** A probe request that failed: the command ends with one line and exit code 2. */
class ProbeError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ProbeError';
  }
}

export function addressText(address: Address): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export function targetText(target: WireTarget): string {
  return `${target.tls ? 'https' : 'http'}://${target.host}${target.path}`;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET|ALTNAME|ERR_SSL|EPROTO|ERR_TLS/;

/** Node's certificate errors in the user's words (its own messages suggest Node.js flags). */
function certificateProblem(code: string, message: string, host: string): string {
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return 'self-signed certificate';
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'self-signed certificate in the chain';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate is not for ${host}`;
  if (code === 'CERT_HAS_EXPIRED') return 'the certificate has expired';
  if (code.startsWith('UNABLE_TO_')) return 'the certificate is signed by an unknown authority';
  return message.split(/[;\n]/)[0] ?? code;
}

function failure(error: NodeJS.ErrnoException, target: WireTarget): ProbeError {
  const code = error.code ?? '';
  const where = `probe of ${targetText(target)} at ${addressText(target.address)}`;
  if (code === 'ECONNREFUSED') return new ProbeError(`${where}: connection refused - is the address right and the Ingress's HAProxy running?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ProbeError(`${where}: no such host ${target.address.host}`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ProbeError(`${where}: the connection was closed before an answer`);
  if (TLS_CODES.test(code)) {
    const hint = target.insecure ? '' : ' (--insecure-skip-tls-verify probes without checking the certificate)';
    return new ProbeError(`${where}: TLS: ${certificateProblem(code, error.message, target.host)}${hint}`);
  }
  return new ProbeError(`${where}: ${error.message.split('\n')[0] ?? code}`);
}

/** `name=value; Path=/` -> name and value; attributes dropped. */
function parseSetCookie(header: string): { name: string; value: string } | null {
  const pair = header.split(';')[0] ?? '';
  const at = pair.indexOf('=');
  if (at <= 0) return null;
  return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** One GET on a new connection, `cookie` (name=value) sent when given. */
export function exchange(target: WireTarget, cookie: string | null): Promise<Exchange> {
  const seconds = target.timeoutMs / 1000;
  return new Promise((resolve, reject) => {
    const sniName = target.host.replace(/:\d+$/, '');
    const options: https.RequestOptions = {
      host: target.address.host,
      port: target.address.port,
      path: target.path,
      method: 'GET',
      agent: false,
      headers: { Host: target.host, 'User-Agent': 'kubectl-sticky-probe', Connection: 'close', ...(cookie === null ? {} : { Cookie: cookie }) },
      ...(target.tls ? { rejectUnauthorized: !target.insecure } : {}),
      // SNI carries names only: an IP as Host sends none.
      ...(target.tls && isIP(sniName) === 0 ? { servername: sniName } : {}),
    };
    const request = (target.tls ? https : http).request(options, (response) => {
      clearTimeout(timer);
      const setCookies = (response.headers['set-cookie'] ?? []).map(parseSetCookie).filter((c) => c !== null);
      const server = target.serverHeader === null ? null : headerValue(response.headers[target.serverHeader]);
      response.resume();
      response.once('error', () => {});
      request.destroy();
      resolve({ status: response.statusCode ?? 0, setCookies, server });
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new ProbeError(`probe of ${targetText(target)} at ${addressText(target.address)}: no answer within ${seconds}s (--request-timeout)`));
    }, target.timeoutMs);
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(failure(error, target));
    });
    request.end();
  });
}

/**
 * The two rounds: `requests` GETs without a cookie, then, if a persistence cookie came, as many
 * with it, following a new value for it as a browser would.
 */
export async function observe(target: WireTarget, requests: number, predictedCookie: string | null): Promise<Observation> {
  const fresh: Exchange[] = [];
  for (let i = 0; i < requests; i++) fresh.push(await exchange(target, null));
  const name = persistenceCookie(fresh, predictedCookie);
  const first = name === null ? undefined : fresh.flatMap((e) => e.setCookies).find((c) => c.name === name);
  if (!first) return { requests, fresh, sent: null, withCookie: [] };
  const withCookie: Exchange[] = [];
  let value = first.value;
  for (let i = 0; i < requests; i++) {
    const answer = await exchange(target, `${first.name}=${value}`);
    value = answer.setCookies.find((c) => c.name === first.name)?.value ?? value;
    withCookie.push(answer);
  }
  return { requests, fresh, sent: first, withCookie };
}
