// --help, from the declarations, in kubectl's layout (kubectl's templates and HelpFlagPrinter):
// a description, Examples, the command's own Options (one flag a line with its default as
// `--name=value:`, the text below it), Usage with the command's real positional form, and the
// pointer to `kubectl sticky options` for the flags every command shares, as kubectl points to
// `kubectl options`. Parsing is spec.ts's, so help cannot list a flag the parser does not take.
// Laid out at build time for the usual widths (scripts/build.ts helpTexts), and when asked at others.

import { CLUSTER_FLAGS } from './flags.ts';
import { type AnyFlag, type Declaration, type Flags, GLOBAL_FLAGS, type Positionals } from './spec.ts';

const PLUGIN = 'kubectl sticky';

/** Greedy word wrap at `width` columns (words longer than a line stay whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The flag's default as kubectl shows it after `=`: strings quoted, lists `[]`, bools and numbers bare. */
function shownDefault(flag: AnyFlag): string {
  const fallback = flag.read([], '');
  if (flag.kind === 'list') return Array.isArray(fallback) && fallback.length > 0 ? `[${fallback.join(',')}]` : '[]';
  if (flag.kind === 'bool' || flag.kind === 'int') return String(fallback ?? 0);
  return `'${typeof fallback === 'string' || typeof fallback === 'number' ? fallback : ''}'`;
}

/** kubectl's HelpFlagPrinter: `    -o, --output='':`, then the text wrapped 10 columns short of the width, each line after a tab. */
function flagLines(name: string, flag: AnyFlag, width: number, required: boolean): string[] {
  const names = flag.short ? `-${flag.short}, --${name}` : `--${name}`;
  const text = required ? `${flag.describe}. Required.` : flag.describe;
  return [`    ${names}=${shownDefault(flag)}:`, ...wrap(text, Math.max(20, width - 10)).map((l) => `\t${l}`), ''];
}

function flagBlock(flags: readonly [string, AnyFlag][], width: number, required: readonly string[] = []): string[] {
  const sorted = [...flags].filter(([, flag]) => flag.hidden !== true).sort(([a], [b]) => a.localeCompare(b));
  return sorted.flatMap(([name, flag]) => flagLines(name, flag, width, required.includes(name)));
}

/** A connection flag, as flags.ts declares it (a command's own flag of the same name would not be). */
const isClusterFlag = (name: string, flag: AnyFlag): boolean => Object.entries(CLUSTER_FLAGS).some(([n, f]) => n === name && f === flag);

/** The command's real positional form: `(TYPE/NAME... | TYPE NAME...)`, `install|uninstall`, `[COMMAND]`. */
export function positionalUsage(p: Positionals): string {
  if (p.max === 0) return '';
  let form: string;
  if (p.words) form = p.min > 0 ? p.words.join('|') : p.usage;
  else {
    const type = p.kinds.length === 1 && p.kinds[0] === 'ingress' ? 'ingress' : 'TYPE';
    form = p.max > 1 ? `(${type}/NAME... | ${type} NAME...)` : `(${type}/NAME | ${type} NAME)`;
  }
  return p.min > 0 || p.words ? form : `[${form}]`;
}

/** `kubectl sticky status [(-o|--output=)wide|json|...] [(TYPE/NAME... | TYPE NAME...)] [options]`. */
function usageLine(d: Declaration<Flags>): string {
  const parts = [PLUGIN, d.name];
  const output = d.flags['output'];
  if (output?.values) parts.push(`[(-o|--output=)${output.values.map((v) => (v.endsWith('=') ? `${v}...` : v)).join('|')}]`);
  for (const name of d.requires ?? []) {
    const values = d.flags[name]?.values;
    parts.push(`--${name}=${values ? values.join('|') : name === 'to' ? 'VERSION' : 'VALUE'}`);
  }
  const positional = positionalUsage(d.positionals);
  if (positional !== '') parts.push(positional);
  parts.push('[options]');
  return parts.join(' ');
}

