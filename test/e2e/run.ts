// Runs the plugin the way users do: through the real kubectl, which finds dist/kubectl-sticky on
// PATH. Only erasable TypeScript (Node runs this file directly).

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from './cluster.ts';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export const distDir = resolve(repoRoot, 'dist');

export function pathWithPlugin(): string {
  return `${distDir}:${process.env['PATH'] ?? ''}`;
}

export function kubectl(args: string[], options: { kubeconfig?: string; input?: string; env?: Record<string, string> } = {}): Result {
  const env: Record<string, string | undefined> = { ...process.env, PATH: pathWithPlugin(), ...options.env };
  if (options.kubeconfig) env['KUBECONFIG'] = options.kubeconfig;
  const result = spawnSync('kubectl', args, {
    cwd: repoRoot,
    env,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** `kubectl sticky ...` through kubectl's plugin mechanism. */
export function sticky(args: string[], options: { kubeconfig?: string; input?: string; env?: Record<string, string> } = {}): Result {
  return kubectl(['sticky', ...args], options);
}

export function mustKubectl(args: string[], kubeconfig: string, input?: string): string {
  const result = kubectl(args, input === undefined ? { kubeconfig } : { kubeconfig, input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Table rows as arrays of cells (kubectl's three-space columns). */
export function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.trim().split(/\s{3,}/));
}
