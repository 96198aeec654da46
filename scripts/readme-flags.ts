// `npm run readme:flags`: writes the flag tables of docs/reference.md (the README links there)
// from the command declarations (src/cli/commands.ts), between the flags:begin and flags:end
// markers. test/unit/readme-flags.test.ts fails when the page's block is not what this writes, so
// a flag cannot be added, renamed or reworded without its table following.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECLARATIONS } from '../src/cli/commands.ts';
import { GLOBAL_FLAGS, type AnyFlag, type Declaration, type Flags } from '../src/cli/spec.ts';

/** The page that holds the flag tables. */
export const FLAGS_PAGE = join(import.meta.dirname, '..', 'docs', 'reference.md');
export const BEGIN = '<!-- flags:begin: written by `npm run readme:flags` from src/cli/commands.ts; edit the declarations, not this block -->';
export const END = '<!-- flags:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The flag as `kubectl options` shows it: shorthand, long name, value type. */
function usage(name: string, flag: AnyFlag): string {
  const names = flag.short ? `-${flag.short}, --${name}` : `--${name}`;
  if (flag.kind === 'bool') return names;
  const type = flag.kind === 'list' ? 'strings' : flag.kind === 'int' ? 'int' : 'string';
  return flag.bare === undefined ? `${names} ${type}` : `${names}[=${flag.bare}]`;
}

function meaning(flag: AnyFlag): string {
  const fallback = flag.read([], '');
  const shown = typeof fallback === 'string' && fallback !== '' ? ` (default \`${fallback}\`)` : '';
  return `${flag.describe}${shown}`;
}

function table(flags: readonly [string, AnyFlag][]): string[] {
  return ['| flag | meaning |', '|---|---|', ...flags.map(([name, flag]) => `| \`${cell(usage(name, flag))}\` | ${cell(meaning(flag))} |`)];
}

const visible = (flags: Flags): [string, AnyFlag][] => Object.entries(flags).filter(([, flag]) => flag.hidden !== true);

/** The block: the shared groups once (with the commands that take them), then each command's own flags. */
export function flagTables(declarations: readonly Declaration<Flags>[]): string {
  const lines: string[] = [];
  const groups = new Map<string, { flags: Map<string, AnyFlag>; commands: string[] }>();
  for (const d of declarations) {
    for (const [name, flag] of visible(d.flags)) {
      if (!flag.group) continue;
      const group = groups.get(flag.group) ?? { flags: new Map<string, AnyFlag>(), commands: [] };
      group.flags.set(name, flag);
      if (!group.commands.includes(d.name)) group.commands.push(d.name);
      groups.set(flag.group, group);
    }
  }
  for (const [title, group] of groups) {
    lines.push(`#### ${title} flags (${group.commands.map((c) => `\`${c}\``).join(', ')})`, '', ...table([...group.flags]), '');
  }
  for (const d of declarations) {
    const own = visible(d.flags).filter(([, flag]) => !flag.group);
    if (own.length === 0) continue;
    const required = d.requires?.length ? ` (required: ${d.requires.map((r) => `\`--${r}\``).join(', ')})` : '';
    lines.push(`#### \`kubectl sticky ${d.name} ${d.positionals.usage}\`${required}`, '', ...table(own), '');
  }
  lines.push('#### Every command', '', ...table(visible(GLOBAL_FLAGS)));
  return lines.join('\n');
}

/** The page with its flag block replaced by `block`; throws when the markers are missing. */
export function withFlagTables(page: string, block: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/reference.md has no flag block: add the lines\n${BEGIN}\n${END}`);
  return `${page.slice(0, begin + BEGIN.length)}\n${block}\n${page.slice(end)}`;
}

if (import.meta.main) {
  const page = readFileSync(FLAGS_PAGE, 'utf8');
  const next = withFlagTables(page, flagTables(DECLARATIONS));
  if (next !== page) writeFileSync(FLAGS_PAGE, next);
  process.stdout.write(next === page ? 'docs/reference.md flag tables are up to date\n' : 'docs/reference.md flag tables rewritten\n');
}
