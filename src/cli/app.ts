// The plugin as a function: words in, output through the Io, exit code out. The entry point
// calls it with the process's Io; command tests call it in process with their own.

import { errorLine, ServerError, UserError } from '../errors.ts';
import { BUILTINS, COMMANDS, DECLARATIONS, OTHER_COMMANDS } from './commands.ts';
import { ROOT_FLAGS } from './flags.ts';
import type { Context } from './io.ts';
import { type Flags, GLOBAL_FLAGS, parseCommand, readFlags, scan, UsageError } from './spec.ts';

export interface AppOptions {
  version: string;
  /** Help text width (the terminal's). */
  width: number;
  /** Help texts laid out at build time, keyed `COMMAND WIDTH` ('' for the plugin's); others are laid out when asked. */
  helpTexts?: Readonly<Record<string, string>>;
}

function usageHint(command: string | null): string {
  return `See 'kubectl sticky${command ? ` ${command}` : ''} --help' for usage.`;
}

async function help(command: string | null, options: AppOptions): Promise<string> {
  const ready = options.helpTexts?.[`${command ?? ''} ${options.width}`];
  if (ready !== undefined) return ready;
  const { helpText } = await import('./help.ts');
  return helpText(DECLARATIONS, DECLARATIONS.find((d) => d.name === command) ?? null, OTHER_COMMANDS, options.width);
}

const isBuiltin = (word: string): word is keyof typeof BUILTINS => Object.hasOwn(BUILTINS, word);

/** help, options and version: answered here, where the help texts and the version are. */
async function runBuiltin(name: keyof typeof BUILTINS, words: readonly string[], ctx: Context, options: AppOptions): Promise<number> {
  const parsed = parseCommand(BUILTINS[name], words).options;
  let text: string;
  if (parsed.help) text = await help(name, options);
  else if (name === 'version') text = options.version;
  else if (name === 'options') text = (await import('./help.ts')).optionsText(DECLARATIONS, options.width);
  else text = await help(parsed.words[0] ?? null, options);
  ctx.io.out(text.trimEnd());
  return 0;
}

/** Levenshtein distance: cobra suggests commands within 2 edits. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** Runs `kubectl sticky WORDS...`; never throws. */
export async function main(words: readonly string[], ctx: Context, options: AppOptions): Promise<number> {
  // kubectl's plugin completion runs `kubectl_complete-sticky WORDS... PARTIAL`, which runs
  // `kubectl-sticky __complete WORDS... PARTIAL` (see complete.ts).
  if (words[0] === '__complete') return (await import('./complete.ts')).runComplete(words.slice(1), ctx);
  let name: string | null = null;
  let failure = 1;
  try {
    // kubectl's global flags may come before the command's name (kubectl -n NS get): the
    // command gets them with its own words.
    const root = scan(words, new Map(Object.entries(ROOT_FLAGS)), true);
    if (root.error) throw new UsageError(root.error);
    const rootOptions = readFlags({ help: GLOBAL_FLAGS.help, version: ROOT_FLAGS.version }, root.texts);
    const [word, ...rest] = root.positionals;
    const before = words.slice(0, words.length - root.positionals.length);
    if (rootOptions.version) {
      ctx.io.out(options.version);
      return 0;
    }
    // As kubectl (cobra's root has no Run): no command prints the help, exit 0.
    if (word === undefined) {
      ctx.io.out((await help(null, options)).trimEnd());
      return 0;
    }
    // kubectl's global flags are accepted before every command (`kubectl -n x version`); a
    // command that has no use for one (help, version, completion) gets the words without them.
    const given = [...root.texts.keys()];
    const withRoot = (flags: Flags) =>
      given.every((flag) => Object.hasOwn(flags, flag) || Object.hasOwn(GLOBAL_FLAGS, flag))
        ? [...before, ...rest]
        : [...(rootOptions.help ? ['--help'] : []), ...rest];
    if (isBuiltin(word)) {
      name = word;
      return await runBuiltin(word, withRoot(BUILTINS[word].flags), ctx, options);
    }
    const command = COMMANDS.find((c) => c.declaration.name === word);
    if (!command) {
      const near = DECLARATIONS.map((d) => d.name).filter((n) => distance(n, word) <= 2);
      throw new UsageError(`unknown command "${word}" for "kubectl sticky"${near.length > 0 ? `\n\nDid you mean this?\n\t${near.join('\n\t')}` : ''}`);
    }
    name = command.declaration.name;
    if (command.declaration.errorCode !== undefined) failure = command.declaration.errorCode;
    const failsWith = command.declaration.failsWith;
    // Judged on the words themselves: the line may not parse (an unknown flag before it).
    const flagWords = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (failsWith && flagWords.some((w) => w === `--${failsWith.flag}` || w === `--${failsWith.flag}=true`)) failure = failsWith.code;
    const run = command.prepare(withRoot(command.declaration.flags));
    if (!run) {
      ctx.io.out((await help(name, options)).trimEnd());
      return 0;
    }
    return await run(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      // cobra's layout: the error, a suggestion block when there is one, the pointer to --help.
      const [first = '', ...more] = error.message.split('\n');
      ctx.io.err(errorLine(new UsageError(first)));
      for (const line of more) ctx.io.err(line);
      ctx.io.err(usageHint(name));
    } else ctx.io.err(errorLine(error));
    const code = error instanceof UserError || error instanceof ServerError ? error.exitCode : 1;
    return Math.max(code, failure);
  }
}
