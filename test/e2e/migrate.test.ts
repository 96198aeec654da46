// `kubectl sticky upgrade-check` and `migrate` against the real control plane, through the real
// kubectl: the 5.0 shop of examples/upgrade, migrated to v12.0.0.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'yaml';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

let cluster: Cluster;
const NS = 'e2e-upgrade';
const FROM = ['--voyager-version', '5.0.0'];

function shopObjects(): string {
  // The shop without its operator Deployment (kube-system is not ours here), in its own namespace.
  const text = readFileSync(join(repoRoot, 'examples/upgrade/shop.yaml'), 'utf8').replace(/namespace: default/g, `namespace: ${NS}`);
  const docs = text.split(/^---$/m).filter((doc) => !/kind: Deployment/.test(doc));
  return [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`, ...docs].join('\n---\n');
}

function annotations(kind: string, name: string): Record<string, string> {
  return JSON.parse(mustKubectl(['get', kind, name, '-n', NS, '-o', 'json'], cluster.kubeconfig)).metadata.annotations ?? {};
}

before(async () => {
  cluster = await ensureCluster();
  // A fresh shop each run: the objects are recreated, so no earlier migration is left on them.
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  mustKubectl(['delete', '-n', NS, 'ingresses.voyager.appscode.com,services,endpoints', '--all', '--wait=true'], cluster.kubeconfig);
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, shopObjects());
});

test("migrate svc/NAME touches only that TARGET's objects; -o name names them as enable does; --dry-run -o yaml prints them as they would be", () => {
  const before = annotations('ingresses.voyager.appscode.com', 'shop');
  const names = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM, 'svc/api', '--dry-run', '-o', 'name'], { kubeconfig: cluster.kubeconfig });
  assert.equal(names.code, 0, names.stderr);
  assert.equal(names.stdout, 'service/api\n', 'not ingress shop, which svc/api does not use');
  const yaml = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM, 'svc/api', '--dry-run', '-o', 'yaml'], { kubeconfig: cluster.kubeconfig });
  assert.equal(yaml.code, 0, yaml.stderr);
  const object = parse(yaml.stdout) as { kind: string; metadata: { name: string; namespace: string; annotations: Record<string, string> } };
  assert.deepEqual([object.kind, object.metadata.name, object.metadata.namespace], ['Service', 'api', NS]);
  assert.equal(object.metadata.annotations['ingress.appscode.com/affinity'], 'cookie');
  assert.equal(annotations('service', 'api')['ingress.appscode.com/affinity'], undefined, 'a dry run writes nothing');
  assert.deepEqual(annotations('ingresses.voyager.appscode.com', 'shop'), before);
});

test('upgrade-check, migrate with --dry-run and --dry-run=server writing nothing, a missing or forbidden target stopping every write, then migrate for real', () => {
  const check = sticky(['upgrade-check', '--to', 'v12.0.0', '-n', NS, ...FROM], { kubeconfig: cluster.kubeconfig });
  assert.equal(check.code, 1, check.stderr);
  assert.equal(check.stdout.trim().split('\n').length, 4, check.stdout);

  const before = { shop: annotations('ingresses.voyager.appscode.com', 'shop'), api: annotations('service', 'api') };
  for (const dryRun of ['--dry-run', '--dry-run=server']) {
    const ran = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM, dryRun], { kubeconfig: cluster.kubeconfig });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^ingress\.voyager\.appscode\.com\/shop annotated \((server )?dry run\)$/m);
    assert.match(ran.stderr, /\+ingress\.appscode\.com\/affinity: "cookie"/);
    assert.deepEqual({ shop: annotations('ingresses.voyager.appscode.com', 'shop'), api: annotations('service', 'api') }, before, dryRun);
  }
  const missing = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM, 'ingress/shop', 'svc/nope'], { kubeconfig: cluster.kubeconfig });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /services "nope" not found/);
  const forbidden = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM], { kubeconfig: cluster.limitedKubeconfig });
  assert.notEqual(forbidden.code, 0);
  assert.match(forbidden.stderr, /forbidden/i);
  assert.deepEqual({ shop: annotations('ingresses.voyager.appscode.com', 'shop'), api: annotations('service', 'api') }, before);

  const ran = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM], { kubeconfig: cluster.kubeconfig });
  assert.equal(ran.code, 0, ran.stderr);
  const shop = annotations('ingresses.voyager.appscode.com', 'shop');
  assert.equal(shop['ingress.appscode.com/sticky-session'], 'true', 'the key 5.0 reads stays');
  assert.equal(shop['ingress.appscode.com/affinity'], 'cookie');
  assert.equal(shop['ingress.appscode.com/session-cookie-name'], 'SHOPID');
  assert.equal(annotations('service', 'api')['ingress.appscode.com/affinity'], 'cookie');
  const after = sticky(['upgrade-check', '--to', 'v12.0.0', '-n', NS, ...FROM], { kubeconfig: cluster.kubeconfig });
  assert.equal(after.code, 0, after.stdout + after.stderr);
  const again = sticky(['migrate', '--to', 'v12.0.0', '-n', NS, ...FROM], { kubeconfig: cluster.kubeconfig });
  assert.equal(again.stdout.trim(), 'unchanged');
});
