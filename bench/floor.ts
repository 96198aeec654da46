// The floor of `status -A` (issue 24): what fetching exactly the pages it fetches costs, as raw
// bytes. The URLs are the plugin's own (its -v=6 lines, one per request); the floor reads them
// with node:https, 500 per page following the continue tokens, no JSON decoding and no gzip (so
// no inflating either), one keep-alive connection per collection, the collections in parallel
// after the discovery GET. In process: no Node start-up, but a TLS handshake per collection,
// as the plugin pays.

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse } from 'yaml';

/** The requests of one plugin run, from its -v=6 lines: the discovery GETs, and each list once (without its continue token). */
export interface Requests {
  discovery: string[];
  lists: string[];
  /** Every GET of the run, pages included: what the floor must send too. */
  total: number;
}

const REQUEST_LINE = /^GET (https?:\/\/\S+) (\d{3}) in \d+ms$/;

export function requestsOf(stderr: string): Requests {
  const discovery: string[] = [];
  const lists = new Set<string>();
  let total = 0;
  for (const line of stderr.split('\n')) {
    const m = REQUEST_LINE.exec(line);
    if (!m) continue;
    total++;
    const url = new URL(m[1] as string);
    if (!url.searchParams.has('limit')) {
      discovery.push(url.pathname + url.search);
      continue;
    }
    url.searchParams.delete('continue');
    lists.add(url.pathname + url.search);
  }
  return { discovery, lists: [...lists], total };
}

interface Target {
  host: string;
  port: string;
  ca: Buffer;
  token: string;
}

function targetOf(kubeconfig: string): Target {
  const doc = parse(readFileSync(kubeconfig, 'utf8'));
  const ctx = doc.contexts.find((c: { name: string }) => c.name === doc['current-context']).context;
  const cluster = doc.clusters.find((c: { name: string }) => c.name === ctx.cluster).cluster;
  const user = doc.users.find((u: { name: string }) => u.name === ctx.user).user;
  const server = new URL(cluster.server);
  return { host: server.hostname, port: server.port, ca: Buffer.from(cluster['certificate-authority-data'], 'base64'), token: user.token };
}

// A built-in kind's list has its metadata before its items (kind, apiVersion, metadata, items),
// a custom resource's after them (keys sorted: apiVersion, items, kind, metadata): the token is
// in the first or the last bytes, found there without decoding the page.
const CONTINUE = /"continue":"([^"]*)"/;
const TAIL_METADATA = /"metadata":\{[^{}]*\}\}$/;

/** One GET, the body read and dropped; its size and the continue token of its head. */
function get(target: Target, agent: Agent, path: string): Promise<{ bytes: number; token: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: target.host, port: target.port, path, headers: { Authorization: `Bearer ${target.token}`, Accept: 'application/json' } },
      (res) => {
        let bytes = 0;
        let head = '';
        let tail = '';
        res.on('data', (chunk: Buffer) => {
          if (!head.includes('"items"') && head.length < 65_536) head += chunk.toString('latin1');
          tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 4096))).slice(-4096);
          bytes += chunk.length;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
          const before = head.slice(0, Math.max(0, head.indexOf('"items"')) || head.length);
          const after = TAIL_METADATA.exec(tail.trimEnd())?.[0] ?? '';
          resolve({ bytes, token: CONTINUE.exec(before)?.[1] ?? CONTINUE.exec(after)?.[1] ?? '' });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A collection's pages, one after another on one keep-alive connection. */
async function listAll(target: Target, path: string): Promise<{ bytes: number; pages: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.ca });
  try {
    let bytes = 0;
    let pages = 0;
    let token = '';
    do {
      const page = await get(target, agent, token ? `${path}&continue=${encodeURIComponent(token)}` : path);
      bytes += page.bytes;
      pages++;
      token = page.token;
    } while (token);
    return { bytes, pages };
  } finally {
    agent.destroy();
  }
}

export interface FloorRun {
  bytes: number;
  requests: number;
  /** Pages by list path. */
  pages: Record<string, number>;
}

/** Fetches the requests of one run: discovery, then every list at once. */
export async function fetchFloor(kubeconfig: string, requests: Requests): Promise<FloorRun> {
  const target = targetOf(kubeconfig);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.ca });
  let bytes = 0;
  let count = 0;
  try {
    for (const path of requests.discovery) {
      bytes += (await get(target, agent, path)).bytes;
      count++;
    }
  } finally {
    agent.destroy();
  }
  const lists = await Promise.all(requests.lists.map((path) => listAll(target, path)));
  const pages: Record<string, number> = {};
  lists.forEach((l, i) => {
    bytes += l.bytes;
    count += l.pages;
    pages[requests.lists[i] as string] = l.pages;
  });
  return { bytes, requests: count, pages };
}
