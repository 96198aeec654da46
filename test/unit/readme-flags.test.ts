// The flag tables of docs/reference.md are the declarations' (scripts/readme-flags.ts writes
// them): a flag added, renamed, hidden or reworded in src/cli/commands.ts or src/cli/flags.ts
// fails here until `npm run readme:flags` is run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/cluster.ts';
import { DECLARATIONS } from '../../src/cli/commands.ts';
import { flagsOf } from '../../src/cli/spec.ts';
import { BEGIN, END, FLAGS_PAGE, flagTables, withFlagTables } from '../../scripts/readme-flags.ts';

const readme = readFileSync(FLAGS_PAGE, 'utf8');

test('the flag block of docs/reference.md is what the declarations write (run `npm run readme:flags`)', () => {
  assert.equal(readme, withFlagTables(readme, flagTables(DECLARATIONS)));
});

test('every visible flag of every command has a row in the flag block', () => {
  const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  for (const declaration of DECLARATIONS) {
    for (const [name, flag] of flagsOf(declaration.flags)) {
      if (flag.hidden) continue;
      assert.match(block, new RegExp(`\\| \`(-\\w, )?--${name}[ [\`]`), `${declaration.name} --${name}`);
    }
  }
});

test('a flag the declarations do not have is not in the block', () => {
  const declared = new Set(DECLARATIONS.flatMap((d) => [...flagsOf(d.flags).keys()]));
  const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  const listed = [...block.matchAll(/^\| `(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1] ?? '');
  assert.ok(listed.length > 20, `only ${listed.length} rows`);
  for (const name of listed) assert.ok(declared.has(name), `--${name} is listed but no command declares it`);
});

test('the README links the flag tables and holds none itself', () => {
  const top = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.ok(!top.includes(BEGIN) && !top.includes(END), 'one flag block, in docs/reference.md');
  assert.match(top, /\]\(docs\/reference\.md\)/);
});

test('the block is refused without its markers', () => {
  assert.throws(() => withFlagTables('# no block\n', 'x'), /no flag block/);
});
