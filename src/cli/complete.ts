// Shell completion through kubectl (1.26+): for `kubectl sticky <TAB>` kubectl runs
// `kubectl_complete-sticky WORD... PARTIAL`, which runs `kubectl-sticky __complete WORD... PARTIAL`.
// The answer is one candidate a line (`value<TAB>description`) and a last line `:<directive>`
// (cobra's directives: 2 = no space after the candidate, 4 = no file completion).
//
// complete() is pure: words in, candidates or a request for live names out. runComplete() does
// the I/O, and loads the Kubernetes client only when live names are needed, so completing
// commands and flags stays fast.

import type { SourceArgs } from './flags.ts';

export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

interface FlagSpec {
  name: string;
  short?: string;
  /** Takes a value (`--name VALUE` or `--name=VALUE`). */
  value: boolean;
  describe: string;
  /** A value is optional and then only given as `--name=VALUE` (like kubectl's --dry-run). */
  optionalValue?: boolean;
  /** Fixed value choices. */
  values?: readonly string[];
  /** Live value choices. */
  lookup?: 'namespaces' | 'contexts' | 'clusters' | 'users';
  /** Values are paths: let the shell complete files. */
  files?: boolean;
  /** Boolean with a default of true: offered as --no-NAME. */
  negated?: boolean;
}

interface CommandSpec {
  name: string;
  describe: string;
  /** Takes TARGET arguments (svc/NAME, ingress/NAME). */
  targets: boolean;
  /** Fixed words for the one argument (completion install|uninstall). */
  actions?: readonly string[];
  flags: readonly FlagSpec[];
}

// The flags of src/cli/flags.ts and cmd/kubectl-sticky.ts. test/e2e/completion.test.ts checks
// that every flag in a command's --help is here.
const CLUSTER: readonly FlagSpec[] = [
  { name: 'kubeconfig', value: true, files: true, describe: 'Path to the kubeconfig file to use' },
  { name: 'context', value: true, lookup: 'contexts', describe: 'The name of the kubeconfig context to use' },
  { name: 'cluster', value: true, lookup: 'clusters', describe: 'The name of the kubeconfig cluster to use' },
  { name: 'user', value: true, lookup: 'users', describe: 'The name of the kubeconfig user to use' },
  { name: 'namespace', short: 'n', value: true, lookup: 'namespaces', describe: 'The namespace scope for this request' },
  { name: 'request-timeout', value: true, describe: 'How long to wait for one server request' },
];
const SEMANTICS: readonly FlagSpec[] = [
  {
    name: 'voyager-version',
    value: true,
    values: ['3.2.0', '5.0.0', '8.0.1', 'v12.0.0', 'v2021.09.15'],
    describe: 'The Voyager operator version whose semantics apply',
  },
  { name: 'ingress-class', value: true, describe: "The operator's --ingress-class" },
];
const SOURCE: readonly FlagSpec[] = [
  ...CLUSTER,
  ...SEMANTICS,
  { name: 'all-namespaces', short: 'A', value: false, describe: 'List across all namespaces' },
  { name: 'filename', short: 'f', value: true, files: true, describe: 'Read objects from files, folders or - (stdin)' },
];
const SELECTOR: FlagSpec = { name: 'selector', short: 'l', value: true, describe: 'Only Ingresses with these labels' };
const HEADERS: FlagSpec = { name: 'headers', value: false, negated: true, describe: 'Omit column headers' };
const CHANGE: readonly FlagSpec[] = [
  { name: 'dry-run', value: true, optionalValue: true, values: ['none', 'client', 'server'], describe: 'Only print what would change' },
  { name: 'field-manager', value: true, describe: 'Name of the manager that owns the written fields' },
  { name: 'overwrite', value: false, describe: 'Replace an annotation that already has a different value' },
  { name: 'resource-version', value: true, describe: 'Write only if the object still has this resourceVersion' },
];
const GLOBAL: readonly FlagSpec[] = [
  { name: 'help', short: 'h', value: false, describe: 'Show help' },
  { name: 'v', short: 'v', value: true, describe: "Log level, as kubectl's -v" },
  { name: 'version', value: false, describe: 'Show version number' },
];
const DEPLOYED: FlagSpec = { name: 'deployed', value: false, describe: 'Compare with the deployed haproxy.cfg' };
const OUTPUT_CHANGE: FlagSpec = { name: 'output', short: 'o', value: true, values: ['name', 'json', 'yaml'], describe: 'Output format' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'status',
    describe: 'Show the effective sticky state of every backend',
    targets: true,
    flags: [
      ...SOURCE,
      { name: 'output', short: 'o', value: true, values: ['wide', 'json', 'yaml'], describe: 'Output format' },
      SELECTOR,
      HEADERS,
      DEPLOYED,
    ],
  },
  {
    name: 'render',
    describe: 'Print the HAProxy backend sections Voyager writes for an Ingress',
    targets: true,
    flags: [...SOURCE, DEPLOYED],
  },
  {
    name: 'enable',
    describe: 'Turn sticky sessions on',
    targets: true,
    flags: [
      ...CLUSTER,
      ...SEMANTICS,
      ...CHANGE,
      OUTPUT_CHANGE,
      { name: 'cookie-name', value: true, describe: 'Cookie name' },
      { name: 'cookie-hash', value: true, values: ['md5', 'sha', 'index'], describe: 'Cookie value hash' },
    ],
  },
  {
    name: 'disable',
    describe: 'Turn sticky sessions off',
    targets: true,
    flags: [...CLUSTER, ...SEMANTICS, ...CHANGE, OUTPUT_CHANGE, { name: 'purge', value: false, describe: 'Also remove the cookie name and hash annotations' }],
  },
  { name: 'completion', describe: 'Install or uninstall kubectl_complete-sticky beside this plugin', targets: false, actions: ['install', 'uninstall'], flags: [] },
];

