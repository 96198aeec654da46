// Entry point: the process's Io and the real API client, handed to main(). Commands load their
// code only when they run, so --help and --version never load the Kubernetes client.
// No top-level await: the self-contained executables bundle this file as CommonJS.

import { basename } from 'node:path';
import { isCompleterName } from '../src/cli/completion-install.ts';
import { errorLine } from '../src/errors.ts';
import { main } from '../src/cli/app.ts';
import { processIo, realConnect } from '../src/cli/io.ts';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
// Made by scripts/build.ts: the help texts at the usual terminal widths (see helpTexts there).
declare const __HELP_TEXTS__: Record<string, string> | undefined;
const HELP_TEXTS = typeof __HELP_TEXTS__ === 'object' ? __HELP_TEXTS__ : undefined;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`error: kubectl-sticky needs Node.js 22.19 or later; this is ${process.version}\n`);
  process.exit(1);
}

// Never a stack trace: anything that escapes a command (a bug) still ends as one error line.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(`${errorLine(error)}\n`);
    process.exit(1);
  });
}

/** One command line through main() with the process's Io; the build's warm-up (scripts/build.ts warmCodeCache) runs several in one process. */
export function run(words: readonly string[]): Promise<number> {
  return main(
    words,
    { io: processIo, connect: realConnect, env: process.env },
    { version: VERSION, width: Math.min(110, process.stdout.columns || 100), helpTexts: HELP_TEXTS },
  );
}

// Called as kubectl_complete-sticky (the link `completion install` makes), every word is for completion.
const words = isCompleterName(basename(process.argv0)) ? ['__complete', ...process.argv.slice(2)] : process.argv.slice(2);
void run(words).then((code) => {
  process.exitCode = code;
  // Done: do not wait for sockets left behind. A request that ran out of --request-timeout
  // during a TLS handshake leaves undici's connect pending until its own 10s timeout.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
