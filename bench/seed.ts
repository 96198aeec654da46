// Seeds (or reuses) the synthetic cluster of bench/generate.ts on a control plane, by direct
// POSTs with bounded concurrency. A marker ConfigMap `bench-seed` in the set's first namespace
// holds a hash of the generator and the set's size: a plane whose marker matches is reused, one
// whose marker differs (or is missing: an interrupted seed) is cleaned and seeded again.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiFrom, pool, type Api } from './http.ts';
import { namespaceName, namespaceObjects, type Obj } from './generate.ts';

export interface SeedSet {
  /** Namespace prefix: namespaces are PREFIX00, PREFIX01, ... */
  prefix: string;
  namespaces: number;
}

export interface SeedResult {
  reused: boolean;
  objects: number;
  seconds: number;
  voyagerVersion: string;
  counts: Record<string, number>;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function collectionPath(obj: Obj): string {
  const ns = obj.metadata.namespace;
  if (obj.kind === 'Ingress') return `/apis/${obj.apiVersion}/namespaces/${ns}/ingresses`;
  return `/api/v1/namespaces/${ns}/${obj.kind === 'Service' ? 'services' : obj.kind === 'Endpoints' ? 'endpoints' : 'configmaps'}`;
}

export function generatorHash(set: SeedSet, voyagerVersion: string): string {
  const source = readFileSync(join(import.meta.dirname, 'generate.ts'), 'utf8');
  return createHash('sha256').update(`${source}\n${set.prefix}\n${set.namespaces}\n${voyagerVersion}`).digest('hex').slice(0, 16);
}

async function must(api: Api, method: string, path: string, body: unknown, ok: number[] = []): Promise<{ status: number; text: string }> {
  for (let attempt = 0; ; attempt++) {
    const r = await api.call(method, path, body);
    if (r.status < 300 || ok.includes(r.status)) return r;
    if ((r.status === 429 || r.status >= 500) && attempt < 5) {
      await new Promise((res) => setTimeout(res, 250 * 2 ** attempt));
      continue;
    }
    throw new Error(`${method} ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  }
}

export async function voyagerVersionOf(api: Api): Promise<string> {
  const r = await must(api, 'GET', '/apis/voyager.appscode.com', undefined);
  return JSON.parse(r.text).preferredVersion.version;
}

/** Deletes every object the generator makes in one namespace (the plane has no namespace controller). */
async function clean(api: Api, ns: string, voyagerVersion: string): Promise<void> {
  const collections = [
    `/apis/voyager.appscode.com/${voyagerVersion}/namespaces/${ns}/ingresses`,
    `/api/v1/namespaces/${ns}/endpoints`,
    `/api/v1/namespaces/${ns}/services`,
  ];
  for (const path of collections) {
    const r = await api.call('DELETE', path);
    if (r.status < 300 || r.status === 404) continue;
    if (r.status !== 405) throw new Error(`DELETE ${path}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    const list = JSON.parse((await must(api, 'GET', path, undefined)).text) as { items: Obj[] };
    await pool(list.items, 16, async (item) => {
      await must(api, 'DELETE', `${path}/${item.metadata.name}`, undefined, [404]);
    });
  }
}

export async function seed(kubeconfig: string, set: SeedSet, concurrency = 32): Promise<SeedResult> {
  const api = apiFrom(kubeconfig, concurrency);
  const started = performance.now();
  try {
    const voyagerVersion = await voyagerVersionOf(api);
    const hash = generatorHash(set, voyagerVersion);
    const namespaces = Array.from({ length: set.namespaces }, (_, i) => namespaceName(set.prefix, i));
    const markerNs = namespaces[0] as string;
    const objects = namespaces.flatMap((_, i) => namespaceObjects(voyagerVersion, i, set.namespaces, set.prefix));
    const counts: Record<string, number> = {};
    for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;

    const marker = await api.call('GET', `/api/v1/namespaces/${markerNs}/configmaps/bench-seed`);
    if (marker.status === 200) {
      const data = JSON.parse(marker.text).data ?? {};
      if (data.generator === hash) {
        log(
          `reusing the seeded set ${set.prefix}00..${set.prefix}${String(set.namespaces - 1).padStart(2, '0')} on ${api.server} (marker bench-seed generator=${hash}, ${data.objects} objects)`,
        );
        return { reused: true, objects: objects.length, seconds: 0, voyagerVersion, counts };
      }
      log(`marker bench-seed has generator=${data.generator}, this generator is ${hash}: cleaning and seeding again`);
    } else {
      log(`no marker bench-seed in ${markerNs}: seeding ${objects.length} objects in ${set.namespaces} namespaces with ${concurrency} requests in flight`);
    }

    await pool(namespaces, 4, async (ns) => {
      await must(
        api,
        'POST',
        '/api/v1/namespaces',
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'bench.kubectl-sticky/set': 'bench' } } },
        [409],
      );
      await clean(api, ns, voyagerVersion);
    });
    await api.call('DELETE', `/api/v1/namespaces/${markerNs}/configmaps/bench-seed`);

    let done = 0;
    let lastNs = '';
    const t0 = performance.now();
    await pool(objects, concurrency, async (obj) => {
      await must(api, 'POST', collectionPath(obj), obj, [409]);
      done++;
      if (done % 1000 === 0 || done === objects.length) {
        const ns = obj.metadata.namespace ?? '';
        const rate = done / ((performance.now() - t0) / 1000);
        log(`seeded ${done}/${objects.length} objects (now in ${ns}${ns === lastNs ? '' : ''}), ${Math.round(rate)}/s`);
        lastNs = ns;
      }
    });
    await must(api, 'POST', `/api/v1/namespaces/${markerNs}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bench-seed', namespace: markerNs },
      data: { generator: hash, namespaces: String(set.namespaces), objects: String(objects.length), counts: JSON.stringify(counts) },
    });
    const seconds = (performance.now() - started) / 1000;
    log(`seeded ${objects.length} objects in ${seconds.toFixed(1)}s (${Math.round(objects.length / seconds)}/s)`);
    return { reused: false, objects: objects.length, seconds, voyagerVersion, counts };
  } finally {
    api.close();
  }
}

if (import.meta.main) {
  const [kubeconfig = '.cluster/kubeconfig', prefix = 'bench-', n = '50', c = '32'] = process.argv.slice(2);
  const r = await seed(kubeconfig, { prefix, namespaces: Number(n) }, Number(c));
  console.log(JSON.stringify(r));
}
