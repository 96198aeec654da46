// Entry point. Builds the yargs app and loads a command's code only when it runs, so --help and
// --version never load the Kubernetes client.

import { basename } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { errorLine } from '../src/errors.ts';
import { clusterOptions, semanticsOptions, sourceOptions } from '../src/cli/flags.ts';
import { processIo } from '../src/cli/io.ts';
import { isCompleterName } from '../src/cli/completion-install.ts';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`error: kubectl-sticky needs Node.js 22.19 or later; this is ${process.version}\n`);
  process.exit(1);
}

let exitCode = 0;

// Never a stack trace: anything that escapes a command (a bug) still ends as one error line.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(`${errorLine(error)}\n`);
    process.exit(1);
  });
}

/** Runs a command; errors print one line and exit with at least `minimumErrorCode`. */
async function run(task: () => Promise<number>, minimumErrorCode = 1): Promise<void> {
  try {
    exitCode = await task();
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    const code = typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : 1;
    exitCode = Math.max(code, minimumErrorCode);
  }
}

const statusCommand = (y: Argv) =>
  sourceOptions(y)
    .positional('targets', { type: 'string', array: true, default: [] as string[], describe: 'ingress/NAME or svc/NAME filters' })
    .option('output', { alias: 'o', type: 'string', describe: 'Output format: wide, json or yaml' })
    .option('selector', { alias: 'l', type: 'string', describe: 'Only Ingresses with these labels (a=b,c!=d)' })
    .option('headers', { type: 'boolean', default: true, describe: 'Print column headers (--no-headers to omit)' })
    .option('deployed', { type: 'boolean', default: false, describe: 'Compare with the deployed haproxy.cfg (DEPLOYED column, "deployed" in JSON); on with -o wide' })
    .example('$0 status -A', 'every backend in every namespace')
    .example('$0 status -f examples/seed/', 'judge manifest files, no cluster needed')
    .example('$0 status svc/s1 -o wide', 'the backends that point at Service s1');