/** What a TARGET may be, as kubectl spells resource types, for the kinds the command takes. */
function targetLines(p: Positionals, width: number): string[] {
  if (p.words || p.max === 0) return [];
  const rows: [string, string][] = [];
  if (p.kinds.includes('service')) rows.push(['svc/NAME, service/NAME', 'a Service']);
  if (p.kinds.includes('ingress')) {
    rows.push(['ingress/NAME, ing/NAME', 'an Ingress of either API (voyager.appscode.com, networking.k8s.io)']);
    rows.push(['ingress.voyager.appscode.com/NAME', "an Ingress of Voyager's own API only"]);
    rows.push(['ingress.networking.k8s.io/NAME', 'a networking.k8s.io Ingress only']);
  }
  const type = p.kinds.includes('service') ? 'svc' : 'ingress';
  rows.push([p.max > 1 ? `${type} NAME...` : `${type} NAME`, `one type, then ${p.max > 1 ? 'its names (as kubectl get svc a b)' : 'the name'}`]);
  const column = Math.max(...rows.map(([form]) => form.length)) + 2;
  const paragraph = (text: string) => wrap(text, width - 1).map((l) => ` ${l}`);
  return [
    ...paragraph(
      `${p.max > 1 ? 'TARGETs, as kubectl names' : 'The TARGET, as kubectl names'} resources (plural and short forms too: ${p.kinds.includes('service') ? 'services/NAME, ' : ''}ing.voyager.appscode.com/NAME...):`,
    ),
    ...rows.map(([form, meaning]) => `   ${form.padEnd(column)}${meaning}`),
    ...(p.min === 0 ? paragraph('Without a TARGET: every backend in the namespace (-n NAMESPACE; -A for all namespaces; -f for files).') : []),
    '',
  ];
}

function exampleLines(d: Declaration<Flags>): string[] {
  if (d.examples.length === 0) return [];
  const blocks = d.examples.map((e) => [`  # ${e.describe.charAt(0).toUpperCase()}${e.describe.slice(1)}`, `  ${PLUGIN} ${e.command}`]);
  return ['Examples:', ...blocks.flatMap((block, i) => (i === 0 ? block : ['', ...block])), ''];
}

const OPTIONS_POINTER = `Use "${PLUGIN} options" for a list of global command-line options (applies to all commands).`;

function commandHelp(d: Declaration<Flags>, width: number): string[] {
  const own = Object.entries(d.flags).filter(([name, flag]) => !isClusterFlag(name, flag));
  const options = flagBlock(own, width, d.requires);
  return [
    ...wrap(`${d.summary}.`, width),
    '',
    ...targetLines(d.positionals, width),
    ...exampleLines(d),
    ...(options.length > 0 ? ['Options:', ...options] : []),
    'Usage:',
    `  ${usageLine(d)}`,
    '',
    OPTIONS_POINTER,
  ];
}

/** The command list: NAME and the summary, wrapped to the width beside the names. */
function commandRows(declarations: readonly Declaration<Flags>[], column: number, width: number): string[] {
  return declarations.flatMap((d) => wrap(d.summary, Math.max(20, width - column - 2)).map((line, i) => `  ${(i === 0 ? d.name : '').padEnd(column)}${line}`));
}

function rootHelp(declarations: readonly Declaration<Flags>[], other: readonly string[], width: number): string[] {
  const basic = declarations.filter((d) => !other.includes(d.name));
  const rest = declarations.filter((d) => other.includes(d.name));
  const column = Math.max(...declarations.map((d) => d.name.length)) + 4;
  return [
    'Show and change HAProxy sticky sessions of Voyager ingress backends.',
    '',
    ...wrap(
      "status shows each backend's effective sticky state, as the Voyager operator version in the cluster reads the annotations; enable, disable and migrate change them safely.",
      width - 1,
    ).map((l) => ` ${l}`),
    '',
    'Commands:',
    ...commandRows(basic, column, width),
    '',
    'Other Commands:',
    ...commandRows(rest, column, width),
    '',
    'Usage:',
    `  ${PLUGIN} [flags] [options]`,
    '',
    `Use "${PLUGIN} <command> --help" for more information about a given command.`,
    OPTIONS_POINTER,
  ];
}

/** The help text of a command, or of the plugin when `command` is null. `other`: the commands listed apart (completion, help...). */
export function helpText(declarations: readonly Declaration<Flags>[], command: Declaration<Flags> | null, other: readonly string[], width: number): string {
  return `${(command ? commandHelp(command, width) : rootHelp(declarations, other, width)).join('\n')}\n`;
}

/** `kubectl sticky options`: the flags the commands share, as `kubectl options` lists kubectl's. */
export function optionsText(declarations: readonly Declaration<Flags>[], width: number): string {
  const takers = declarations.filter((d) => Object.entries(d.flags).some(([name, flag]) => isClusterFlag(name, flag))).map((d) => d.name);
  const names = takers.length > 1 ? `${takers.slice(0, -1).join(', ')} and ${takers.at(-1)}` : (takers[0] ?? '');
  const flags: [string, AnyFlag][] = [...Object.entries(CLUSTER_FLAGS), ['v', GLOBAL_FLAGS.v]];
  return [
    ...wrap(`The following options can be passed to ${names} (-v to every command), before or after the command's name:`, width),
    '',
    ...flagBlock(flags, width),
  ]
    .join('\n')
    .replace(/\n+$/, '\n');
}
