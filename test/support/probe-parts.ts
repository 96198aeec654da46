// Real parts for the probe's tests: loopback HTTP servers standing in for pods (each answers with
// its name), and a real haproxy running a config. Only erasable TypeScript.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HAPROXY = process.env['HAPROXY'] || 'haproxy';

export function haproxyMissing(): string | null {
  const probe = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  return probe.error || probe.status !== 0 ? `haproxy is not installed (${HAPROXY}): apt-get install -y haproxy (see test/haproxy/README.md)` : null;
}

export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no port'));
    });
  });
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Pod {
  name: string;
  port: number;
  /** Requests answered so far. */
  hits: () => number;
  /** Stops listening: new connections are refused. */
  stop: () => Promise<void>;
}

/** A pod: answers every request with its name; `onRequest` runs before it answers. */
export async function startPod(name: string, onRequest: (pod: Pod) => void = () => {}): Promise<Pod> {
  let hits = 0;
  let stopped = false;
  // onRequest runs before the answer, so that a pod stopped there stops listening before the
  // client can send its next request (a connection already in the accept queue when the listener
  // closes is reset after HAProxy sent the request: no retry, a 502 instead of a re-dispatch).
  const server = http.createServer((_req, res) => {
    hits++;
    onRequest(pod);
    res.setHeader('X-Pod', name);
    res.end(name);
  });
  const port = await listen(server);
  const pod: Pod = {
    name,
    port,
    hits: () => hits,
    // Stops listening at once; open connections are closed a turn later, after an answer being written.
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => setImmediate(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
  return pod;
}

export interface Haproxy {
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * haproxy -db on `config(port)`, once its frontend accepts connections. Without `fixedPort` it
 * takes a free loopback port and retries twice on a failed start (the port may be taken between
 * the look-up and haproxy's bind).
 */
export async function startHaproxy(config: (port: number) => string, fixedPort?: number): Promise<Haproxy> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < (fixedPort === undefined ? 3 : 1); attempt++) {
    try {
      return await startOnce(config, fixedPort ?? (await freePort()));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(config: (port: number) => string, port: number): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config(port));
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`haproxy exited at start:\n${output}\n--- config ---\n${config(port)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return { port, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not listen on 127.0.0.1:${port} within 10s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A free loopback port in the API server's NodePort range (30000-32767). */
export async function freeNodePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 30000-32767');
}

/** A self-signed certificate for `host` (cert and key in one PEM, as haproxy's crt wants). */
export function selfSignedPem(host: string): { pem: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-probe-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  const pem = join(dir, 'both.pem');
  const both = spawnSync('sh', ['-c', `cat "${cert}" "${key}" > "${pem}"`]);
  if (both.status !== 0) throw new Error('cannot write the PEM');
  return { pem, dir };
}

/** A server that accepts connections and never answers. */
export async function silentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return {
    port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
