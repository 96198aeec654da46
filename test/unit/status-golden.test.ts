// Golden tests of the status core: every case under test/golden/status is a manifest set whose
// header names the Voyager version; the expected StickyStatus document sits next to it.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeStatus } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';
import { assertGolden, headerOptions } from '../support/golden.ts';

const dir = join(import.meta.dirname, '..', 'golden', 'status');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('there are status golden cases', () => {
  assert.ok(cases.length >= 10, `only ${cases.length} cases`);
});

for (const file of cases) {
  test(`status golden: ${file}`, () => {
    const text = readFileSync(join(dir, file), 'utf8');
    const header = headerOptions(text);
    const version = header['voyager-version'];
    assert.ok(version, `${file} needs a "# voyager-version:" header`);
    const profile = profileFor(version);
    assert.ok(profile.ok, `bad version in ${file}`);
    const status = computeStatus(objectsFrom(parseManifest(text, file), 'default'), {
      profile: profile.profile,
      source: 'flag',
      ingressClass: header['ingress-class'] ?? null,
      unreadableServiceNamespaces: header['unreadable-service-namespaces']?.split(',') ?? [],
    });
    assertGolden(join(dir, file.replace(/\.yaml$/, '.json')), `${JSON.stringify(status, null, 4)}\n`);
  });
}
