// A command is one declaration: its flags (type, default, allowed values, where completion values
// come from, help group), its TARGET positionals and examples. The parser below (kubectl's pflag
// grammar), --help (src/cli/help.ts), completion (src/cli/complete.ts) and the typed options a
// command's run() receives all read the same declaration, so they cannot disagree.
//
// This module is loaded for --help and completion: no heavy imports.

import { parseGoBool } from '../core/semantics.ts';
import { UserError } from '../errors.ts';
import { parseTargets, typeWords, type Target, type TargetKind } from './targets.ts';

/** Where completion finds a flag's values beyond its fixed `values`. */
export type ValueSource = 'files' | 'namespaces' | 'contexts' | 'clusters' | 'users';

export interface FlagBase {
  /** One-letter shorthand: `-n`. */
  short?: string;
  describe: string;
  /** Heading the flag is listed under in --help (the command's own flags when absent). */
  group?: string;
  /** Accepted but not listed in --help or completion (a flag of the sibling command). */
  hidden?: boolean;
  /** The allowed values: checked while parsing, offered by completion, listed in --help. */
  values?: readonly string[];
  /** Values completion offers besides any others (examples, not a limit). */
  suggest?: readonly string[];
  complete?: ValueSource;
}

/**
 * A flag whose value is `T` once parsed. `read` turns the texts given on the command line
 * (every occurrence, in order) into the value; it throws a UserError for a bad one.
 */
export interface Flag<T> extends FlagBase {
  /** A bool takes no value (`--x`, or `--x=false`); every other kind takes one. */
  kind: 'bool' | 'string' | 'int' | 'list';
  /** The value a bare `--flag` means, for a flag whose value is optional (pflag's NoOptDefVal). */
  bare?: string;
  read(texts: readonly string[], name: string): T;
}

export type AnyFlag = Flag<unknown>;
export type Flags = Record<string, AnyFlag>;
export type ValuesOf<F extends Flags> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

function last(texts: readonly string[]): string | undefined {
  return texts[texts.length - 1];
}

type Invalid = (value: string, allowed: readonly string[]) => string;

function rejected(name: string, value: string, allowed: readonly string[], invalid?: Invalid): never {
  throw new UserError(invalid ? invalid(value, allowed) : `invalid argument "${value}" for "--${name}" flag: must be one of ${allowed.join(', ')}`);
}

