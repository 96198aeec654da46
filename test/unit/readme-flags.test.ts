// The README's flag tables are the declarations' (scripts/readme-flags.ts writes them): a flag
// added, renamed, hidden or reworded in src/cli/commands.ts or src/cli/flags.ts fails here until
// `npm run readme:flags` is run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DECLARATIONS } from '../../src/cli/commands.ts';
import { flagsOf } from '../../src/cli/spec.ts';
import { BEGIN, END, README, flagTables, withFlagTables } from '../../scripts/readme-flags.ts';

const readme = readFileSync(README, 'utf8');

test('the README flag block is what the declarations write (run `npm run readme:flags`)', () => {
  assert.equal(readme, withFlagTables(readme, flagTables(DECLARATIONS)));
});

test('every visible flag of every command has a row in the README flag block', () => {
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

test('the block is refused without its markers', () => {
  assert.throws(() => withFlagTables('# no block\n', 'x'), /no flag block/);
});
