// What starts the bundle: the JavaScript of dist/kubectl-sticky after its sh lines, and the main
// script of the self-contained executables (scripts/build.ts and package.ts bundle it). It runs
// the bundle from a V8 code cache made at build time after a run of `status -f examples/seed/`.
// Why not Node's compile cache: that holds only what V8 compiles before a script runs (the top
// level of each module); every other function is compiled on its first call, at every start. A
// cache taken after a run holds those functions too (bench: status -f 76 -> 61 ms, --version 47
// -> 41 ms). A cache that V8 rejects (another Node build, say $KUBECTL_STICKY_NODE) costs only the
// compile. No top-level code: this module is imported by the build too.

import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { isCompleterName } from '../src/cli/completion-install.ts';

/** Beside dist/kubectl-sticky: the bundle, its code cache, the Kubernetes client library. Not kubectl-*: kubectl would take them for plugins. */
export const LIB_DIR = 'lib';
export const MAIN = 'sticky-main.cjs';
export const MAIN_CACHE = 'sticky-main.cache';
/** The bundle's code cache after live commands (against the build's stand-in server): what the rest of the commands start from. */
export const MAIN_LIVE_CACHE = 'sticky-main-live.cache';
/** The Kubernetes client library, which the bundle requires by this relative path, and its code cache. */
export const KUBE_LIBRARY = 'sticky-kube.cjs';
export const KUBE_CACHE = 'sticky-kube.cache';
/** The names of the bundle and its cache among a single executable's assets. */
export const SEA_MAIN = 'kubectl-sticky.cjs';
export const SEA_CACHE = 'kubectl-sticky.cache';

export interface Bundle {
  /** Its path, for __filename and stack traces. */
  file: string;
  source: string;
  cache: Buffer | undefined;
  require: NodeJS.Require;
}

/**
 * Runs a CommonJS bundle as Node's loader runs a file: the same function wrapper, its own module
 * object and require. The bundle holds no import() (scripts/build.ts makes them require()), so the
 * script needs no importModuleDynamically, whose only loader prints an ExperimentalWarning.
 * Returns the script, whose createCachedData() after the run is the cache to make, and the module.
 */
export function runBundle(bundle: Bundle): { script: Script; module: Module } {
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${bundle.source}\n});`, {
    filename: bundle.file,
    ...(bundle.cache ? { cachedData: bundle.cache } : {}),
  });
  const module = new Module(bundle.file);
  module.filename = bundle.file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, bundle.require, module, bundle.file, dirname(bundle.file));
  return { script, module };
}

/**
 * The bundle's require, with the Kubernetes client library run from its own code cache, made
 * after a live command's start (scripts/build.ts warmCodeCache): as for the bundle, Node's
 * compile cache would hold only the library's top level, and a live start compiles the rest of
 * what it calls (the kubeconfig parser, applyToHTTPSOptions) every time. `loaded` hears of the
 * library's script (the build makes the cache from it).
 */
export function withKubeLibrary(base: NodeJS.Require, dir: string, cache: () => Buffer | undefined, loaded?: (script: Script) => void): NodeJS.Require {
  let library: Module | undefined;
  const load = (id: string): unknown => {
    if (id !== `./${KUBE_LIBRARY}`) return base(id);
    if (!library) {
      const file = join(dir, KUBE_LIBRARY);
      const run = runBundle({ file, source: readFileSync(file, 'utf8'), cache: cache(), require: createRequire(file) });
      loaded?.(run.script);
      library = run.module;
    }
    return library.exports;
  };
  return Object.assign(load, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions });
}

/**
 * What the bundle prints for `--version` and for `--help` alone, made at build time: then the
 * bundle is not even loaded (bench: --version 40 -> 30 ms, `node -e 0` taking 28).
 */
export interface Ready {
  version: string;
  /** The plugin's help text by terminal width (scripts/build.ts helpTexts). */
  help: Readonly<Record<string, string>>;
}

/** Answers `--version`, `--help` or `-h` alone as main() would; false for anything else. */
function answered(ready: Ready): boolean {
  const words = process.argv.slice(2);
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  // An old Node gets the bundle's error; the completer's words are completion's.
  if (words.length !== 1 || major < 22 || (major === 22 && minor < 19) || isCompleterName(basename(process.argv0))) return false;
  let text: string | undefined;
  if (words[0] === '--version') text = ready.version;
  else if (words[0] === '--help' || words[0] === '-h') text = ready.help[String(Math.min(110, process.stdout.columns || 100))]?.trimEnd();
  if (text === undefined) return false;
  process.stdout.write(`${text}\n`);
  return true;
}

function optionalFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The cache for these words: the offline one (status -f's) for a command on files, help and
 * completion, else the live one. A cache holds what its run compiled, and a smaller one is read
 * faster; a wrong pick costs only compiling what it lacks.
 */
function cacheFor(words: readonly string[]): string {
  const offline = ['__complete', 'completion', 'help', 'options', 'version'].includes(words[0] ?? '');
  const files = words.some((w) => w === '-f' || w.startsWith('-f=') || w.startsWith('--filename') || w === '--help' || w === '-h');
  return offline || files ? MAIN_CACHE : MAIN_LIVE_CACHE;
}

/**
 * dist/kubectl-sticky: the bundle from lib/ beside this file. `self` is this file's path (the sh
 * part execs Node on its resolved path, so lib/ is found through symbolic links too).
 */
export function launch(self: string, ready?: Ready): void {
  if (ready && answered(ready)) return;
  const file = join(dirname(self), LIB_DIR, MAIN);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    process.stderr.write(`error: cannot read ${file} (${code}): dist/kubectl-sticky needs the lib/ folder beside it\n`);
    process.exit(1);
  }
  const lib = join(dirname(self), LIB_DIR);
  const require = withKubeLibrary(createRequire(file), lib, () => optionalFile(join(lib, KUBE_CACHE)));
  runBundle({ file, source, cache: optionalFile(join(lib, cacheFor(process.argv.slice(2)))), require });
}

/**
 * A single executable: the bundle and its cache are assets of its blob (the cache made by the same
 * Node build, so only on the host's platform). Its `require` loads built-in modules only, all the
 * bundle needs. __filename is the executable, as for a SEA's main script.
 */
export function launchSea(seaRequire: NodeJS.Require, getAsset: (key: string) => ArrayBuffer, ready?: Ready): void {
  if (ready && answered(ready)) return;
  let cache: Buffer | undefined;
  try {
    cache = Buffer.from(getAsset(SEA_CACHE));
  } catch {
    cache = undefined;
  }
  runBundle({ file: process.execPath, source: Buffer.from(getAsset(SEA_MAIN)).toString('utf8'), cache, require: seaRequire });
}
