// Shell completion through kubectl (1.26+): for `kubectl sticky <TAB>` kubectl runs
// `kubectl_complete-sticky WORD... PARTIAL`, which runs `kubectl-sticky __complete WORD... PARTIAL`.
// The answer is one candidate a line (`value<TAB>description`) and a last line `:<directive>`
// (cobra's directives: 2 = no space after the candidate, 4 = no file completion).
//
// complete() is pure: words in, candidates or a request for live names out. runComplete() does
// the I/O, and loads the Kubernetes client only when live names are needed, so completing
// commands and flags stays fast.

import { DECLARATIONS } from './commands.ts';
import { CLUSTER_FLAGS, ROOT_FLAGS } from './flags.ts';
import type { Context } from './io.ts';
import { flagsOf, scan, type AnyFlag, type Declaration, type Flags, type ValuesOf } from './spec.ts';
import { ingressFlavor, typeWords, type TargetKind } from './targets.ts';

export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

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
  flags: Connection;
}

export interface Plan {
  candidates: Candidate[];
  directive: number;
  lookup?: Lookup;
}

/** The connection flags among the words, as far as they were typed (a value that does not parse is left out). */
export type Connection = Partial<ValuesOf<typeof CLUSTER_FLAGS>> & { 'all-namespaces': boolean };

interface Parsed {
  command: Declaration<Flags> | null;
  flags: ReadonlyMap<string, AnyFlag>;
  /** Flag texts seen, by long name. */
  texts: ReadonlyMap<string, readonly string[]>;
  positionals: readonly string[];
  /** A flag whose value is the partial word. */
  pending: string | null;
}

/** The words before the cursor, scanned exactly as the parser scans them (errors ignored). */
function parse(words: readonly string[]): Parsed {
  const root = scan(words, new Map(Object.entries(ROOT_FLAGS)), true);
  const rootFlags = new Map<string, AnyFlag>(Object.entries(ROOT_FLAGS));
  if (root.pending || root.positionals.length === 0) return { command: null, flags: rootFlags, texts: root.texts, positionals: [], pending: root.pending };
  const command = DECLARATIONS.find((d) => d.name === root.positionals[0]) ?? null;
  if (!command) return { command: null, flags: new Map(), texts: new Map(), positionals: [], pending: null };
  const flags = flagsOf(command.flags);
  const rest = scan(root.positionals.slice(1), flags);
  // Flags before the command's name count as after it (-n NS before `status`).
  const texts = new Map(root.texts);
  for (const [name, given] of rest.texts) texts.set(name, [...(texts.get(name) ?? []), ...given]);
  return { command, flags, texts, positionals: rest.positionals, pending: rest.pending };
}

function connection(texts: ReadonlyMap<string, readonly string[]>): Connection {
  const out: Connection = { 'all-namespaces': ['true', '1', 't', 'T', 'TRUE', 'True'].includes(texts.get('all-namespaces')?.at(-1) ?? '') };
  for (const [name, flag] of Object.entries(CLUSTER_FLAGS)) {
    const given = texts.get(name);
    if (given === undefined) continue;
    try {
      Object.assign(out, { [name]: flag.read(given, name) });
    } catch {
      // Not a value of the flag (yet): completion goes on without it.
    }
  }
  return out;
}

function valuePlan(flag: AnyFlag, typed: string, prefix: string, texts: ReadonlyMap<string, readonly string[]>): Plan {
  const fixed = [...(flag.values ?? []), ...(flag.suggest ?? [])];
  if (fixed.length > 0) {
    return { candidates: fixed.filter((v) => v.startsWith(typed)).map((value) => ({ value: prefix + value })), directive: Directive.NoFileComp };
  }
  if (flag.complete === 'files') return { candidates: [], directive: Directive.Default };
  if (flag.complete) {
    return { candidates: [], directive: Directive.NoFileComp, lookup: { kind: flag.complete, flavor: null, prefix, typed, flags: connection(texts) } };
  }
  return { candidates: [], directive: Directive.NoFileComp };
}

function flagPlan(flags: ReadonlyMap<string, AnyFlag>, partial: string): Plan {
  const candidates: Candidate[] = [];
  for (const [name, flag] of flags) {
    if (flag.hidden) continue;
    if (`--${name}`.startsWith(partial)) candidates.push({ value: `--${name}`, description: flag.describe });
    if (flag.short && !partial.startsWith('--') && `-${flag.short}`.startsWith(partial))
      candidates.push({ value: `-${flag.short}`, description: flag.describe });
  }
  return { candidates, directive: Directive.NoFileComp };
}

/** TARGET words: the type words the command's parser accepts, then live names. */
function targetPlan(command: Declaration<Flags>, parsed: Parsed, partial: string): Plan {
  const none = { candidates: [], directive: Directive.NoFileComp };
  const kinds = command.positionals.kinds;
  const flags = connection(parsed.texts);
  // kubectl's TYPE NAME... form: after a type word come its names.
  const type = parsed.positionals[0];
  if (type !== undefined && !type.includes('/') && !command.positionals.words) {
    if (parsed.positionals.length - 1 >= command.positionals.max || parsed.texts.has('filename') || partial.includes('/')) return none;
    const lookup = nameLookup(kinds, type.toLowerCase(), '', partial, flags);
    return lookup ? { ...none, lookup } : none;
  }
  if (parsed.positionals.length >= command.positionals.max) return none;
  const fixed = command.positionals.words;
  if (fixed) return { candidates: fixed.filter((w) => w.startsWith(partial)).map((value) => ({ value })), directive: Directive.NoFileComp };
  const slash = partial.indexOf('/');
  if (slash < 0) {
    const words = partial === '' ? kinds.map((kind) => typeWords(kind)[0] ?? '') : kinds.flatMap(typeWords).filter((w) => w.startsWith(partial.toLowerCase()));
    return { candidates: words.map((w) => ({ value: `${w}/` })), directive: Directive.NoSpace | Directive.NoFileComp };
  }
  if (parsed.texts.has('filename')) return none;
  const lookup = nameLookup(kinds, partial.slice(0, slash).toLowerCase(), `${partial.slice(0, slash)}/`, partial.slice(slash + 1), flags);
  return lookup ? { ...none, lookup } : none;
}

