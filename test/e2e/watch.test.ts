// `kubectl sticky status --watch` through the real kubectl against a control plane of its own
// (.cluster-watch): its kube-apiserver is restarted and finally stopped here, which would
// disturb the other e2e files' plane.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/app.ts';
import { realConnect } from '../../src/cli/io.ts';
import { FaultProxy, PASS, kubeconfigFor } from '../support/fault-proxy.ts';
import { kubectlAsync } from '../support/spawn.ts';
import { ensureCluster, repoRoot, stopCluster, type Cluster } from './cluster.ts';
import { mustKubectl, pathWithPlugin } from './run.ts';

const PLANE = { CLUSTER_STATE: '.cluster-watch' };
const STATE = resolve(repoRoot, PLANE.CLUSTER_STATE);
const NS = 'watch-e2e';
let cluster: Cluster;

const OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}-other}
---
apiVersion: v1
kind: Service
metadata: {name: far, namespace: ${NS}-other}
spec: {selector: {app: far}, ports: [{port: 80}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: ${NS}}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - backend: {serviceName: s1, servicePort: '80'}
  - host: b.example.com
    http:
      paths:
      - backend: {serviceName: s2, servicePort: '80'}
---
apiVersion: v1
kind: Service
metadata: {name: s1, namespace: ${NS}}
spec: {selector: {app: s1}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: s2, namespace: ${NS}}
spec: {selector: {app: s2}, ports: [{port: 80}]}
`;

before(async () => {
  cluster = await ensureCluster(PLANE);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, OBJECTS);
});

let started: Running | undefined;

/** The status -w the first test starts and the next two go on with. */
function running(): Running {
  assert.ok(started, 'status -w was started by the first test');
  return started;
}

after(() => {
  started?.kill();
  stopCluster(PLANE);
});

/** A running `kubectl sticky ...`: its output as it comes, with when each line came. */
class Running {
  readonly child: ChildProcess;
  readonly lines: { text: string; at: number }[] = [];
  stderr = '';
  private buffer = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], kubeconfig = cluster.kubeconfig) {
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the group.
    this.child = spawn('kubectl', ['sticky', ...args], {
      cwd: repoRoot,
      env: { ...process.env, PATH: pathWithPlugin(), KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      const at = Date.now();
      for (const text of parts) this.lines.push({ text, at });
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((done) => this.child.on('close', (code, signal) => done({ code, signal })));
  }

  /** The first line from `from` on that matches, waiting up to `ms`. */
  async line(pattern: RegExp, from: number, ms: number): Promise<{ text: string; at: number; index: number }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.lines.findIndex((l, i) => i >= from && pattern.test(l.text));
      const found = this.lines[index];
      if (found) return { ...found, index };
      if (Date.now() > deadline)
        throw new Error(
          `no line matching ${pattern} in ${ms} ms; processes:\n${spawnSync('ps', ['-o', 'pid,stat,time,args', '-g', String(this.child.pid)], { encoding: 'utf8' }).stdout}\nstdout:\n${this.lines.map((l) => l.text).join('\n')}\nstderr:\n${this.stderr}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  interrupt(): void {
    if (this.child.pid) process.kill(-this.child.pid, 'SIGINT');
  }

  kill(): void {
    if (this.child.pid && this.child.exitCode === null) process.kill(-this.child.pid, 'SIGKILL');
  }
}

function annotate(service: string, value: string) {
  return kubectlAsync(['annotate', '--overwrite', 'svc', service, '-n', NS, `ingress.appscode.com/affinity=${value}`], { kubeconfig: cluster.kubeconfig });
}