/** pflag's strconv.ParseBool. */
function parseBool(text: string, name: string): boolean {
  const value = parseGoBool(text);
  if (value !== null) return value;
  throw new UserError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

export function bool(options: FlagBase & { default?: boolean }): Flag<boolean> {
  const fallback = options.default ?? false;
  return { ...options, kind: 'bool', read: (texts, name) => (texts.length === 0 ? fallback : parseBool(last(texts) ?? '', name)) };
}

export function string(options: FlagBase & { bare?: string }): Flag<string | undefined>;
export function string(options: FlagBase & { default: string; bare?: string }): Flag<string>;
export function string(options: FlagBase & { default?: string; bare?: string }): Flag<string | undefined> {
  return { ...options, kind: 'string', read: (texts) => last(texts) ?? options.default };
}

/** A flag taking one value that `convert` reads (the last one given, or undefined) or rejects. */
export function value<T>(options: FlagBase, convert: (text: string | undefined, name: string) => T): Flag<T> {
  return { ...options, kind: 'string', read: (texts, name) => convert(last(texts), name) };
}

type ChoiceOptions<V extends readonly string[]> = FlagBase & { bare?: V[number]; invalid?: Invalid };

/** One of fixed `values`, typed as their union; with a `default`, the value when the flag is absent (and shown in --help). */
export function choice<const V extends readonly string[]>(values: V, options: ChoiceOptions<V>): Flag<V[number] | undefined>;
export function choice<const V extends readonly string[]>(values: V, options: ChoiceOptions<V> & { default: V[number] }): Flag<V[number]>;
export function choice<const V extends readonly string[]>(values: V, options: ChoiceOptions<V> & { default?: V[number] }): Flag<V[number] | undefined> {
  const { invalid, default: fallback, ...flag } = options;
  const isValue = (text: string): text is V[number] => values.includes(text);
  return {
    ...flag,
    values,
    kind: 'string',
    read: (texts, name) => {
      const value = last(texts);
      if (value === undefined) return fallback;
      return isValue(value) ? value : rejected(name, value, values, invalid);
    },
  };
}

export function int(options: FlagBase): Flag<number | undefined> {
  return {
    ...options,
    kind: 'int',
    read: (texts, name) => {
      const value = last(texts);
      if (value === undefined) return undefined;
      if (!/^[+-]?\d+$/.test(value))
        throw new UserError(`invalid argument "${value}" for "--${name}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
      return Number(value);
    },
  };
}

/** Repeatable, and comma-separated as pflag's StringSlice (`-f a.yaml,b.yaml -f c/`). */
export function list(options: FlagBase): Flag<string[]> {
  return { ...options, kind: 'list', read: (texts) => texts.flatMap((text) => text.split(',')).filter((text) => text !== '') };
}

/** The TARGET arguments a command takes: which kinds, how many. */
export interface Positionals {
  /** As shown in usage: `TARGET...`. */
  usage: string;
  kinds: readonly TargetKind[];
  min: number;
  max: number;
  /** The error for fewer than `min`. */
  missing: string;
  /** Fixed words instead of TARGETs (completion install|uninstall); they arrive as `words`. */
  words?: readonly string[];
  /** The error for a word not among `words` (default: unknown action). */
  unknown?: (word: string) => string;
}

export interface Example {
  command: string;
  describe: string;
}

export interface Declaration<F extends Flags> {
  name: string;
  summary: string;
  positionals: Positionals;
  flags: F;
  examples: readonly Example[];
  /** With this bool flag set, a failure exits with `code` (render --deployed answers like kubectl diff: 1 is "different"). */
  failsWith?: { flag: string; code: number };
  /** Every failure exits with this code (upgrade-check answers like kubectl diff: 1 is "changes"). */
  errorCode?: number;
  /** Flags that must be given (cobra's MarkFlagRequired). */
  requires?: readonly string[];
}

/** Flags every command takes, and the root: kubectl's -v, and help. */
export const GLOBAL_FLAGS = {
  v: int({
    short: 'v',
    describe:
      "Log level, as kubectl's -v: 6 logs each API request (method, URL, status, time) to stderr, 8 also the request and response headers (credentials masked)",
  }),
  help: bool({ short: 'h', describe: 'Show help' }),
} satisfies Flags;

export type GlobalOptions = ValuesOf<typeof GLOBAL_FLAGS>;

/** A declaration's parsed command line: the flag values by name (its own and global), and the TARGETs. */
export type Options<F extends Flags> = ValuesOf<F> & GlobalOptions & { targets: Target[]; words: string[] };

/** The flags a command accepts, by long name: its own and the global ones. */
export function flagsOf(flags: Flags): Map<string, AnyFlag> {
  return new Map<string, AnyFlag>([...Object.entries(flags), ...Object.entries(GLOBAL_FLAGS)]);
}

export interface Scan {
  /** Texts given per flag, by long name, in order. */
  texts: Map<string, string[]>;
  positionals: string[];
  /** The flag whose value is the next word (the scan ended on `-n`). */
  pending: string | null;
  /** The first grammar error, in pflag's words; null when the words parse. */
  error: string | null;
}

/**
 * pflag's grammar: `--name value`, `--name=value`, `--bool`, `--bool=false`, shorthands grouped
 * and with attached values (`-Av6`, `-owide`, `-o=json`), a flag's value taken from the next word
 * whatever it looks like (`-f -`), flags before and after positionals, `--` ends flags. Scanning
 * stops at the first error; completion scans the same way and ignores it.
 */
export function scan(words: readonly string[], known: ReadonlyMap<string, AnyFlag>, stopAtPositional = false): Scan {
  const texts = new Map<string, string[]>();
  const positionals: string[] = [];
  const put = (name: string, text: string) => texts.set(name, [...(texts.get(name) ?? []), text]);
  const byShort = new Map([...known].filter(([, flag]) => flag.short).map(([name, flag]) => [flag.short, name]));
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--') {
      positionals.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      if (stopAtPositional) {
        positionals.push(...words.slice(i));
        break;
      }
      positionals.push(word);
      continue;
    }
    const next = words[i + 1];
    if (word.startsWith('--')) {
      const at = word.indexOf('=');
      const name = at < 0 ? word.slice(2) : word.slice(2, at);
      const flag = known.get(name);
      if (!flag || name === '') return { texts, positionals, pending: null, error: `unknown flag: --${name}` };
      if (at >= 0) put(name, word.slice(at + 1));
      else if (flag.kind === 'bool') put(name, 'true');
      else if (flag.bare !== undefined) put(name, flag.bare);
      else if (next === undefined) return { texts, positionals, pending: name, error: `flag needs an argument: --${name}` };
      else {
        put(name, next);
        i++;
      }
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const letter = word[j] ?? '';
      const name = byShort.get(letter);
      const flag = name === undefined ? undefined : known.get(name);
      if (name === undefined || !flag) return { texts, positionals, pending: null, error: `unknown shorthand flag: '${letter}' in ${word}` };
      const rest = word.slice(j + 1);
      if (flag.kind === 'bool') {
        if (rest.startsWith('=')) {
          put(name, rest.slice(1));
          break;
        }
        put(name, 'true');
        continue;
      }
      if (rest !== '') put(name, rest.startsWith('=') ? rest.slice(1) : rest);
      else if (flag.bare !== undefined) put(name, flag.bare);
      else if (next === undefined) return { texts, positionals, pending: name, error: `flag needs an argument: '${letter}' in -${letter}` };
      else {
        put(name, next);
        i++;
      }
      break;
    }
  }
  return { texts, positionals, pending: null, error: null };
}

/** Reads every declared flag from the scanned texts: defaults, conversions, allowed values. */
export function readFlags<F extends Flags>(flags: F, texts: ReadonlyMap<string, readonly string[]>): ValuesOf<F> {
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) values[name] = flag.read(texts.get(name) ?? [], name);
  // TypeScript cannot build a mapped type key by key; each entry is that flag's read(), so the
  // record is ValuesOf<F> by construction.
  return values as ValuesOf<F>;
}

function readTargets(positionals: Positionals, command: string, words: readonly string[]): Target[] {
  const fixed = positionals.words;
  if (fixed) {
    if (words.length < positionals.min) throw new UserError(positionals.missing);
    if (words.length > positionals.max)
      throw new UserError(`${command} takes ${countWord(positionals.max)} ${positionals.usage}, got ${words.length}: ${words.join(' ')}`);
    const unknown = words.find((word) => !fixed.includes(word));
    if (unknown !== undefined) throw new UserError(positionals.unknown?.(unknown) ?? `unknown ${command} action "${unknown}": use ${fixed.join(' or ')}`);
    return [];
  }
  if (positionals.max === 0 && words.length > 0) throw new UserError(`${command} takes no arguments, got: ${words.join(' ')}`);
  const given = parseTargets(words);
  if (given.length < positionals.min) throw new UserError(positionals.missing);
  if (given.length > positionals.max)
    throw new UserError(`${command} takes ${countWord(positionals.max)} ${positionals.usage}, got ${given.length}: ${words.join(' ')}`);
  return given.map(({ target, text }) => {
    if (!positionals.kinds.includes(target.kind)) {
      const forms = positionals.kinds.map((kind) => `${typeWords(kind)[0]}/NAME`).join(' or ');
      throw new UserError(
        `${command} works on ${positionals.kinds.length === 1 && positionals.kinds[0] === 'ingress' ? 'an Ingress' : 'these kinds'} (${forms}), not ${text}`,
      );
    }
    return target;
  });
}

const countWord = (n: number): string => (n === 1 ? 'one' : String(n));

/** Parses a command's words (those after its name) into its typed options. */
export function parseCommand<F extends Flags>(declaration: Declaration<F>, words: readonly string[]): { options: Options<F> } {
  const result = scan(words, flagsOf(declaration.flags));
  if (result.error) throw new UsageError(result.error);
  const global = readFlags(GLOBAL_FLAGS, result.texts);
  // --help wins over everything else on the line, as in kubectl.
  const texts = global.help ? new Map<string, string[]>() : result.texts;
  const targets = global.help ? [] : readTargets(declaration.positionals, declaration.name, result.positionals);
  const missing = global.help ? [] : (declaration.requires ?? []).filter((name) => !texts.has(name));
  if (missing.length > 0) throw new UsageError(`required flag(s) ${missing.map((name) => `"${name}"`).join(', ')} not set`);
  const fixedWords: string[] = global.help || !declaration.positionals.words ? [] : [...result.positionals];
  return { options: { ...readFlags(declaration.flags, texts), ...global, targets, words: fixedWords } };
}

/** A command line that does not parse: printed with kubectl's pointer to --help. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