/** The live names of the kind a type word names, when the command takes that kind. */
function nameLookup(kinds: readonly TargetKind[], type: string, prefix: string, typed: string, flags: Connection): Lookup | undefined {
  if (kinds.includes('service') && typeWords('service').includes(type)) return { kind: 'services', flavor: null, prefix, typed, flags };
  const flavor = ingressFlavor(type);
  if (kinds.includes('ingress') && flavor !== undefined) return { kind: 'ingresses', flavor, prefix, typed, flags };
  return undefined;
}

/**
 * What to offer for `kubectl sticky WORDS... PARTIAL`. `args` are the words kubectl passes: the
 * words after `sticky`, the last one being the (maybe empty) word under the cursor.
 */
export function complete(args: readonly string[]): Plan {
  const parsed = parse(args.slice(0, -1));
  const partial = args.at(-1) ?? '';
  const pending = parsed.pending === null ? undefined : parsed.flags.get(parsed.pending);
  if (pending) return valuePlan(pending, partial, '', parsed.texts);

  if (partial.startsWith('-')) {
    if (partial.startsWith('--') && partial.includes('=')) {
      const at = partial.indexOf('=');
      const name = partial.slice(2, at);
      const flag = parsed.flags.get(name);
      return flag && flag.kind !== 'bool'
        ? valuePlan(flag, partial.slice(at + 1), `--${name}=`, parsed.texts)
        : { candidates: [], directive: Directive.NoFileComp };
    }
    return flagPlan(parsed.flags, partial);
  }
  if (!parsed.command) {
    return {
      candidates: DECLARATIONS.filter((c) => c.name.startsWith(partial)).map((c) => ({ value: c.name, description: c.summary })),
      directive: Directive.NoFileComp,
    };
  }
  return targetPlan(parsed.command, parsed, partial);
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

async function kubeconfigNames(lookup: Lookup, kind: 'contexts' | 'clusters' | 'users'): Promise<string[]> {
  const [{ homedir }, { delimiter, resolve }, { readFile }, YAML] = await Promise.all([
    import('node:os'),
    import('node:path'),
    import('node:fs/promises'),
    import('yaml'),
  ]);
  const files = lookup.flags.kubeconfig
    ? [lookup.flags.kubeconfig]
    : process.env['KUBECONFIG']
      ? process.env['KUBECONFIG'].split(delimiter).filter((f) => f !== '')
      : [resolve(homedir(), '.kube', 'config')];
  const names: string[] = [];
  for (const file of files) {
    try {
      const doc: unknown = YAML.parse(await readFile(file, 'utf8'));
      const items = doc !== null && typeof doc === 'object' ? Object.entries(doc).find(([key]) => key === kind)?.[1] : undefined;
      if (Array.isArray(items)) for (const item of items) if (typeof item?.name === 'string') names.push(item.name);
    } catch {
      // A missing or unreadable kubeconfig offers nothing.
    }
  }
  return names;
}

async function liveNames(lookup: Lookup, ctx: Context): Promise<string[]> {
  if (lookup.kind === 'contexts' || lookup.kind === 'clusters' || lookup.kind === 'users') return kubeconfigNames(lookup, lookup.kind);
  const api = await import('../kube/api.ts');
  const timeout = lookup.flags['request-timeout'];
  const kube = await ctx.connect({
    ...lookup.flags,
    // Completion must answer soon: a server that does not, offers nothing.
    timeoutMs: timeout || 5000,
    verbosity: 0,
    log: () => {},
  });
  const scope = lookup.flags['all-namespaces'] ? '' : kube.namespace;
  const nameOf = (o: Record<string, unknown>) => {
    const meta = o['metadata'];
    return meta !== null && typeof meta === 'object' && 'name' in meta && typeof meta.name === 'string' ? meta.name : '';
  };
  let objects: Record<string, unknown>[] = [];
  if (lookup.kind === 'namespaces') {
    objects = await kube.list(api.NAMESPACES, '');
  } else if (lookup.kind === 'services') {
    objects = await kube.list(api.SERVICES, scope);
  } else {
    const lists: Promise<Record<string, unknown>[]>[] = [];
    if (lookup.flavor !== 'networking') {
      lists.push(kube.voyagerVersion().then((version) => (version ? kube.list(api.voyagerIngresses(version), scope) : [])));
    }
    if (lookup.flavor !== 'voyager') lists.push(kube.list(api.NETWORKING_INGRESSES, scope));
    const settled = await Promise.allSettled(lists);
    objects = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  }
  return objects.map(nameOf).filter((n) => n !== '');
}

/** `kubectl-sticky __complete ARGS...`: prints the answer; never fails (no candidates instead). */
export async function runComplete(args: readonly string[], ctx: Context): Promise<number> {
  const plan = complete(args);
  let names: string[] = [];
  if (plan.lookup) {
    try {
      names = await liveNames(plan.lookup, ctx);
    } catch {
      names = [];
    }
  }
  ctx.io.out(format(finish(plan, names), plan.directive).replace(/\n$/, ''));
  return 0;
}
