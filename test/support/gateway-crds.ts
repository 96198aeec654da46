// The CRDs convert's output is checked against, fetched at test time from their Go modules through
// the Go module proxy (`go mod download`), into Go's module cache (nothing large is committed): Gateway API v1.6.3's experimental channel, and Envoy Gateway v1.7.1's
// BackendTrafficPolicy. Only erasable TypeScript syntax.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const GATEWAY_API_VERSION = 'v1.6.3';
export const ENVOY_GATEWAY_VERSION = 'v1.7.1';

/** The module's folder in the Go module cache, downloaded when missing. */
function moduleDir(path: string, version: string): string {
  const cache = join(homedir(), '.cache', 'kubectl-sticky', 'gomod');
  mkdirSync(cache, { recursive: true });
  const result = spawnSync('go', ['mod', 'download', '-json', `${path}@${version}`], {
    cwd: cache,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const dir = /"Dir":\s*"([^"]+)"/.exec(result.stdout ?? '')?.[1];
  if (result.status !== 0 || !dir || !existsSync(dir)) throw new Error(`go mod download ${path}@${version} failed: ${result.stdout}${result.stderr}`);
  return dir;
}

/** Gateway API's experimental CRD files (the folder's kustomization.yaml and admission policy left out). */
export function gatewayApiCrds(): string[] {
  const dir = join(moduleDir('sigs.k8s.io/gateway-api', GATEWAY_API_VERSION), 'config', 'crd', 'experimental');
  return readdirSync(dir)
    .filter((f) => f.startsWith('gateway.networking') && f.endsWith('.yaml'))
    .map((f) => join(dir, f));
}

function envoyCrdDir(): string {
  return join(moduleDir('github.com/envoyproxy/gateway', ENVOY_GATEWAY_VERSION), 'charts', 'gateway-helm', 'crds');
}

/** Envoy Gateway's BackendTrafficPolicy CRD (its bundled Gateway API CRDs are an older version). */
export function envoyPolicyCrd(): string {
  return join(envoyCrdDir(), 'generated', 'gateway.envoyproxy.io_backendtrafficpolicies.yaml');
}

/** What Envoy Gateway installs: its bundled Gateway API CRDs (v1.4.1 experimental) and its BackendTrafficPolicy. */
export function envoyGatewayCrds(): string[] {
  return [join(envoyCrdDir(), 'gatewayapi-crds.yaml'), envoyPolicyCrd()];
}
