// The README's shown output: each ```console block is `$ kubectl sticky ARGS` and what it prints
// (stderr lines, then stdout), `...` standing for lines left out. Tests run the command and
// check the shown lines appear, in order, consecutive where the README shows them so.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../e2e/cluster.ts';

export interface Shown {
  args: string[];
  lines: string[];
}

export function readmeExamples(): Shown[] {
  const text = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const out: Shown[] = [];
  for (const block of text.matchAll(/```console\n([\s\S]*?)```/g)) {
    const [first = '', ...lines] = (block[1] ?? '').trimEnd().split('\n');
    const command = /^\$ kubectl sticky (.*)$/.exec(first);
    if (command) out.push({ args: (command[1] ?? '').split(' '), lines });
  }
  return out;
}

/** Asserts the README's lines are what the command printed (stderr, then stdout). */
export function assertShown(shown: Shown, printed: { stdout: string; stderr: string }): void {
  const lines = (text: string) => (text === '' ? [] : text.trimEnd().split('\n'));
  const actual = [...lines(printed.stderr), ...lines(printed.stdout)].map((l) => l.trimEnd());
  let at = 0;
  let gap = true;
  for (const line of shown.lines) {
    if (line === '...') {
      gap = true;
      continue;
    }
    const found = gap ? actual.indexOf(line.trimEnd(), at) : actual[at] === line.trimEnd() ? at : -1;
    assert.ok(
      found >= 0,
      `README: \`kubectl sticky ${shown.args.join(' ')}\` shows\n${line}\nwhere it prints\n${actual.slice(at, at + 5).join('\n')}\n(full output:\n${actual.join('\n')})`,
    );
    at = found + 1;
    gap = false;
  }
}
