// `convert --to haproxy-ingress` through the real haproxytech controller: the converted Ingresses
// of examples/convert applied to the test plane, the controller (built from its Go module) run
// against it with the Debian haproxy, and its haproxy.cfg read for the cookie lines.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHaproxytech } from '../support/haproxytech.ts';
import { ensureCluster, repoRoot } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

const NS = 'convert-haproxytech';

/** The backend sections of a haproxy.cfg, by name, their lines trimmed. */
function sections(cfg: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of cfg.split('\n')) {
    const head = /^backend (\S+)/.exec(line);
    if (head) {
      current = [];
      out.set(head[1] ?? '', current);
    } else if (/^\S/.test(line)) current = null;
    else if (current && line.trim() !== '') current.push(line.trim());
  }
  return out;
}

test("haproxytech's controller writes cookie SHOPID and BLOGID for the converted Ingresses, and no cookie for the plain Service", {
  timeout: 1_500_000,
}, async () => {
  const cluster = await ensureCluster();
  const dir = mkdtempSync(join(tmpdir(), 'sticky-haproxytech-'));
  const input = join(dir, 'input');
  // The examples in a namespace of their own, so that nothing else on the plane meets them.
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: haproxy-kubernetes-ingress, namespace: ${NS}}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: haproxy}\nspec: {controller: haproxy.org/ingress-controller/haproxy}\n`,
  );
  const examples = join(repoRoot, 'examples', 'convert');
  mkdirSync(input);
  for (const file of readdirSync(examples))
    writeFileSync(join(input, file), readFileSync(join(examples, file), 'utf8').replaceAll('namespace: default', `namespace: ${NS}`));
  const converted = sticky(['convert', '--to', 'haproxy-ingress', '-f', input]);
  assert.equal(converted.code, 0, converted.stderr);
  const services = readdirSync(input)
    .filter((f) => f !== 'voyager-operator.yaml')
    .map((f) => readFileSync(join(input, f), 'utf8'))
    .join('\n---\n')
    .split(/^---$/m)
    .filter((doc) => /^kind: Service$/m.test(doc))
    .join('\n---\n');
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, services);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, converted.stdout);
  const controller = await startHaproxytech(cluster.kubeconfig, dir, `${NS}/haproxy-kubernetes-ingress`);
  try {
    let found = new Map<string, string[]>();
    for (let i = 0; i < 120; i++) {
      await new Promise((r) => setTimeout(r, 500));
      if (!existsSync(controller.config)) continue;
      found = sections(readFileSync(controller.config, 'utf8'));
      if ([...found.keys()].filter((k) => k.startsWith(`${NS}_`)).length >= 4) break;
    }
    const cookieOf = (service: string) => {
      const section = [...found].find(([name]) => name.startsWith(`${NS}_${service}_80`));
      assert.ok(section, `no backend for ${service} in haproxy.cfg:\n${[...found.keys()].join('\n')}\n${controller.log().slice(-2000)}`);
      return section[1].find((l) => l.startsWith('cookie ')) ?? null;
    };
    assert.equal(cookieOf('cart'), 'cookie SHOPID dynamic indirect nocache insert');
    assert.equal(cookieOf('blog'), 'cookie BLOGID dynamic indirect nocache insert');
    assert.equal(cookieOf('blog-admin'), 'cookie BLOGID dynamic indirect nocache insert');
    assert.equal(cookieOf('catalog'), null);
  } finally {
    controller.child.kill('SIGTERM');
    await new Promise((r) => controller.child.once('exit', r));
    // The plane has no namespace controller: the objects go, the namespace stays.
    mustKubectl(['delete', '-n', NS, 'ingresses.networking.k8s.io,services,configmaps', '--all'], cluster.kubeconfig);
    rmSync(dir, { recursive: true, force: true });
  }
});
