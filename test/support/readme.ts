// The documentation's shown output (README.md and docs/*.md): each ```console block is
// `$ kubectl sticky ARGS` and what it prints (stderr lines, then stdout), `...` standing for lines
// left out. Tests run the command and check the shown lines appear, in order, consecutive where
// the page shows them so. Output that cannot be checked (it changes files, or needs a watch)
// is shown in ```text blocks instead.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../e2e/cluster.ts';

export interface Shown {
  /** The page it is on, relative to the repository (README.md, docs/reference.md). */
  page: string;
  args: string[];
  lines: string[];
}

/** The pages whose console blocks are checked: the README and every page under docs/. */
export function documentationPages(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

/** Every console block of every page; a console block that is not a `kubectl sticky` run is an error. */
export function readmeExamples(): Shown[] {
  const out: Shown[] = [];
  for (const page of documentationPages()) {
    const text = readFileSync(join(repoRoot, page), 'utf8');
    for (const block of text.matchAll(/```console\n([\s\S]*?)```/g)) {
      const [first = '', ...lines] = (block[1] ?? '').trimEnd().split('\n');
      const command = /^\$ kubectl sticky (.*)$/.exec(first);
      assert.ok(command, `${page}: a console block must start with \`$ kubectl sticky ...\` (use \`\`\`text for output that is not checked): ${first}`);
      out.push({ page, args: (command[1] ?? '').split(' '), lines });
    }
  }
  return out;
}

/** Asserts the page's lines are what the command printed (stderr, then stdout). */
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
      `${shown.page}: \`kubectl sticky ${shown.args.join(' ')}\` shows\n${line}\nwhere it prints\n${actual.slice(at, at + 5).join('\n')}\n(full output:\n${actual.join('\n')})`,
    );
    at = found + 1;
    gap = false;
  }
}