/** Resource type words of TARGET, by what they list. */
const SERVICE_WORDS = ['svc', 'service', 'services'];
const INGRESS_WORDS: Record<string, 'voyager' | 'networking' | null> = {
  ingress: null,
  ing: null,
  ingresses: null,
  'ingresses.voyager.appscode.com': 'voyager',
  'ingress.voyager.appscode.com': 'voyager',
  'ingresses.networking.k8s.io': 'networking',
  'ingress.networking.k8s.io': 'networking',
};
const TYPE_WORDS = [...SERVICE_WORDS, ...Object.keys(INGRESS_WORDS)];
const FIRST_TYPE_WORDS = ['svc', 'ingress'];

export type LookupKind = 'services' | 'ingresses' | 'namespaces' | 'contexts' | 'clusters' | 'users';

export interface Lookup {
  kind: LookupKind;
  /** For ingresses: which API, null for both. */
  flavor: 'voyager' | 'networking' | null;
  /** Put before each name (`svc/`, `--namespace=`). */
  prefix: string;
  /** The typed part of the name: names are filtered by it. */
  typed: string;
  /** The connection flags found among the words (kubeconfig, context, namespace, -A...). */
  flags: Partial<SourceArgs>;
}

export interface Plan {
  candidates: Candidate[];
  directive: number;
  lookup?: Lookup;
}

interface Parsed {
  command: CommandSpec | null;
  /** Flag values seen, by long name (last wins). */
  values: Map<string, string>;
  /** A flag whose value is the partial word. */
  pending: FlagSpec | null;
}

function flagsOf(command: CommandSpec | null): readonly FlagSpec[] {
  return command ? [...command.flags, ...GLOBAL.filter((f) => f.name !== 'version')] : GLOBAL;
}

