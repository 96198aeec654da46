// Every real Voyager manifest of test/data/corpus through the built plugin, at the tag it belongs
// to: `status -f FILE -o json` and `render ingress/NAME -f FILE` for each Ingress, with no crash,
// stack trace or hang; and every config the operator would write passes `haproxy -c`.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { backendsOf } from '../../src/core/backends.ts';
import { objectsFrom, type ObjectSet } from '../../src/core/objects.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { repoRoot } from './cluster.ts';
import { CORPUS, corpusFiles } from '../support/corpus.ts';

const BIN = resolve(repoRoot, 'dist', 'kubectl-sticky');
const HAPROXY = process.env['HAPROXY'] || 'haproxy';
// Directives HAProxy 2.1 removed; Voyager shipped HAProxy 1.8/1.9, Debian ships 2.6.
const REMOVED = /^(reqrep|reqirep|reqadd|reqiadd|reqdel|reqidel|reqallow|reqdeny|reqpass|reqtarpit|rspadd|rsprep|rspirep|rspdel|rspidel|rspdeny)\s/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** The tag a corpus file belongs to: the first of its name (`TAG__page__N.yaml`). */
function tagOf(file: string): string {
  return file.split('__')[0] ?? '';
}

/**
 * The Services and Endpoints the manifest's backends name but do not bring (most docs show only
 * the Ingress): two ready pods each, one port per servicePort used, as test/data/operator's cases have.
 */
function companions(objects: ObjectSet): unknown[] {
  const wanted = new Map<string, { namespace: string; name: string; ports: Set<string> }>();
  for (const ingress of objects.ingresses) {
    for (const backend of backendsOf(ingress)) {
      const key = `${backend.service.namespace}/${backend.service.name}`;
      if (objects.services.some((s) => s.meta.namespace === backend.service.namespace && s.meta.name === backend.service.name)) continue;
      const entry = wanted.get(key) ?? { namespace: backend.service.namespace, name: backend.service.name, ports: new Set<string>() };
      entry.ports.add(backend.ref.servicePort);
      wanted.set(key, entry);
    }
  }
  let n = 0;
  return [...wanted.values()].flatMap(({ namespace, name, ports }) => {
    n++;
    const list = [...ports];
    const named = list.length > 1 || list.some((p) => !/^\d+$/.test(p));
    const servicePorts = list.map((p, i) => ({
      ...(named ? { name: /^\d+$/.test(p) ? `port-${p}` : p } : {}),
      port: /^\d+$/.test(p) ? Number(p) : 80 + i,
      targetPort: 8080 + i,
    }));
    const addresses = [1, 2].map((k) => ({ ip: `10.200.${n % 250}.${k}`, targetRef: { kind: 'Pod', name: `${name}-${k - 1}`, namespace } }));
    return [
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: servicePorts } },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name, namespace },
        subsets: [{ addresses, ports: servicePorts.map((p) => ({ ...('name' in p ? { name: p.name } : {}), port: p.targetPort })) }],
      },
    ];
  });
}

/** A minimal haproxy.cfg around one rendered section, with the userlists and resolvers it names. */
function wrap(section: string[], name: string): string {
  const tcp = section.includes('mode tcp');
  const lists = [...new Set(section.flatMap((l) => [...l.matchAll(/http_auth\(([^)]+)\)/g)].map((m) => m[1] ?? '')))];
  const resolvers = [...new Set(section.flatMap((l) => [...l.matchAll(/resolvers (\S+)/g)].map((m) => m[1] ?? '')))];
  return [
    'defaults',
    `\tmode ${tcp ? 'tcp' : 'http'}`,
    '\ttimeout connect 5s',
    '\ttimeout client 10s',
    '\ttimeout server 10s',
    ...resolvers.flatMap((r) => [`resolvers ${r}`, '\tnameserver dns1 127.0.0.1:53']),
    ...lists.flatMap((l) => [`userlist ${l}`, '\tuser u insecure-password p']),
    'frontend fe',
    '\tbind 127.0.0.1:18999',
    `\tdefault_backend ${name}`,
    `backend ${name}`,
    ...section.map((line) => `\t${line}`),
    '',
  ].join('\n');
}

