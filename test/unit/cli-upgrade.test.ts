// upgrade-check and migrate in process on manifest files: the exit codes of kubectl diff, and
// migrate --in-place changing only annotation lines (the files are diffed), --local none.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffLines } from 'diff';
import { repoRoot } from '../e2e/cluster.ts';
import { runSticky } from '../support/inprocess.ts';

process.chdir(repoRoot);

function copyOfShop(): { dir: string; file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-upgrade-'));
  cpSync(join(repoRoot, 'examples/upgrade'), dir, { recursive: true });
  const file = join(dir, 'shop.yaml');
  return { dir, file, text: readFileSync(file, 'utf8') };
}

test('upgrade-check on the 5.0 shop: a row per backend that changes, exit 1; JSON has the same rows', async () => {
  const ran = await runSticky(['upgrade-check', '--to', 'v12.0.0', '-f', 'examples/upgrade/']);
  assert.equal(ran.code, 1, ran.stderr);
  const lines = ran.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^INGRESS\s+BACKEND\s+SERVICE\s+5\.0\.0\s+v12\.0\.0\s+CAUSE$/);
  assert.equal(lines.length, 4);
  assert.match(
    ran.stdout,
    /^shop\s+shop\.example\.com\/cart\s+cart\s+cookie SHOPID \(md5\)\s+no\s+ingress\/default\/shop: ingress\.appscode\.com\/sticky-session/m,
  );
  const json = await runSticky(['upgrade-check', '--to=v12.0.0', '-f', 'examples/upgrade/', '-ojson']);
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout) as { kind: string; from: string; to: string; items: unknown[] };
  assert.deepEqual([doc.kind, doc.from, doc.to, doc.items.length], ['UpgradeCheck', '5.0.0', 'v12.0.0', 3]);
});

test('upgrade-check: nothing changes -> exit 0; bad input -> exit 2', async () => {
  const same = await runSticky(['upgrade-check', '--to', '5.0.0-rc.11', '-f', 'examples/upgrade/']);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stderr, /No backend changes between 5\.0\.0 and 5\.0\.0-rc\.11/);
  assert.equal((await runSticky(['upgrade-check', '-f', 'examples/upgrade/'])).code, 2);
  const bad = await runSticky(['upgrade-check', '--to', 'banana', '-f', 'examples/upgrade/']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid Voyager version "banana"/);
});

