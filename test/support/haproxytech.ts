// haproxytech's HAProxy Kubernetes Ingress Controller, built from its Go module (the proxy serves
// github.com/haproxytech/kubernetes-ingress at v1.11.12 only) into ~/.cache/kubectl-sticky, and run
// outside a cluster against the test plane with the Debian haproxy. Only erasable TypeScript.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HAPROXYTECH_VERSION = 'v1.11.12';
const MODULE = 'github.com/haproxytech/kubernetes-ingress';

/** The controller binary, built once per machine (about 100 s cold). */
export function haproxytechBinary(): string {
  const cache = join(homedir(), '.cache', 'kubectl-sticky', `haproxytech-${HAPROXYTECH_VERSION}`);
  const binary = join(cache, 'kubernetes-ingress');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const download = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${HAPROXYTECH_VERSION}`], {
    cwd: cache,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    timeout: 600_000,
  });
  const dir = /"Dir":\s*"([^"]+)"/.exec(download.stdout ?? '')?.[1];
  if (download.status !== 0 || !dir) throw new Error(`go mod download ${MODULE}@${HAPROXYTECH_VERSION} failed: ${download.stdout}${download.stderr}`);
  // The module cache is read-only: build in a copy.
  const source = join(cache, 'src');
  rmSync(source, { recursive: true, force: true });
  cpSync(dir, source, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', source]);
  const build = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: source,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    timeout: 1_200_000,
  });
  if (build.status !== 0) throw new Error(`go build of ${MODULE} failed: ${build.stderr}`);
  rmSync(source, { recursive: true, force: true });
  return binary;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Debian's haproxy 2.6 rejects `limited-quic`, which the controller always writes into global.
const WRAPPER = `#!/bin/bash
args=(); next=0
for a in "$@"; do
  if [ $next = 1 ] && [ -f "$a" ]; then grep -v 'limited-quic' "$a" > "$a.noquic"; a="$a.noquic"; fi
  next=0; [ "$a" = "-f" ] && next=1
  args+=("$a")
done
exec haproxy "\${args[@]}"
`;

/** Starts the controller for ingress class `haproxy` (ConfigMap NS/NAME must exist); its haproxy.cfg is in `config`. */
export async function startHaproxytech(
  kubeconfig: string,
  dir: string,
  configMap: string,
): Promise<{ child: ChildProcess; config: string; log: () => string }> {
  const binary = haproxytechBinary();
  const config = join(dir, 'config');
  const runtime = join(dir, 'runtime');
  mkdirSync(config, { recursive: true });
  mkdirSync(runtime, { recursive: true });
  const wrapper = join(dir, 'haproxy-wrapper.sh');
  writeFileSync(wrapper, WRAPPER);
  chmodSync(wrapper, 0o755);
  const ports: string[] = [];
  for (const flag of ['http-bind-port', 'https-bind-port', 'stats-bind-port', 'healthz-bind-port', 'controller-port', 'localpeer-port', 'default-backend-port'])
    ports.push(`--${flag}`, String(await freePort()));
  const args = ['--external', `--program=${wrapper}`, '--config-dir', config, '--runtime-dir', runtime, '--kubeconfig', kubeconfig];
  args.push('--configmap', configMap, '--ingress.class', 'haproxy', ...ports, '--disable-quic', '--disable-ipv6', '--ipv4-bind-address', '127.0.0.1');
  let output = '';
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, config: join(config, 'haproxy.cfg'), log: () => output };
}