test('every corpus manifest runs through status and render at its tag; written configs pass haproxy -c', { timeout: 600_000 }, async () => {
  assert.ok(existsSync(CORPUS), `no corpus at ${CORPUS} (npm run test:data)`);
  assert.ok(existsSync(BIN), `${BIN} is missing: npm run build`);
  const probe = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, 'haproxy is not installed: apt-get install haproxy');
  const files = corpusFiles();
  assert.ok(files.length >= 200, `only ${files.length} corpus files`);
  const dir = mkdtempSync(join(tmpdir(), 'sticky-corpus-'));
  const problems: string[] = [];
  const counts = { generated: 0, status: 0, renders: 0, written: 0, noConfig: 0, sections: 0, removedLines: 0 };
  const crashed = (r: Run) => r.code < 0 || r.code > 2 || /\n\s+at .+:\d+:\d+\)?\n|TypeError|ReferenceError|RangeError/.test(r.stderr);
  try {
    await pool(files, 4, async (source) => {
      const base = source.split('/').pop() ?? source;
      const tag = tagOf(base);
      const text = readFileSync(source, 'utf8');
      const extra = companions(objectsFrom(parseManifest(text, base), 'default'));
      const file = join(dir, base);
      writeFileSync(file, `${text}\n${extra.map((o) => `---\n${JSON.stringify(o)}\n`).join('')}`);
      const status = await run(['status', '-f', file, '-o', 'json', '--voyager-version', tag]);
      counts.status++;
      if (crashed(status)) return void problems.push(`${base}: status crashed (${status.code}): ${status.stderr.slice(0, 400)}`);
      if (status.code === 0) {
        try {
          JSON.parse(status.stdout);
        } catch {
          problems.push(`${base}: status -o json printed no JSON`);
        }
      }
      const objects = objectsFrom(parseManifest(readFileSync(file, 'utf8'), base), 'default');
      counts.generated += extra.length / 2;
      for (const ingress of objects.ingresses) {
        const kind = ingress.flavor === 'voyager' ? 'ingresses.voyager.appscode.com' : 'ingresses.networking.k8s.io';
        const render = await run(['render', `${kind}/${ingress.meta.name}`, '-n', ingress.meta.namespace, '-f', file, '--voyager-version', tag]);
        counts.renders++;
        if (crashed(render)) {
          problems.push(`${base} ${ingress.meta.name}: render crashed (${render.code}): ${render.stderr.slice(0, 400)}`);
          continue;
        }
        if (render.code !== 0) {
          // Written nothing: one line that says why.
          if (!/writes no haproxy\.cfg/.test(render.stderr))
            problems.push(`${base} ${ingress.meta.name}: render exit ${render.code}: ${render.stderr.slice(0, 300)}`);
          counts.noConfig++;
          continue;
        }
        counts.written++;
        const sections = render.stdout.split(/^backend /m).filter((s) => s.trim() !== '');
        for (const [i, text] of sections.entries()) {
          const [name = '', ...lines] = text.split('\n');
          const body = lines.map((l) => l.trim()).filter((l) => l !== '');
          const kept = body.filter((l) => !REMOVED.test(l));
          counts.removedLines += body.length - kept.length;
          const cfg = join(dir, `${base}-${ingress.meta.name}-${i}.cfg`);
          writeFileSync(cfg, wrap(kept, name.trim()));
          const check = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8', timeout: 20_000 });
          counts.sections++;
          if (check.status !== 0)
            problems.push(`${base} ${ingress.meta.name} backend ${name}: haproxy -c failed: ${(check.stdout + check.stderr).slice(0, 500)}`);
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `corpus: ${files.length} files (${counts.generated} Services with Endpoints generated), ${counts.status} status runs, ${counts.renders} renders (${counts.written} written, ${counts.noConfig} no config), ${counts.sections} sections through haproxy -c; ${counts.removedLines} reqrep/rsp* lines left out of the check (removed in HAProxy 2.1, which Voyager's 1.x HAProxy still had)`,
  );
  assert.deepEqual(problems, []);
  assert.ok(counts.sections > 100 && counts.noConfig > 0, JSON.stringify(counts));
});