function ready(): boolean {
  const r = spawnSync('kubectl', ['--kubeconfig', cluster.kubeconfig, 'get', '--raw', '/readyz', '--request-timeout=3s'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'ok';
}

/** kube-apiserver's pid and command line, as up.sh started it. */
function apiserver(): { pid: number; argv: string[] } {
  const pid = Number(readFileSync(resolve(STATE, 'kube-apiserver.pid'), 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  assert.match(argv[0] ?? '', /\/kube-apiserver$/);
  return { pid, argv };
}

/**
 * A crash, not a graceful stop: on SIGTERM kube-apiserver drains for up to a minute while
 * watches are open, and the clients see the same dropped connections either way.
 */
async function killApiserver(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kube-apiserver (pid ${pid}) still runs 10 s after SIGKILL`);
}

/**
 * Kills kube-apiserver and starts it again with the same command line (etcd keeps the state; up.sh
 * would wipe it), writing the new pid where down.sh looks for it. Resolves once it is ready.
 */
async function restartApiserver(): Promise<number> {
  const { pid, argv } = apiserver();
  await killApiserver(pid);
  const started = Date.now();
  const log = openSync(resolve(STATE, 'logs', 'kube-apiserver-restarted.log'), 'a');
  const child = spawn(argv[0] ?? '', argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  writeFileSync(resolve(STATE, 'kube-apiserver.pid'), `${child.pid}\n`);
  while (!ready()) {
    if (Date.now() - started > 120_000) throw new Error('the restarted kube-apiserver is not ready after 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - started;
}

test('status -w prints the listing, then a backend turning sticky within 1 s of kubectl annotate', async () => {
  const watch = new Running(['status', '-w', '-n', NS, '--voyager-version', 'v12.0.0', '-v=6']);
  started = watch;
  const header = await watch.line(/^INGRESS +BACKEND +SERVICE +STICKY +SOURCE$/, 0, 60_000);
  await watch.line(/^web +a\.example\.com +s1:80 +no +<none>$/, header.index, 5000);
  await watch.line(/^web +b\.example\.com +s2:80 +no +<none>$/, header.index, 5000);
  const from = watch.lines.length;
  const annotated = await annotate('s1', 'cookie');
  assert.equal(annotated.code, 0, annotated.stderr);
  const changed = await watch.line(/^web +a\.example\.com +s1:80 +yes +service$/, from, 10_000);
  const delay = changed.at - annotated.ended;
  process.stderr.write(`watch e2e: the changed row came ${delay} ms after kubectl annotate exited\n`);
  assert.ok(delay <= 1000, `the changed row came ${delay} ms after the annotate`);
  // Only the row that changed: s2's row is not printed again.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    watch.lines.slice(from).map((l) => l.text.split(/\s+/).slice(0, 5)),
    [['web', 'a.example.com', 's1:80', 'yes', 'service']],
  );
});

test('status -w keeps going across a kube-apiserver restart: the old resourceVersion is gone (410), it lists again', async () => {
  const watch = running();
  const stderrBefore = watch.stderr.length;
  const took = await restartApiserver();
  process.stderr.write(`watch e2e: kube-apiserver restarted in ${took} ms\n`);
  const from = watch.lines.length;
  const annotated = await annotate('s2', 'cookie');
  assert.equal(annotated.code, 0, annotated.stderr);
  const changed = await watch.line(/^web +b\.example\.com +s2:80 +yes +service$/, from, 30_000);
  process.stderr.write(`watch e2e: after the restart, the changed row came ${changed.at - annotated.ended} ms after kubectl annotate exited\n`);
  // -v=6 shows the requests. The restarted server still serves watches from the old
  // resourceVersion of Services; the Voyager CRD's comes back without its history: 410 Gone
  // (at the start, or as an ERROR event of a watch answered 200), and a list follows. Nothing
  // else lists after the start.
  const requests = watch.stderr.slice(stderrBefore);
  assert.match(requests, /GET \S+\/namespaces\/watch-e2e\/\S+\?limit=500 200 in/, `no list again after the restart:\n${requests}`);
  assert.doesNotMatch(watch.stderr, /^error:/m);
});

test('Ctrl-C ends status -w with exit 0 and no stack trace', async () => {
  const watch = running();
  watch.interrupt();
  const { code } = await watch.exited;
  assert.equal(code, 0, watch.stderr);
  assert.doesNotMatch(watch.stderr, /^\s+at |Error:|error:/m);
});

test('-o json --watch-only: no listing, then one document per changed backend', async (t) => {
  const json = new Running(['status', '--watch-only', '-n', NS, '--voyager-version', 'v12.0.0', '-o', 'json', '--output-watch-events']);
  t.after(() => json.kill());
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  // The watch starts after the list: wait for the Semantics line, which comes after it.
  while (!/^Semantics:/m.test(json.stderr)) {
    if (Date.now() - started > 60_000) throw new Error(`no Semantics line: ${json.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(json.lines.length, 0, 'nothing listed');
  const annotated = await annotate('s1', 'none');
  assert.equal(annotated.code, 0, annotated.stderr);
  const end = await json.line(/^}$/, 0, 10_000);
  const document = JSON.parse(
    json.lines
      .slice(0, end.index + 1)
      .map((l) => l.text)
      .join('\n'),
  );
  assert.equal(document.type, 'MODIFIED');
  assert.equal(document.object.service.name, 's1');
  assert.equal(document.object.sticky, false);
  json.interrupt();
  assert.equal((await json.exited).code, 0, json.stderr);
});

test('-n NS: a Service in another namespace that an Ingress names later is followed too', async () => {
  const other = new Running(['status', '--watch-only', '-n', NS, '--voyager-version', 'v12.0.0']);
  try {
    while (!/^Semantics:/m.test(other.stderr)) await new Promise((r) => setTimeout(r, 50));
    mustKubectl(
      ['apply', '-f', '-'],
      cluster.kubeconfig,
      `{"apiVersion": "voyager.appscode.com/v1beta1", "kind": "Ingress", "metadata": {"name": "far", "namespace": "${NS}"},
        "spec": {"backend": {"serviceName": "far.${NS}-other", "servicePort": "80"}}}`,
    );
    // Found (not "(missing)"): its namespace was listed when the Ingress came.
    const added = await other.line(/^far +\S+ +far\.watch-e2e-other:80 +no +<none>$/, 0, 10_000);
    const annotated = await kubectlAsync(['annotate', 'svc', 'far', '-n', `${NS}-other`, 'ingress.appscode.com/affinity=cookie'], {
      kubeconfig: cluster.kubeconfig,
    });
    assert.equal(annotated.code, 0, annotated.stderr);
    await other.line(/^far +\S+ +far\.watch-e2e-other:80 +yes +service$/, added.index + 1, 10_000);
  } finally {
    other.kill();
  }
});

test('in process: the AbortSignal of the context ends the watch with exit 0', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (text: string) => void out.push(text),
    write: (text: string) => void out.push(text),
    err: (text: string) => void err.push(text),
    stdin: () => '',
  };
  const controller = new AbortController();
  const words = ['status', '-w', '-n', NS, '--voyager-version', 'v12.0.0', '--kubeconfig', cluster.kubeconfig, '-o', 'json'];
  const ran = main(words, { io, connect: realConnect, signal: controller.signal }, { version: '0.0.0-test', width: 100 });
  const started = Date.now();
  while (!out.some((d) => d.includes('"name": "s2"'))) {
    if (Date.now() - started > 30_000) throw new Error(`no listing: ${err.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const listed = out.length;
  const annotated = await annotate('s2', 'none');
  assert.equal(annotated.code, 0, annotated.stderr);
  while (out.length === listed) {
    if (Date.now() - started > 30_000) throw new Error(`no change: ${err.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const changed = out.slice(listed).map((d) => JSON.parse(d));
  assert.deepEqual(
    changed.map((item) => [item.service.name, item.sticky]),
    [['s2', false]],
  );
  controller.abort();
  assert.equal(await ran, 0, err.join('\n'));
});

// Both at once, to wait the 30 s once: one server refuses connections, the other (a proxy in
// front of the real one) takes the watch requests and never answers them.
test('the server gone for good, or stalled: after bounded reconnects a clear error line and exit 1', async () => {
  const proxy = new FaultProxy(cluster.server, resolve(STATE, 'pki'), (r) => (r.url.includes('watch=1') ? { kind: 'hang' } : PASS));
  const token = mustKubectl(['config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.token}'], cluster.kubeconfig).trim();
  const viaProxy = kubeconfigFor(await proxy.start(), resolve(STATE, 'pki'), { token });
  const doomed = new Running(['status', '-w', '-n', NS, '--voyager-version', 'v12.0.0']);
  // Each watch request runs out of its 5 s: longer than a refused connect, yet still a failure.
  const stalled = new Running(['status', '-w', '-n', NS, '--voyager-version', 'v12.0.0', '--request-timeout=5s'], viaProxy);
  try {
    await doomed.line(/^INGRESS /, 0, 60_000);
    await stalled.line(/^INGRESS /, 0, 60_000);
    const { pid } = apiserver();
    const stopped = Date.now();
    await killApiserver(pid);
    const within = (running: Running) => Promise.race([running.exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
    const [refused, hung] = await Promise.all([within(doomed), within(stalled)]);
    assert.ok(refused && hung, 'status -w still runs 90 s after the server went away');
    process.stderr.write(`watch e2e: gave up ${Date.now() - stopped} ms after the server stopped\n`);
    assert.equal(refused.code, 1);
    assert.match(
      doomed.stderr,
      /^error: lost the watch of \S+ in namespace watch-e2e\S* and could not get it back in 30s \(\d+ attempts\): [Tt]he connection to the server 127\.0\.0\.1:\d+ was refused/m,
    );
    assert.equal(hung.code, 1);
    assert.match(stalled.stderr, /^error: lost the watch of \S+ in namespace watch-e2e and could not get it back in 30s \(\d+ attempts\): /m);
    for (const running of [doomed, stalled]) assert.doesNotMatch(running.stderr, /^\s+at /m);
  } finally {
    doomed.kill();
    stalled.kill();
    await proxy.stop();
  }
});