/** yargs drops a bare `-` after an array flag; kubectl's `-f -` means stdin, so join them. */
function joinStdinFlag(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if ((arg === '-f' || arg === '--filename') && argv[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else out.push(arg);
  }
  return out;
}

const mutateCommand = (action: 'enable' | 'disable') => (y: Argv) =>
  semanticsOptions(clusterOptions(y))
    .positional('targets', { type: 'string', array: true, default: [] as string[], describe: 'svc/NAME or ingress/NAME' })
    .option('dry-run', { type: 'string', describe: 'none, client or server; a bare --dry-run means client. Prints the object and HAProxy config diffs' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'Replace an annotation that already has a different value' })
    .option('resource-version', { type: 'string', describe: 'Write only if the object still has this resourceVersion (one target only)' })
    .option('field-manager', { type: 'string', default: 'kubectl-sticky', describe: 'Name of the manager that owns the written fields' })
    .option('output', { alias: 'o', type: 'string', describe: 'Output format: name, json or yaml' })
    .option('cookie-name', { type: 'string', describe: 'Cookie name (enable; where the Voyager version reads it from this object)', hidden: action === 'disable' })
    .option('cookie-hash', { type: 'string', describe: 'Cookie value hash: md5, sha (SHA-512) or index (enable)', hidden: action === 'disable' })
    .option('purge', { type: 'boolean', default: false, describe: 'Also remove the cookie name and hash annotations (disable)', hidden: action === 'enable' })
    .example(`$0 ${action} svc/s1 --dry-run`, 'show what would change, in the object and in HAProxy');

const cli = yargs(joinStdinFlag(hideBin(process.argv)))
  .scriptName('kubectl sticky')
  .usage('Show and change HAProxy sticky sessions of Voyager ingress backends.\n\nUsage: $0 <command> [flags]')
  .option('v', {
    type: 'number',
    global: true,
    describe: "Log level, as kubectl's -v: 6 logs each API request (method, URL, status, time) to stderr, 8 also the request headers (credentials masked)",
  })
  .command(
    'status [targets..]',
    'Show the effective sticky state of every backend, why, and what looks wrong',
    statusCommand,
    (args) => run(async () => (await import('../src/cli/status.ts')).runStatus(args as never, processIo)),
  )
  .command(
    'render <target>',
    'Print the HAProxy backend sections Voyager writes for an Ingress; --deployed diffs them with the running config',
    (y: Argv) =>
      sourceOptions(y)
        .positional('target', { type: 'string', describe: 'ingress/NAME', demandOption: true })
        .option('deployed', { type: 'boolean', default: false, describe: 'Diff the sticky lines of ConfigMap voyager-NAME (haproxy.cfg) against the computed ones; exit 0 same, 1 different, 2 error' })
        .example('$0 render ingress/web --deployed', 'does HAProxy run what the annotations say?'),
    (args) =>
      run(async () => (await import('../src/cli/render.ts')).runRender(args as never, processIo), (args as { deployed?: boolean }).deployed === true ? 2 : 1),
  )
  .command(
    'enable [targets..]',
    'Make backends sticky: write the annotation the Voyager version reads',
    mutateCommand('enable'),
    (args) => run(async () => (await import('../src/cli/mutate.ts')).runMutate('enable', args as never, processIo)),
  )
  .command(
    'disable [targets..]',
    'Stop stickiness: remove every annotation that turns it on in any Voyager version',
    mutateCommand('disable'),
    (args) => run(async () => (await import('../src/cli/mutate.ts')).runMutate('disable', args as never, processIo)),
  )
  .command(
    'completion <action>',
    'Make `kubectl sticky <TAB>` complete: install (or uninstall) kubectl_complete-sticky beside this plugin',
    (y: Argv) => y.positional('action', { type: 'string', choices: ['install', 'uninstall'], demandOption: true }),
    (args) => run(async () => (await import('../src/cli/completion-install.ts')).runCompletionCommand(String(args['action']), processIo)),
  )
  .demandCommand(1, 'error: a command is required (status, render, enable, disable, completion)')
  // kubectl's -f takes one value per flag (-f a -f b); a greedy array would eat the TARGETs after it.
  .parserConfiguration({ 'greedy-arrays': false })
  .strict()
  .recommendCommands()
  .version(VERSION)
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`error: ${kubectlWording(message)}\nSee 'kubectl sticky --help' for usage.\n`);
    // render --deployed answers like kubectl diff: 1 means "different", so errors are 2.
    process.exit(process.argv.includes('--deployed') && process.argv.includes('render') ? 2 : 1);
  });

/** yargs' messages, in kubectl's words. */
function kubectlWording(message: string): string {
  if (message.startsWith('Not enough non-option arguments')) return 'an Ingress is required: kubectl sticky render ingress/NAME';
  const unknown = /^Unknown arguments?: ([^,]*)/.exec(message);
  if (!unknown) return message.replace(/^error: /, '');
  const word = unknown[1] ?? '';
  const asFlag = hideBin(process.argv).find((arg) => {
    const name = arg.replace(/^-+/, '').split('=')[0];
    return arg.startsWith('-') && (name === word || name === `no-${word}`);
  });
  return asFlag ? `unknown flag: ${asFlag.split('=')[0]}` : `unknown command "${word}" for "kubectl sticky"`;
}

// kubectl's plugin completion runs `kubectl_complete-sticky WORDS... PARTIAL`, which runs
// `kubectl-sticky __complete WORDS... PARTIAL` (hidden; see src/cli/complete.ts).
// No top-level await here: the self-contained executables bundle this file as CommonJS.
// Called as kubectl_complete-sticky (the link `completion install` makes), every word is for completion.
const words = hideBin(process.argv);
const asCompleter = isCompleterName(basename(process.argv0));
if (asCompleter || words[0] === '__complete') {
  void import('../src/cli/complete.ts').then(({ runComplete }) => runComplete(asCompleter ? words : words.slice(1)));
} else {
  void cli.parseAsync().then(() => {
    process.exitCode = exitCode;
    // Done: do not wait for sockets left behind. A request that ran out of --request-timeout
    // during a TLS handshake leaves undici's connect pending until its own 10s timeout.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
  });
}