test('migrate --in-place adds only annotation lines, keeps the comments, and upgrade-check then exits 0', async () => {
  const { dir, file, text } = copyOfShop();
  try {
    const ran = await runSticky(['migrate', '--to', 'v12.0.0', '-f', dir, '--in-place']);
    assert.equal(ran.code, 0, ran.stderr);
    const after = readFileSync(file, 'utf8');
    const changed = diffLines(text, after).filter((part) => part.added || part.removed);
    assert.ok(changed.length > 0);
    for (const part of changed) {
      assert.equal(part.added, true, `a line was removed or changed: ${part.value}`);
      for (const line of part.value.trimEnd().split('\n'))
        assert.match(line, /^ {4}ingress\.appscode\.com\/(affinity: cookie|session-cookie-name: SHOPID|session-cookie-hash: md5)$/);
    }
    assert.ok(after.includes('# Ingress-wide stickiness, the 5.x way') && after.includes('# only this Service is sticky'));
    const check = await runSticky(['upgrade-check', '--to', 'v12.0.0', '-f', dir]);
    assert.equal(check.code, 0, check.stdout);
    // Both versions now agree with what 5.0 did.
    const old = await runSticky(['status', '-f', dir, '-o', 'json', '--voyager-version', '5.0.0']);
    const upgraded = await runSticky(['status', '-f', dir, '-o', 'json', '--voyager-version', 'v12.0.0']);
    const states = (out: string) => (JSON.parse(out) as { items: { sticky: boolean; cookie: unknown }[] }).items.map((i) => [i.sticky, i.cookie]);
    assert.deepEqual(states(upgraded.stdout), states(old.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migrate --local prints the edited objects and leaves the files untouched; -f alone refuses', async () => {
  const { dir, file, text } = copyOfShop();
  try {
    const ran = await runSticky(['migrate', '--to', 'v12.0.0', '-f', dir, '--local']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /ingress\.appscode\.com\/affinity: cookie/);
    assert.equal(readFileSync(file, 'utf8'), text);
    const refused = await runSticky(['migrate', '--to', 'v12.0.0', '-f', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only with --in-place/);
    assert.equal(readFileSync(file, 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('enable -f --in-place changes only the annotation line; disable -f --local prints and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-offline-'));
  try {
    cpSync(join(repoRoot, 'examples/seed'), dir, { recursive: true });
    const file = join(dir, 'service-s1-sticky.yaml');
    const text = readFileSync(file, 'utf8');
    const ran = await runSticky(['enable', 'svc/s1', '-f', dir, '--in-place', '--voyager-version', 'v12.0.0']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /^Effect:$/m);
    const changed = diffLines(text, readFileSync(file, 'utf8')).filter((part) => part.added || part.removed);
    assert.deepEqual(
      changed.map((p) => [p.added ?? false, p.value]),
      [[true, '    ingress.appscode.com/affinity: cookie\n']],
    );
    const enabled = readFileSync(file, 'utf8');
    const local = await runSticky(['disable', 'svc/s1', '-f', dir, '--local', '--voyager-version', 'v12.0.0']);
    assert.equal(local.code, 0, local.stderr);
    assert.doesNotMatch(local.stdout, /affinity/);
    assert.equal(readFileSync(file, 'utf8'), enabled);
    const refused = await runSticky(['enable', 'svc/s1', '-f', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only with --in-place/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("upgrade-check with kubectl's printers: -o jsonpath and custom-columns over the UpgradeCheck document", async () => {
  const ran = await runSticky(['upgrade-check', '--to', 'v12.0.0', '-f', 'examples/upgrade/', '-o', 'jsonpath={.items[*].service.name}']);
  assert.equal(ran.code, 1, ran.stderr);
  assert.equal(ran.stdout, 'api web cart');
  const columns = await runSticky([
    'upgrade-check',
    '--to',
    'v12.0.0',
    '-f',
    'examples/upgrade/',
    '-o',
    'custom-columns=SVC:.service.name,BEFORE:.from.sticky,AFTER:.to.sticky',
  ]);
  assert.deepEqual(
    columns.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)),
    [
      ['SVC', 'BEFORE', 'AFTER'],
      ['api', 'true', 'false'],
      ['web', 'true', 'false'],
      ['cart', 'true', 'false'],
    ],
  );
});

test('migrate keeps what the user wrote for the target: a 5.0 Service with affinity: cookie and its own cookie is left alone, with one warning (issue 21 item 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-intent-'));
  try {
    const file = join(dir, 'checkout.yaml');
    const text = `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /checkout
        backend:
          serviceName: checkout
          servicePort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
  namespace: shop
  annotations:
    ingress.appscode.com/affinity: cookie
    ingress.appscode.com/session-cookie-name: CHK
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: checkout
  namespace: shop
subsets:
- addresses:
  - ip: 10.0.0.1
  ports:
  - port: 80
`;
    writeFileSync(file, text);
    const ran = await runSticky(['migrate', '--to', 'v12.0.0', '--voyager-version', '5.0.0', '-f', file, '--in-place']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(readFileSync(file, 'utf8'), text, 'the file is unchanged');
    assert.match(ran.stdout, /^unchanged$/m);
    const warnings = ran.stderr.split('\n').filter((line) => line.includes('left as it is'));
    assert.equal(warnings.length, 1, ran.stderr);
    assert.match(
      warnings[0] ?? '',
      /service\/shop\/checkout left as it is: v12\.0\.0 reads ingress\.appscode\.com\/affinity "cookie" \(sticky\) and ingress\.appscode\.com\/session-cookie-name "CHK" \(cookie CHK\)/,
    );
    assert.doesNotMatch(ran.stderr, /SERVERID/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
