// The README is for users first: its first screen says how to install and shows `status`; the
// rest lives in docs/, linked, and every console block there is still checked (cli-files.test.ts
// on files, e2e/commands.test.ts live). Links between the pages must lead somewhere.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/cluster.ts';
import { documentationPages, readmeExamples } from '../support/readme.ts';

const read = (page: string) => readFileSync(join(repoRoot, page), 'utf8');
const readme = read('README.md');

test("the README's first 40 lines hold `krew install` and `kubectl sticky status`, with its transcript", () => {
  const top = readme.split('\n').slice(0, 40).join('\n');
  assert.match(top, /kubectl krew install sticky/);
  assert.match(top, /^\$ kubectl sticky status /m);
  assert.ok(readme.split('\n').length < 150, 'the README stays a first screen and a few more');
});

test('the README states the test command CI runs', () => {
  const ci = read('.ci/run');
  assert.match(ci, /^npm test$/m);
  assert.match(readme, /^npm test\b/m);
});

test('every console block of README.md and docs/*.md is a checked kubectl sticky run', () => {
  const pages = new Set(readmeExamples().map((e) => e.page));
  for (const page of ['README.md', 'docs/reference.md']) assert.ok(pages.has(page), `${page} has checked examples`);
  assert.ok(documentationPages().length >= 6);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');

test('every relative link of the README and docs/ leads to a page and heading that exist', () => {
  for (const page of documentationPages()) {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file = '', hash] = target.split('#');
      const path = file === '' ? page : join(dirname(page), file);
      assert.ok(existsSync(join(repoRoot, path)), `${page}: ${target} does not exist`);
      if (hash === undefined) continue;
      const headings = [...read(path).matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1] ?? ''));
      assert.ok(headings.includes(hash), `${page}: ${target}: no such heading in ${path}`);
    }
  }
});
