// Starts (or reuses) the real test control plane of test/cluster/up.sh: etcd + kube-apiserver
// v1.34 on 127.0.0.1 with the Voyager Ingress CRD. Only erasable TypeScript syntax (Node runs
// this file directly with type stripping).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Cluster {
  /** Absolute path of the cluster-admin kubeconfig (.cluster/kubeconfig). */
  kubeconfig: string;
  /** Absolute path of the kubeconfig of team-a-user (get/list/watch/patch in team-a only). */
  limitedKubeconfig: string;
  /** The API server URL, https://127.0.0.1:PORT. */
  server: string;
}

export const repoRoot: string = resolve(import.meta.dirname, '..', '..');

/**
 * Runs `bash test/cluster/up.sh` (its progress goes to this process's stderr) and resolves
 * once the plane is ready. Safe to call from several test files at once: up.sh takes a lock
 * and reuses a running plane. `env.VOYAGER_API` ('v1beta1' default, or 'v1') picks the one
 * served version of ingresses.voyager.appscode.com; `env.CLUSTER_STATE` (a folder) runs a separate
 * plane there, stopped with stopCluster(env).
 */
export function ensureCluster(env: Record<string, string> = {}): Promise<Cluster> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [resolve(repoRoot, 'test/cluster/up.sh')], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // up.sh prints `export KUBECONFIG=...` on stdout: keep the test runner's stdout clean.
    child.stdout.pipe(process.stderr, { end: false });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`test/cluster/up.sh failed (${signal ?? `exit ${code}`})`));
        return;
      }
      const state = resolve(repoRoot, env['CLUSTER_STATE'] ?? '.cluster');
      const kubeconfig = resolve(state, 'kubeconfig');
      const limitedKubeconfig = resolve(state, 'kubeconfig-limited');
      const server = /^\s*server:\s*(\S+)/m.exec(readFileSync(kubeconfig, 'utf8'))?.[1];
      if (!server) {
        reject(new Error(`no server in ${kubeconfig}`));
        return;
      }
      resolvePromise({ kubeconfig, limitedKubeconfig, server });
    });
  });
}

/** Stops the plane of `env.CLUSTER_STATE` (or the default one) and removes its state. */
export function stopCluster(env: Record<string, string> = {}): void {
  spawnSync('bash', [resolve(repoRoot, 'test/cluster/down.sh')], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}