function parse(words: readonly string[]): Parsed {
  let command: CommandSpec | null = null;
  const values = new Map<string, string>();
  let pending: FlagSpec | null = null;
  let rest = false;
  for (const word of words) {
    const flags = flagsOf(command);
    if (pending) {
      values.set(pending.name, word);
      pending = null;
      continue;
    }
    if (rest || word === '-' || !word.startsWith('-')) {
      if (!command && !rest) command = COMMANDS.find((c) => c.name === word) ?? null;
      continue;
    }
    if (word === '--') {
      rest = true;
      continue;
    }
    if (word.startsWith('--')) {
      const [name = '', value] = splitOnce(word.slice(2), '=');
      const spec = flags.find((f) => f.name === name || (f.negated && `no-${f.name}` === name));
      if (!spec) continue;
      if (value !== undefined) values.set(spec.name, value);
      else if (spec.value && !spec.optionalValue) pending = spec;
      else values.set(spec.name, spec.negated && name.startsWith('no-') ? 'false' : 'true');
      continue;
    }
    // Short flags, possibly grouped (-An ns, -nns).
    for (let i = 1; i < word.length; i++) {
      const spec = flags.find((f) => f.short === word[i]);
      if (!spec) break;
      if (!spec.value) {
        values.set(spec.name, 'true');
        continue;
      }
      const attached = word.slice(i + 1).replace(/^=/, '');
      if (attached) values.set(spec.name, attached);
      else pending = spec;
      break;
    }
  }
  return { command, values, pending };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

function connectionFlags(values: Map<string, string>): Partial<SourceArgs> {
  const flags: Partial<SourceArgs> = { 'all-namespaces': values.get('all-namespaces') === 'true' };
  for (const name of ['kubeconfig', 'context', 'cluster', 'user', 'namespace', 'request-timeout'] as const) {
    const value = values.get(name);
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

function valuePlan(spec: FlagSpec, typed: string, prefix: string, values: Map<string, string>): Plan {
  if (spec.values) {
    return { candidates: spec.values.filter((v) => v.startsWith(typed)).map((value) => ({ value: prefix + value })), directive: Directive.NoFileComp };
  }
  if (spec.lookup) {
    return { candidates: [], directive: Directive.NoFileComp, lookup: { kind: spec.lookup, flavor: null, prefix, typed, flags: connectionFlags(values) } };
  }
  if (spec.files) return { candidates: [], directive: Directive.Default };
  return { candidates: [], directive: Directive.NoFileComp };
}

function flagPlan(command: CommandSpec | null, partial: string): Plan {
  const candidates: Candidate[] = [];
  for (const spec of flagsOf(command)) {
    const long = `--${spec.negated ? `no-${spec.name}` : spec.name}`;
    if (long.startsWith(partial)) candidates.push({ value: long, description: spec.describe });
    if (spec.short && !partial.startsWith('--') && `-${spec.short}`.startsWith(partial)) candidates.push({ value: `-${spec.short}`, description: spec.describe });
  }
  return { candidates, directive: Directive.NoFileComp };
}

/**
 * What to offer for `kubectl sticky WORDS... PARTIAL`. `args` are the words kubectl passes: the
 * words after `sticky`, the last one being the (maybe empty) word under the cursor.
 */
export function complete(args: readonly string[]): Plan {
  const words = args.slice(0, -1);
  const partial = args.at(-1) ?? '';
  const { command, values, pending } = parse(words);

  if (pending) return valuePlan(pending, partial, '', values);

  if (partial.startsWith('-')) {
    if (partial.startsWith('--') && partial.includes('=')) {
      const [name = '', typed = ''] = splitOnce(partial.slice(2), '=');
      const spec = flagsOf(command).find((f) => f.name === name && f.value);
      return spec ? valuePlan(spec, typed, `--${name}=`, values) : { candidates: [], directive: Directive.NoFileComp };
    }
    return flagPlan(command, partial);
  }

  if (!command) {
    return {
      candidates: COMMANDS.filter((c) => c.name.startsWith(partial)).map((c) => ({ value: c.name, description: c.describe })),
      directive: Directive.NoFileComp,
    };
  }
  if (command.actions) {
    const given = args.slice(0, -1).some((w) => command.actions?.includes(w));
    return { candidates: given ? [] : command.actions.filter((a) => a.startsWith(partial)).map((value) => ({ value })), directive: Directive.NoFileComp };
  }
  if (!command.targets) return { candidates: [], directive: Directive.NoFileComp };

  const slash = partial.indexOf('/');
  if (slash < 0) {
    const words = partial === '' ? FIRST_TYPE_WORDS : TYPE_WORDS.filter((w) => w.startsWith(partial.toLowerCase()));
    return { candidates: words.map((w) => ({ value: `${w}/` })), directive: Directive.NoSpace | Directive.NoFileComp };
  }
  const type = partial.slice(0, slash);
  const typed = partial.slice(slash + 1);
  const flags = connectionFlags(values);
  if (values.has('filename')) return { candidates: [], directive: Directive.NoFileComp };
  const lower = type.toLowerCase();
  if (SERVICE_WORDS.includes(lower)) {
    return { candidates: [], directive: Directive.NoFileComp, lookup: { kind: 'services', flavor: null, prefix: `${type}/`, typed, flags } };
  }
  if (lower in INGRESS_WORDS) {
    return { candidates: [], directive: Directive.NoFileComp, lookup: { kind: 'ingresses', flavor: INGRESS_WORDS[lower] ?? null, prefix: `${type}/`, typed, flags } };
  }
  return { candidates: [], directive: Directive.NoFileComp };
}

/** The plan's candidates plus the looked-up names that match what was typed. */
export function finish(plan: Plan, names: readonly string[]): Candidate[] {
  if (!plan.lookup) return plan.candidates;
  const { prefix, typed } = plan.lookup;
  const matching = [...new Set(names)].filter((n) => n.startsWith(typed)).sort();
  return [...plan.candidates, ...matching.map((n) => ({ value: prefix + n }))];
}

/** The protocol's text: candidates, then `:directive`. */
export function format(candidates: readonly Candidate[], directive: number): string {
  const lines = candidates.map((c) => (c.description ? `${c.value}\t${c.description}` : c.value));
  return [...lines, `:${directive}`].join('\n') + '\n';
}

// ---- I/O ----

async function kubeconfigNames(lookup: Lookup): Promise<string[]> {
  const [{ existsSync, readFileSync }, { homedir }, { delimiter, resolve }, YAML] = await Promise.all([
    import('node:fs'),
    import('node:os'),
    import('node:path'),
    import('yaml'),
  ]);
  const files = lookup.flags.kubeconfig
    ? [lookup.flags.kubeconfig]
    : process.env['KUBECONFIG']
      ? process.env['KUBECONFIG'].split(delimiter).filter((f) => f !== '')
      : [resolve(homedir(), '.kube', 'config')];
  const key = lookup.kind as 'contexts' | 'clusters' | 'users';
  const names: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      const doc = YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
      const list = doc?.[key];
      if (Array.isArray(list)) for (const item of list) if (typeof item?.name === 'string') names.push(item.name);
    } catch {
      // An unreadable kubeconfig offers nothing.
    }
  }
  return names;
}

async function liveNames(lookup: Lookup): Promise<string[]> {
  if (lookup.kind === 'contexts' || lookup.kind === 'clusters' || lookup.kind === 'users') return kubeconfigNames(lookup);
  const [{ connect }, client] = await Promise.all([import('./gather.ts'), import('../kube/client.ts')]);
  const timeout = lookup.flags['request-timeout'];
  const args = {
    ...lookup.flags,
    'request-timeout': timeout && timeout !== '0' ? timeout : '5s',
    'all-namespaces': lookup.flags['all-namespaces'] ?? false,
    filename: [],
  } as SourceArgs;
  const kube = await connect(args);
  const scope = args['all-namespaces'] ? '' : kube.namespace;
  const nameOf = (o: Record<string, unknown>) => {
    const meta = o['metadata'] as { name?: unknown } | undefined;
    return typeof meta?.name === 'string' ? meta.name : '';
  };
  let objects: Record<string, unknown>[] = [];
  if (lookup.kind === 'namespaces') {
    objects = await kube.list({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace' }, '');
  } else if (lookup.kind === 'services') {
    objects = await kube.list(client.SERVICES, scope);
  } else {
    const lists: Promise<Record<string, unknown>[]>[] = [];
    if (lookup.flavor !== 'networking') {
      lists.push(
        kube.voyagerVersion().then((version) => (version ? kube.list(client.voyagerIngresses(version), scope) : [])),
      );
    }
    if (lookup.flavor !== 'voyager') lists.push(kube.list(client.NETWORKING_INGRESSES, scope));
    const settled = await Promise.allSettled(lists);
    objects = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  }
  return objects.map(nameOf).filter((n) => n !== '');
}

/** `kubectl-sticky __complete ARGS...`: prints the answer; never fails (no candidates instead). */
export async function runComplete(args: readonly string[], write: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const plan = complete(args);
  let names: string[] = [];
  if (plan.lookup) {
    try {
      names = await liveNames(plan.lookup);
    } catch {
      names = [];
    }
  }
  write(format(finish(plan, names), plan.directive));
  return 0;
}
