// A loopback, TLS-terminating proxy in front of the real test apiserver that injects faults the
// real server cannot produce on demand: stop listening (the apiserver went away), drop a
// connection after reading a request, hang without answering, or answer with a status (429,
// 503...). It serves the apiserver's own certificate, so kubeconfigs keep verifying TLS against
// the cluster CA. Every request is recorded, so tests can count GETs and PATCHes.
// Only erasable TypeScript (Node runs this file directly).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type Fault =
  | { kind: 'pass' }
  /** Forward, then stop listening once the answer went out: later connections are refused. */
  | { kind: 'pass-then-stop' }
  /** Stop listening and reset every connection, this one included. */
  | { kind: 'stop' }
  /** Read the request, then close the connection without an answer. */
  | { kind: 'drop' }
  /** Read the request and never answer. */
  | { kind: 'hang' }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> };

export interface Seen {
  method: string;
  /** Path and query. */
  url: string;
  /** The path without the query. */
  path: string;
  fault: Fault['kind'];
  /** How many requests with this method and path came before this one. */
  repeat: number;
  authorization: string;
  /** The request's header lines as sent (`Name: value`, names in the client's case). */
  headers: string[];
  body: string;
}

export type Policy = (request: Omit<Seen, 'fault'>) => Fault;

export const PASS: Fault = { kind: 'pass' };

export class FaultProxy {
  readonly seen: Seen[] = [];
  url = '';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly counts = new Map<string, number>();

  private readonly upstream: string;
  private readonly pki: string;
  policy: Policy;

  /** `upstream`: the real apiserver URL; `pki`: the folder with apiserver.crt/key and ca.crt. */
  constructor(upstream: string, pki: string, policy: Policy = () => PASS) {
    this.upstream = upstream;
    this.pki = pki;
    this.policy = policy;
  }

  async start(port = 0): Promise<string> {
    const server = createServer({ cert: readFileSync(join(this.pki, 'apiserver.crt')), key: readFileSync(join(this.pki, 'apiserver.key')) }, (req, res) => {
      void this.handle(req, res);
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    this.server = server;
    this.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Stops listening and resets every open connection: the apiserver is gone. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (!server) return Promise.resolve();
    return new Promise((ok) => server.close(() => ok()));
  }

  count(method: string, pathPart?: string): number {
    return this.seen.filter((s) => s.method === method && (pathPart === undefined || s.path.includes(pathPart))).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? url;
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    const repeat = this.counts.get(key) ?? 0;
    this.counts.set(key, repeat + 1);
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    const info = { method, url, path, repeat, authorization: String(req.headers['authorization'] ?? ''), headers, body };
    const fault = this.policy(info);
    this.seen.push({ ...info, fault: fault.kind });
    switch (fault.kind) {
      case 'stop':
        await this.stop();
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the socket stays open until the client gives up or stop() runs
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fault.status, message: `injected ${fault.status}` }));
        return;
      default:
        await this.forward(req, res, body, fault.kind === 'pass-then-stop');
        if (fault.kind === 'pass-then-stop') await this.stop();
    }
  }

  /** Forwards to the apiserver; `closeFirst` stops listening before the answer goes out. */
  private forward(req: IncomingMessage, res: ServerResponse, body: string, closeFirst = false): Promise<void> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((done) => {
      const headers = { ...req.headers, host: target.host };
      delete headers['connection'];
      const upstream = httpsRequest(target, { method: req.method ?? 'GET', headers, ca: readFileSync(join(this.pki, 'ca.crt')) }, (answer) => {
        // The client sends its next request as soon as it has this answer: by then nobody listens.
        if (closeFirst) this.server?.close();
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => done());
        answer.on('error', () => done());
      });
      upstream.on('error', () => {
        res.destroy();
        done();
      });
      upstream.end(body);
    });
  }
}

/**
 * A kubeconfig for `server` that verifies TLS with the cluster CA and authenticates with `user`
 * (a kubeconfig `user:` mapping, e.g. {token: ...} or {exec: ...}).
 */
export function kubeconfigFor(server: string, pki: string, user: Record<string, unknown>, extra: { insecure?: boolean; namespace?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-fault-'));
  const file = join(dir, 'config');
  const cluster = extra.insecure ? { server, 'insecure-skip-tls-verify': true } : { server, 'certificate-authority': resolve(pki, 'ca.crt') };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', ...(extra.namespace ? { namespace: extra.namespace } : {}) } }],
    'current-context': 'x',
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A server that accepts TCP connections and never says a word (not even a TLS handshake). */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise((ok) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => ok());
      }),
  };
}
