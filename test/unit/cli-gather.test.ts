// What gathering decides before a command plans anything: the version a write needs (flag, the
// environment, or detected; never the bare 3.2 guess), the namespaces of objects from files, and
// the version as given in the semantics the document reports. In process, on files.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeStatus } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { renderIngress } from '../../src/core/render.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { semanticsLine } from '../../src/output/semantics.ts';
import { runSticky } from '../support/inprocess.ts';

const ENV = 'KUBECTL_STICKY_VOYAGER_VERSION';

/** A namespaced shop: Ingress shop in namespace `shop` using Service web, no operator Deployment. */
const SHOP = `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http: {paths: [{backend: {serviceName: web, servicePort: '80'}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 80}]}
`;

function withShop(run: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sticky-gather-'));
  const file = join(dir, 'shop.yaml');
  writeFileSync(file, SHOP);
  return run(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('no version known: enable/disable/migrate --in-place refuse with one line naming the flag and the variable; the files stay', () =>
  withShop(async (file) => {
    for (const words of [
      ['enable', 'svc/web', '-f', file, '--in-place'],
      ['disable', 'svc/web', '-f', file, '--in-place'],
      ['migrate', '--to', 'v12.0.0', '-f', file, '--in-place'],
    ]) {
      const ran = await runSticky(words);
      assert.equal(ran.code, 1, `${words.join(' ')}: ${ran.stderr}`);
      const errors = ran.stderr.split('\n').filter((line) => line.startsWith('error:'));
      assert.equal(errors.length, 1, ran.stderr);
      assert.match(
        errors[0] ?? '',
        /^error: the Voyager version is not known \(.*\).*--voyager-version VERSION \(or KUBECTL_STICKY_VOYAGER_VERSION=VERSION\)$/,
      );
      assert.equal(ran.stdout, '');
      assert.equal(readFileSync(file, 'utf8'), SHOP, words.join(' '));
    }
  }));

test('no version known: --local and --dry-run go on under the 3.2 guess and say so loudly', () =>
  withShop(async (file) => {
    for (const words of [
      ['enable', 'svc/web', '-f', file, '--local'],
      ['migrate', '--to', 'v12.0.0', '-f', file, '--local'],
    ]) {
      const ran = await runSticky(words);
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stderr, /^Warning: the Voyager version is not known .*Voyager 3\.2 would do, a GUESS; a real write refuses/m);
    }
    assert.equal(readFileSync(file, 'utf8'), SHOP);
  }));

test(`${ENV} names the version once; the Semantics line says so; --voyager-version wins; a bad value is an error naming the variable`, () =>
  withShop(async (file) => {
    const env = { [ENV]: 'v12.0.0' };
    const written = await runSticky(['enable', 'svc/web', '-f', file, '--in-place'], { env });
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stderr, /^Semantics: Voyager v12\.0\.0 \(9\.0 semantics\), from KUBECTL_STICKY_VOYAGER_VERSION$/m);
    assert.match(readFileSync(file, 'utf8'), /ingress\.appscode\.com\/affinity: cookie/);

    const flag = await runSticky(['status', '-f', file, '--voyager-version', '5.0.0', '-o', 'json'], { env });
    assert.equal(flag.code, 0, flag.stderr);
    assert.match(flag.stderr, /^Semantics: Voyager 5\.0\.0 \(5\.0 semantics\), from --voyager-version$/m);

    const bad = await runSticky(['status', '-f', file], { env: { [ENV]: 'banana' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: KUBECTL_STICKY_VOYAGER_VERSION: invalid Voyager version "banana"/m);
  }));

test('the JSON semantics carry the version as given and the profile apart; a version newer than any known is said once', async () =>
  withShop(async (file) => {
    const given = await runSticky(['status', '-f', file, '--voyager-version', 'v12.0.0', '-o', 'json']);
    assert.deepEqual(JSON.parse(given.stdout).semantics, { voyagerVersion: 'v12.0.0', profile: '9.0', source: 'flag' });
    const known = await runSticky(['status', '-f', file, '--voyager-version', 'v12.0.0']);
    assert.doesNotMatch(known.stderr, /newer than any/);
    const future = await runSticky(['status', '-f', file, '--voyager-version', 'v99.0.0']);
    assert.equal(future.code, 0, future.stderr);
    const said = future.stderr.split('\n').filter((line) => /newer than any version/.test(line));
    assert.deepEqual(said, [
      'Warning: Voyager v99.0.0 is newer than any version kubectl-sticky knows (v13, calendar releases to v2026.x): the 9.0 semantics of the newest known releases apply',
    ]);
    const check = await runSticky(['upgrade-check', '--to', 'v12.0.0', '-f', file, '--voyager-version', 'v99.0.0']);
    assert.match(
      check.stderr,
      /^Semantics: Voyager v99\.0\.0 \(9\.0 semantics\), from --voyager-version; v13\.0\.0-rc\.0's code, the newest public, assumed for v99\.0\.0; compared with v12\.0\.0\nWarning: Voyager v99\.0\.0 is newer/m,
    );
  }));

test('-f: a TARGET is found in its file namespace; -n scopes to that namespace; an -n no object is in is kubectl error', () =>
  withShop(async (file) => {
    const V = ['--voyager-version', 'v12.0.0'];
    const local = await runSticky(['enable', 'svc/web', '-f', file, '--local', ...V]);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /namespace: shop[\s\S]*ingress\.appscode\.com\/affinity: cookie/);

    const scoped = await runSticky(['status', '-f', file, '-n', 'shop', 'svc/web', ...V]);
    assert.equal(scoped.code, 0, scoped.stderr);
    assert.match(scoped.stdout, /^shop\s+shop\.example\.com\s+web:80/m);

    for (const words of [
      ['status', '-f', file, '-n', 'other'],
      ['enable', 'svc/web', '-f', file, '-n', 'other', '--local'],
      ['migrate', '--to', 'v12.0.0', '-f', file, '-n', 'other', '--local'],
    ]) {
      const ran = await runSticky([...words, ...V]);
      assert.equal(ran.code, 1, `${words.join(' ')}: ${ran.stderr}`);
      assert.match(
        ran.stderr,
        /^error: the namespace from the provided object "shop" does not match the namespace "other"\. You must pass '--namespace=shop' to perform this operation\.$/m,
      );
      assert.equal(ran.stdout, '');
    }
    // With an object in the -n namespace, a TARGET only elsewhere is the same refusal.
    writeFileSync(file, `${SHOP}---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: other}\nspec: {ports: [{port: 5432}]}\n`);
    const elsewhere = await runSticky(['enable', 'svc/web', '-f', file, '-n', 'other', '--local', ...V]);
    assert.equal(elsewhere.code, 1, elsewhere.stderr);
    assert.match(elsewhere.stderr, /^error: the namespace from the provided object "shop" does not match the namespace "other"\./m);
  }));

test('Endpoints read whole: a Service without one has none, and status and render agree (3.2 writes no config, 6.0 leaves the backend out)', () => {
  // web is sticky under both versions (3.2 reads sticky-session, 6.0 affinity).
  const sticky = SHOP.replace(
    'metadata: {name: web, namespace: shop}',
    "metadata: {name: web, namespace: shop, annotations: {ingress.appscode.com/sticky-session: 'true', ingress.appscode.com/affinity: cookie}}",
  );
  const objects = objectsFrom(parseManifest(sticky, 'shop.yaml'), 'default');
  const [ingress] = objects.ingresses;
  assert.ok(ingress);
  for (const [version, read] of [
    ['3.2.0', ['shop']],
    ['6.0.0', ['shop/web']],
  ] as const) {
    const result = profileFor(version);
    assert.ok(result.ok);
    const options = { profile: result.profile, source: 'flag' as const, ingressClass: null };
    // Not read (files): unknown, so sticky as the annotations say, as before.
    assert.equal(computeStatus(objects, options).items[0]?.sticky, true, version);
    assert.equal(renderIngress(ingress, objects, result.profile).written, true, version);

    const listed = { ...objects, endpointsRead: [...read] };
    const status = computeStatus(listed, options);
    assert.equal(status.items[0]?.sticky, false, version);
    assert.match(status.items[0]?.warnings.map((w) => w.message).join('\n') ?? '', /endpoints "web" not found/, version);
    const rendered = renderIngress(ingress, listed, result.profile);
    if (version === '3.2.0') assert.equal(rendered.written, false);
    else
      assert.deepEqual(
        rendered.skipped.map((s) => s.reason),
        ['endpoints "web" not found'],
      );
  }
});

test("the Semantics line says whose code the semantics come from after the public code (v13.0.0-rc.0's), and only then", () => {
  const choice = (version: string, source: 'flag' | 'discovery') => {
    const result = profileFor(version);
    assert.ok(result.ok);
    return { profile: result.profile, source };
  };
  assert.equal(
    semanticsLine(choice('v2026.3.23', 'flag')),
    "Semantics: Voyager v2026.3.23 (9.0 semantics), from --voyager-version; v13.0.0-rc.0's code, the newest public, assumed for v2026.3.23",
  );
  assert.equal(
    semanticsLine(choice('v2021.09.15', 'discovery')),
    "Semantics: Voyager 9.0 or later, because the server serves voyager.appscode.com/v1 (v2021.09.15+); v13.0.0-rc.0's code, the newest public, assumed for the release that serves voyager.appscode.com/v1",
  );
  assert.equal(semanticsLine(choice('v13.0.0-rc.0', 'flag')), 'Semantics: Voyager v13.0.0-rc.0 (9.0 semantics), from --voyager-version');
  assert.equal(semanticsLine(choice('v12.0.0', 'flag')), 'Semantics: Voyager v12.0.0 (9.0 semantics), from --voyager-version');
});
