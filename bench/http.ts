// A small HTTPS client for the benchmark's own seeding and metrics reads (not the plugin's):
// bearer-token kubeconfigs of test/cluster, keep-alive sockets, bounded concurrency.

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse } from 'yaml';

export interface Api {
  server: string;
  /** `contentType` of the body: JSON unless given (a merge patch's). */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; text: string }>;
  close(): void;
}

export function apiFrom(kubeconfig: string, maxSockets = 32): Api {
  const doc = parse(readFileSync(kubeconfig, 'utf8'));
  const ctxName = doc['current-context'];
  const ctx = doc.contexts.find((c: { name: string }) => c.name === ctxName).context;
  const cluster = doc.clusters.find((c: { name: string }) => c.name === ctx.cluster).cluster;
  const user = doc.users.find((u: { name: string }) => u.name === ctx.user).user;
  const server = new URL(cluster.server);
  const agent = new Agent({ keepAlive: true, maxSockets, ca: Buffer.from(cluster['certificate-authority-data'], 'base64') });
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          agent,
          host: server.hostname,
          port: server.port,
          method,
          path,
          headers: {
            Authorization: `Bearer ${user.token}`,
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return { server: cluster.server, call, close: () => agent.destroy() };
}

/** Runs tasks with at most `limit` at once; rejects on the first failure. */
export async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
