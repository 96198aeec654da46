// The rendered config against a real HAProxy: syntax of every sticky golden backend, then live
// stickiness on loopback (cookie and source-IP). Needs the haproxy binary: see test/haproxy/README.md.
// Missing haproxy is a failure, not a skip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { caseNames, loadCase, renderCase } from '../golden/render/cases.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { cookieValue, formatBackends, renderBackends, type RenderedBackend } from '../../src/core/render.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { HAPROXY, listen, startHaproxy, type Haproxy } from '../support/probe-parts.ts';

const INSTALL = 'apt-get update && apt-get install -y haproxy';

function requireHaproxy(): void {
  const probe = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    assert.fail(`haproxy is not installed (or ${HAPROXY} does not run): install it with \`${INSTALL}\` (see test/haproxy/README.md)`);
  }
}

function wrap(backends: readonly RenderedBackend[], frontendPort: number, mode: 'http' | 'tcp'): string {
  const first = backends[0];
  assert.ok(first, 'no backend to wrap');
  return (
    [
      'global',
      '\tmaxconn 256',
      'defaults',
      `\tmode ${mode}`,
      '\ttimeout connect 5s',
      '\ttimeout client 10s',
      '\ttimeout server 10s',
      'frontend fe',
      `\tbind 127.0.0.1:${frontendPort}`,
      `\tdefault_backend ${first.name}`,
      '',
    ].join('\n') + formatBackends(backends)
  );
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sticky-haproxy-'));
}

// Voyager's HAProxy is 1.9 (v13.0.0-rc.0 pkg/cmds/server/options.go:89: 1.9.15-v13.0.0-beta.1-alpine),
// whose rewriteRules and headerRules lines are reqrep/reqadd/rspadd..., directives HAProxy 2.1
// removed; the haproxy here is newer. The check is about the sticky lines, so those are left out.
const PRE_21 = /^(req|rsp)(rep|irep|add|del|idel|deny|ideny|allow|iallow|pass|ipass|tarpit|itarpit|setbe|isetbe)\b/;
function withoutPre21Lines(backend: RenderedBackend): RenderedBackend {
  return { ...backend, lines: backend.lines.filter((line) => !PRE_21.test(line)) };
}

