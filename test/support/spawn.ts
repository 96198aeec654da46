// `kubectl sticky ...` without blocking the event loop: tests that run an in-process server (the
// fault proxy) or many writers at once need the plugin to run while they keep serving.

import { spawn } from 'node:child_process';
import { pathWithPlugin } from '../e2e/run.ts';
import { repoRoot } from '../e2e/cluster.ts';

export interface TimedResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time, milliseconds. */
  ms: number;
  /** When the process ended (Date.now()). */
  ended: number;
}

export function kubectlAsync(
  args: string[],
  options: { kubeconfig?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<TimedResult> {
  const env: Record<string, string | undefined> = { ...process.env, PATH: pathWithPlugin(), ...options.env };
  if (options.kubeconfig) env['KUBECONFIG'] = options.kubeconfig;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ended = Date.now();
      resolve({ code: code ?? -1, stdout, stderr, ms: ended - started, ended });
    });
    child.stdin.end(options.input ?? '');
  });
}

export function stickyAsync(
  args: string[],
  options: { kubeconfig?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<TimedResult> {
  return kubectlAsync(['sticky', ...args], options);
}
