// --help, from the declarations: each command and flag is registered with yargs, which lays the
// text out. yargs only prints here; parsing is spec.ts's, so help cannot list a flag the parser
// does not take.

import yargs, { type Argv, type Options as YargsOption } from 'yargs';
import type { AnyFlag, Declaration, Flags } from './spec.ts';
import { GLOBAL_FLAGS } from './spec.ts';

function yargsOption(name: string, flag: AnyFlag): YargsOption {
  const option: YargsOption = {
    describe: flag.describe,
    type: flag.kind === 'bool' ? 'boolean' : flag.kind === 'int' ? 'number' : flag.kind === 'list' ? 'array' : 'string',
    hidden: flag.hidden === true,
  };
  if (flag.short && flag.short !== name) option.alias = flag.short;
  if (flag.group) option.group = `${flag.group}:`;
  if (flag.values) option.choices = [...flag.values];
  const fallback = flag.read([], '');
  if (typeof fallback === 'string' || (typeof fallback === 'number' && fallback !== 0)) option.default = fallback;
  return option;
}

function register(y: Argv, flags: Flags): Argv {
  let out = y;
  for (const [name, flag] of Object.entries(flags)) if (name !== 'help') out = out.option(name, yargsOption(name, flag));
  return out;
}

/** The help text of a command, or of the plugin when `command` is null. */
export function helpText(declarations: readonly Declaration<Flags>[], command: Declaration<Flags> | null, version: string, width: number): Promise<string> {
  let app = yargs([])
    .scriptName('kubectl sticky')
    .usage('Show and change HAProxy sticky sessions of Voyager ingress backends.\n\nUsage: $0 <command> [flags]')
    .option('v', { ...yargsOption('v', GLOBAL_FLAGS.v), global: true })
    .version(false)
    .option('version', { type: 'boolean', describe: `Show the version (${version})`, global: false })
    .alias('h', 'help')
    .exitProcess(false)
    .wrap(width);
  for (const d of declarations) {
    const { min, max, usage } = d.positionals;
    const positional = `${min > 0 ? '<' : '['}TARGET${max > 1 ? '..' : ''}${min > 0 ? '>' : ']'}`;
    app = app.command(`${d.name} ${positional}`, d.summary, (y) => {
      let out = register(y.positional('TARGET', { type: 'string', describe: usage }), { ...d.flags, ...GLOBAL_FLAGS });
      for (const example of d.examples) out = out.example(`$0 ${example.command}`, example.describe);
      return out;
    });
  }
  return new Promise((resolve, reject) => {
    void app.parse(command ? [command.name, '--help'] : ['--help'], {}, (error, _argv, output) => (error ? reject(error) : resolve(output)));
  });
}
