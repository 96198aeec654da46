// `kubectl sticky completion install|uninstall`: kubectl (1.26+) completes `kubectl sticky <TAB>`
// by running `kubectl_complete-sticky` from PATH, and krew links only `kubectl-sticky` into its
// bin folder. install puts `kubectl_complete-sticky` beside the `kubectl-sticky` that kubectl runs
// (on krew: $KREW_ROOT/bin), as a relative link to that `kubectl-sticky`: the executable answers
// completion when called by that name, and the link keeps working across `krew upgrade`, which
// only re-points krew's own link. On Windows, where links need privileges, a .cmd file instead.
// uninstall removes only what install made, so it must run before `kubectl krew uninstall sticky`.
//
// Everything goes through the PATH and executable path given, so tests run it on folders of their own.

import { lstatSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Io } from './io.ts';

export interface CompletionEnv {
  /** PATH, as the shell that runs kubectl has it. */
  path: string;
  /** The running executable. */
  self: string;
  windows: boolean;
}

export const COMPLETER = 'kubectl_complete-sticky';
const CMD_MARKER = '@rem made by `kubectl sticky completion install`; `kubectl sticky completion uninstall` removes it';
const cmdFile = `@echo off\r\n${CMD_MARKER}\r\n"%~dp0kubectl-sticky.exe" __complete %*\r\n`;

/** Whether a program name is the completer's, so the executable answers completion. */
export const isCompleterName = (name: string): boolean => /^kubectl_complete-sticky(\.exe)?$/i.test(name);

class CompletionError extends Error {}

const realpath = (path: string): string | null => {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
};

/** The folder of the first `kubectl-sticky` on PATH (the one kubectl runs); it must be this executable. */
export function pluginDir(env: CompletionEnv): string {
  const name = env.windows ? 'kubectl-sticky.exe' : 'kubectl-sticky';
  const self = realpath(env.self);
  for (const dir of env.path.split(delimiter).filter(Boolean)) {
    const found = realpath(join(dir, name));
    if (!found) continue;
    if (found !== self)
      throw new CompletionError(`${join(dir, name)} is first on PATH but is not this kubectl-sticky (${env.self}); run that one's completion install`);
    return dir;
  }
  throw new CompletionError(
    `${name} is not on PATH: kubectl would not find it either (after \`kubectl krew install\`, add \${KREW_ROOT:-$HOME/.krew}/bin to PATH)`,
  );
}

type Found = { kind: 'none' } | { kind: 'ours' } | { kind: 'other'; what: string };

function inspect(file: string, windows: boolean): Found {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(file);
  } catch {
    return { kind: 'none' };
  }
  if (windows) return stat.isFile() && readFileSync(file, 'utf8').includes(CMD_MARKER) ? { kind: 'ours' } : { kind: 'other', what: 'a file' };
  if (stat.isSymbolicLink()) {
    const target = readlinkSync(file);
    return target === 'kubectl-sticky' ? { kind: 'ours' } : { kind: 'other', what: `a link to ${target}` };
  }
  return { kind: 'other', what: stat.isFile() ? 'a file' : 'not a file' };
}

const completerPath = (dir: string, windows: boolean): string => join(dir, windows ? `${COMPLETER}.cmd` : COMPLETER);

/** Makes the completer; returns its path. Does nothing if it is there already. */
export function installCompletion(env: CompletionEnv): { file: string; created: boolean } {
  const file = completerPath(pluginDir(env), env.windows);
  const found = inspect(file, env.windows);
  if (found.kind === 'ours') return { file, created: false };
  if (found.kind === 'other')
    throw new CompletionError(`${file} exists (${found.what}) and was not made by this command: remove it, then run completion install again`);
  if (env.windows) writeFileSync(file, cmdFile);
  else symlinkSync('kubectl-sticky', file);
  return { file, created: true };
}

/** Removes the completer install made; returns its path, or null if there was none. */
export function uninstallCompletion(env: CompletionEnv): { file: string; removed: boolean } {
  const file = completerPath(pluginDir(env), env.windows);
  const found = inspect(file, env.windows);
  if (found.kind === 'other') throw new CompletionError(`${file} (${found.what}) was not made by completion install: left alone`);
  if (found.kind === 'ours') rmSync(file);
  return { file, removed: found.kind === 'ours' };
}

/** The command: prints what it did; errors are one line and exit 1. */
export function runCompletionInstall(action: string, env: CompletionEnv, io: Io): number {
  try {
    if (action === 'install') {
      const { file, created } = installCompletion(env);
      io.out(created ? `completion installed: ${file}` : `completion already installed: ${file}`);
      io.out('kubectl sticky <TAB> now completes (kubectl 1.26+, with kubectl completion set up in the shell).');
      io.out('Run `kubectl sticky completion uninstall` before `kubectl krew uninstall sticky`.');
    } else if (action === 'uninstall') {
      const { file, removed } = uninstallCompletion(env);
      io.out(removed ? `completion uninstalled: ${file} removed` : `completion not installed: no ${file}`);
    } else {
      throw new CompletionError(`unknown action "${action}": use install or uninstall`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof CompletionError) && !(error instanceof Error && 'code' in error)) throw error;
    io.err(`error: ${error.message}`);
    return 1;
  }
}

/** The environment of this process. In a source checkout the executable is Node running a bundle, so this needs the single executable. */
export async function processCompletionEnv(): Promise<CompletionEnv> {
  const { isSea } = await import('node:sea');
  if (!isSea()) {
    throw new CompletionError(
      'completion install is for the self-contained kubectl-sticky (a krew install or a release archive); from a source checkout, npm run build makes dist/kubectl_complete-sticky: put dist/ on PATH',
    );
  }
  return { path: process.env['PATH'] ?? '', self: process.execPath, windows: process.platform === 'win32' };
}

export async function runCompletionCommand(action: string, io: Io): Promise<number> {
  try {
    return runCompletionInstall(action, await processCompletionEnv(), io);
  } catch (error) {
    if (!(error instanceof CompletionError)) throw error;
    io.err(`error: ${error.message}`);
    return 1;
  }
}
