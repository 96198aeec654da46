// A second kube-apiserver for the benchmark's 10%-scale set: the same binary and flags as the
// running test plane's (read from its /proc/PID/cmdline), the same etcd, but its own key prefix
// (--etcd-prefix) and port. Both data sets then live side by side and stay seeded across runs,
// and `status -A` on each plane sees exactly its own set. Started and stopped by bench/run.ts.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiFrom } from './http.ts';

export interface SecondPlane {
  kubeconfig: string;
  pid: number;
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startSecondPlane(repoRoot: string, etcdPrefix: string): Promise<SecondPlane> {
  const state = join(repoRoot, '.cluster');
  const mainPid = readFileSync(join(state, 'kube-apiserver.pid'), 'utf8').trim();
  const argv = readFileSync(`/proc/${mainPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const binary = argv[0] as string;
  if (!binary.endsWith('/kube-apiserver')) throw new Error(`pid ${mainPid} is not kube-apiserver: ${binary}`);
  const port = await freePort();
  const args = argv.slice(1).map((a) => (a.startsWith('--secure-port=') ? `--secure-port=${port}` : a));
  args.push(`--etcd-prefix=${etcdPrefix}`);
  const dir = join(tmpdir(), 'kubectl-sticky-bench');
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dir, 'kube-apiserver-small.log'), 'w');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const pid = child.pid as number;
  const kubeconfig = join(dir, 'kubeconfig-small');
  writeFileSync(kubeconfig, readFileSync(join(state, 'kubeconfig'), 'utf8').replace(/(server: https:\/\/127\.0\.0\.1:)\d+/, `$1${port}`), { mode: 0o600 });
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 150 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!exited) process.kill(pid, 'SIGKILL');
  };
  log(`starting a second kube-apiserver (pid ${pid}) on 127.0.0.1:${port} with --etcd-prefix=${etcdPrefix}`);
  const api = apiFrom(kubeconfig, 2);
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (exited) throw new Error(`the second kube-apiserver exited; see ${join(dir, 'kube-apiserver-small.log')}`);
      const ok = await api.call('GET', '/readyz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the second kube-apiserver is not ready after 90s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const served = /SERVED_VOYAGER_API=(\S+)/.exec(readFileSync(join(state, 'ready'), 'utf8'))?.[1] ?? 'v1beta1';
    const crd = join(repoRoot, 'test/cluster', `voyager-crd-${served}.yaml`);
    const k = (...a: string[]) => spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...a], { encoding: 'utf8' });
    const applied = k('apply', '-f', crd);
    if (applied.status !== 0) throw new Error(`applying ${crd}: ${applied.stderr}`);
    k('wait', '--for=condition=Established', '--timeout=60s', 'crd/ingresses.voyager.appscode.com');
    for (let i = 0; ; i++) {
      const r = await api.call('GET', `/apis/voyager.appscode.com/${served}/ingresses?limit=1`);
      if (r.status === 200) break;
      if (i > 120) throw new Error('ingresses.voyager.appscode.com is not served on the second plane');
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    api.close();
  }
  log(`second kube-apiserver ready`);
  return { kubeconfig, pid, stop };
}