test('every rendered sticky golden backend passes haproxy -c', { timeout: 120_000 }, () => {
  requireHaproxy();
  const dir = tempDir();
  try {
    let checked = 0;
    for (const name of caseNames()) {
      const { backends } = renderCase(loadCase(name));
      backends.forEach((backend, index) => {
        if (!backend.sticky) return;
        const file = join(dir, `${name}-${index}.cfg`);
        const config = wrap([withoutPre21Lines(backend)], 18080, backend.type === 'tcp' ? 'tcp' : 'http');
        writeFileSync(file, config);
        const result = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(result.status, 0, `${name} / backend ${backend.name}: haproxy -c failed\n${result.stdout}\n${result.stderr}\n--- config ---\n${config}`);
        checked++;
      });
    }
    assert.ok(checked >= 10, `only ${checked} sticky backends checked`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function close(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function profile(version: string) {
  const result = profileFor(version);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

/** Two pods that share 127.0.0.1 and differ by port, as two Endpoints subsets. */
function objects(annotations: Record<string, string>, rule: object, ports: [number, number], portName: string) {
  return objectsFrom(
    [
      {
        apiVersion: 'voyager.appscode.com/v1beta1',
        kind: 'Ingress',
        metadata: { name: 'live', namespace: 'default', annotations },
        spec: { rules: [rule] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { ports: [{ name: portName, port: 80, targetPort: portName }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'web', namespace: 'default' },
        subsets: ports.map((port, i) => ({
          addresses: [{ ip: '127.0.0.1', targetRef: { kind: 'Pod', name: `web-${i}`, namespace: 'default' } }],
          ports: [{ name: portName, port }],
        })),
      },
    ],
    'default',
  );
}

interface Reply {
  body: string;
  setCookie: string[];
}

function get(port: number, cookie: string | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent: false, headers: cookie ? { Cookie: cookie } : {}, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, setCookie: response.headers['set-cookie'] ?? [] }));
    });
    request.once('timeout', () => request.destroy(new Error('request timed out')));
    request.once('error', reject);
  });
}

/**
 * Two loopback HTTP servers answering `web-0` / `web-1`, the objects of an Ingress in front of
 * them, and a way to start HAProxy on a config; everything is stopped and removed afterwards.
 */
async function withTwoWebServers(
  annotations: Record<string, string>,
  backend: object,
  run: (set: ReturnType<typeof objects>, start: (config: (port: number) => string) => Promise<Haproxy>) => Promise<void>,
): Promise<void> {
  const servers = [0, 1].map((i) => http.createServer((_req, res) => res.end(`web-${i}`)));
  const started: Haproxy[] = [];
  try {
    const ports = [await listen(servers[0] as http.Server), await listen(servers[1] as http.Server)] as [number, number];
    const set = objects(annotations, { http: { paths: [{ path: '/', backend }] } }, ports, 'http');
    await run(set, async (config) => {
      const haproxy = await startHaproxy(config);
      started.push(haproxy);
      return haproxy;
    });
  } finally {
    await Promise.all(started.map((h) => h.stop()));
    await Promise.all(servers.map((s) => close(s)));
  }
}

test('live: a rendered cookie backend keeps a client on one server', { timeout: 60_000 }, async () => {
  requireHaproxy();
  await withTwoWebServers(
    { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-hash': 'md5' },
    { serviceName: 'web', servicePort: 80 },
    async (set, start) => {
      const ingress = set.ingresses[0];
      assert.ok(ingress);
      const backends = renderBackends(ingress, set, profile('6.0.0'));
      const backend = backends[0];
      assert.ok(backend && backend.mode === 'cookie', 'the backend should be a sticky cookie backend');
      assert.deepEqual(
        backend.servers.map((s) => s.cookie),
        [cookieValue('pod-web-0', 0, 'md5'), cookieValue('pod-web-1', 1, 'md5')],
      );
      const haproxy = await start((port) => wrap(backends, port, 'http'));
      const front = haproxy.port;

      const first = await get(front, null);
      const inserted = first.setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('SERVERID='));
      assert.ok(inserted, `no SERVERID cookie inserted: ${JSON.stringify(first.setCookie)}\n${haproxy.output()}`);
      assert.equal(inserted, `SERVERID=${cookieValue(`pod-${first.body}`, 0, 'md5')}`, 'the cookie names the server that answered');

      for (let i = 0; i < 20; i++) {
        assert.equal((await get(front, inserted)).body, first.body, `request ${i + 1} with the cookie left ${first.body}`);
      }
      // The other server's cookie value pins to the other server.
      const other = first.body === 'web-0' ? 'web-1' : 'web-0';
      for (let i = 0; i < 5; i++) {
        assert.equal((await get(front, `SERVERID=${cookieValue(`pod-${other}`, 0, 'md5')}`)).body, other);
      }
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add((await get(front, null)).body);
      assert.deepEqual([...seen].sort(), ['web-0', 'web-1'], 'cookie-less requests should reach both servers');
    },
  );
});

// Voyager writes backendRules after its own cookie line (v12.0.0 templates/http-backend.cfg:13-16);
// status says the later `cookie` line is the one clients get. This asks the real HAProxy.
test('live: a backendRules cookie line overrides the sticky cookie, as status reports', { timeout: 60_000 }, async () => {
  requireHaproxy();
  await withTwoWebServers(
    { 'ingress.appscode.com/affinity': 'cookie' },
    { serviceName: 'web', servicePort: 80, backendRules: ['cookie APPSTICK insert nocache'] },
    async (set, start) => {
      const ingress = set.ingresses[0];
      assert.ok(ingress);
      const backends = renderBackends(ingress, set, profile('9.0.0'));
      assert.deepEqual(
        backends[0]?.lines.filter((l) => l.startsWith('cookie ')),
        ['cookie SERVERID insert indirect nocache', 'cookie APPSTICK insert nocache'],
      );
      const status = computeStatus(set, { profile: profile('9.0.0'), source: 'flag', ingressClass: null });
      assert.equal(status.items[0]?.cookie?.name, 'APPSTICK');
      assert.ok(status.warnings.some((w) => w.message.includes('the sticky cookie is APPSTICK')));
      const haproxy = await start((port) => wrap(backends, port, 'http'));
      const first = await get(haproxy.port, null);
      const names = first.setCookie.map((c) => (c.split('=')[0] ?? '').trim());
      assert.deepEqual(names, ['APPSTICK'], `HAProxy set ${JSON.stringify(first.setCookie)}`);
      const pinned = first.setCookie[0]?.split(';')[0] ?? '';
      for (let i = 0; i < 10; i++) assert.equal((await get(haproxy.port, pinned)).body, first.body);
    },
  );
});

/** Writes its id and closes when the client does. */
function tcpServer(id: string): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    socket.write(id);
  });
}

function connectOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    socket.setTimeout(5_000, () => socket.destroy(new Error('connection timed out')));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.length >= 'web-0'.length) {
        resolve(data);
        socket.end();
      }
    });
    socket.once('end', () => resolve(data));
    socket.once('error', (error) => (data.length >= 'web-0'.length ? resolve(data) : reject(error)));
  });
}

async function tcpRun(sticky: boolean): Promise<Set<string>> {
  const servers = [tcpServer('web-0'), tcpServer('web-1')];
  let haproxy: Haproxy | null = null;
  try {
    const ports = [await listen(servers[0] as net.Server), await listen(servers[1] as net.Server)] as [number, number];
    const set = objects(
      sticky ? { 'ingress.appscode.com/affinity': 'cookie' } : {},
      { tcp: { port: 5432, backend: { serviceName: 'web', servicePort: 80 } } },
      ports,
      'tcp',
    );
    const ingress = set.ingresses[0];
    assert.ok(ingress);
    const backends = renderBackends(ingress, set, profile('6.0.0'));
    const backend = backends[0];
    assert.ok(backend && backend.type === 'tcp');
    assert.equal(backend.lines.includes('stick on src'), sticky);
    haproxy = await startHaproxy((port) => wrap(backends, port, 'tcp'));
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await connectOnce(haproxy.port));
    return seen;
  } finally {
    await haproxy?.stop();
    await Promise.all(servers.map((s) => close(s)));
  }
}

test('live: a rendered TCP backend with stick on src keeps one source on one server', { timeout: 60_000 }, async () => {
  requireHaproxy();
  const sticky = await tcpRun(true);
  assert.equal(sticky.size, 1, `20 connections from 127.0.0.1 reached ${[...sticky].join(', ')}`);
  // Control: the same backend rendered without stickiness spreads the connections.
  const spread = await tcpRun(false);
  assert.deepEqual([...spread].sort(), ['web-0', 'web-1']);
});
