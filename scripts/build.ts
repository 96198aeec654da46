// Bundles the plugin for a fast start: dist/kubectl-sticky, the launcher, and in dist/lib/ the
// bundle (sticky-main.cjs), the V8 code cache of a run of it (sticky-main.cache, see cmd/launch.ts)
// and the Kubernetes client library (sticky-kube.cjs, with its code cache sticky-kube.cache), which only live commands load; and
// dist/kubectl_complete-sticky, which kubectl runs for `kubectl sticky <TAB>` (see COMPLETE_SCRIPT).
// The launcher's first lines are a sh/JS polyglot: as a shell script it finds a Node.js >= 22.19
// (the project's own node_modules/.bin/node, then $KUBECTL_STICKY_NODE, then PATH) and re-runs
// itself with it, since the system Node may be older; as JavaScript they are a string and a comment.
// The shell part also turns on Node's compile cache (in its default place under TMPDIR), for the
// client library (and the bundle, when V8 rejects lib/'s cache): bench: --version 122 -> 82 ms.

import { build, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KUBE_CACHE, KUBE_LIBRARY, LIB_DIR, MAIN, MAIN_CACHE, type Ready } from '../cmd/launch.ts';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/**
 * V8 options of every start (the launcher's and the SEA's). A young generation of at most 4 MB per
 * semi-space: V8 grows it up to 16 MB or more while `status -A` parses pages of JSON, and that
 * is resident memory (bench, full scale: peak RSS of status -A 310 -> 207 MiB, of -o wide 330 ->
 * 250 MiB; wall time unchanged within the noise). V8 accepts the code caches made without it.
 */
export const NODE_OPTIONS = ['--max-semi-space-size=4'];

const launcher = [
  '#!/bin/sh',
  `":" //; s=$(readlink -f "$0" 2>/dev/null || echo "$0"); [ -n "$NODE_DISABLE_COMPILE_CACHE" ] || export NODE_COMPILE_CACHE="\${NODE_COMPILE_CACHE:-\${TMPDIR:-/tmp}/node-compile-cache}"; for n in "$KUBECTL_STICKY_NODE" "$(dirname "$s")/../node_modules/.bin/node" "$(command -v node)"; do if [ -n "$n" ] && [ -x "$n" ]; then exec "$n" ${NODE_OPTIONS.join(' ')} "$s" "$@"; fi; done; echo "error: kubectl-sticky needs Node.js 22.19 or later on PATH" >&2; exit 1`,
].join('\n');

export const bundleOptions = {
  entryPoints: [join(root, 'cmd/kubectl-sticky.ts')],
  bundle: true,
  platform: 'node' as const,
  target: 'node22',
  minify: true,
  keepNames: false,
  legalComments: 'none' as const,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Optional native speed-ups that client-node's dependencies try to require; absent is fine.
  external: ['bufferutil', 'utf-8-validate', 'encoding', 'supports-color'],
  logLevel: 'warning' as const,
  // import() of a built-in (node:sea, node:os) becomes require(): the bundle runs in a vm.Script
  // (cmd/launch.ts), where import() needs vm's USE_MAIN_CONTEXT_DEFAULT_LOADER, and that prints
  // Node's ExperimentalWarning on every use (completion install, kubeconfig names).
  supported: { 'dynamic-import': false },
};

/** What the CommonJS bundles define for ESM's import.meta (the SEA's bundle too). */
export const cjsDefine = { 'import.meta.url': '__stickyImportMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' };

/** Terminal widths whose help texts the bundle holds ready (cmd/kubectl-sticky.ts: min(110, columns || 100)). */
const HELP_WIDTHS = [80, 100, 110];

/**
 * The help texts (`--help` of the plugin and of each command) at HELP_WIDTHS, keyed
 * `COMMAND WIDTH` ('' for the plugin), laid out here by the same code the bundle runs
 * (src/cli/help.ts): the bundle and the launcher then print them without laying anything out.
 */
export async function helpTexts(): Promise<Record<string, string>> {
  const [{ helpText }, { DECLARATIONS, OTHER_COMMANDS }] = await Promise.all([import('../src/cli/help.ts'), import('../src/cli/commands.ts')]);
  const out: Record<string, string> = {};
  for (const width of HELP_WIDTHS) for (const d of [null, ...DECLARATIONS]) out[`${d?.name ?? ''} ${width}`] = helpText(DECLARATIONS, d, OTHER_COMMANDS, width);
  return out;
}

/**
 * Leaves @kubernetes/client-node (with its dependencies, 1.4 of the 1.9 MB) out of the bundle, for
 * the file of its own beside it: a start then reads, hashes and deserializes the compile cache of
 * a 0.5 MB file, not of all 1.9 MB (bench: --version 55 -> 49 ms, status -f 100 -> 92 ms, on a busy
 * machine). Only the library moves: our modules stay in one bundle, so `instanceof` of our error
 * classes holds everywhere. Only src/kube imports it, so only a connecting command loads it.
 */
const kubeLibraryApart: Plugin = {
  name: 'kube-library-apart',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: `./${KUBE_LIBRARY}`, external: true }));
  },
};

/**
 * What the library file exports: the values src/kube imports from it (types are erased), so that
 * esbuild drops the rest of it as it does in one bundle.
 */
function kubeLibraryExports(): string[] {
  const names = new Set<string>();
  const dir = join(root, 'src', 'kube');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@kubernetes\/client-node'/g)) {
      for (const part of (m[1] ?? '').split(',')) {
        const name = part.trim();
        if (name && !name.startsWith('type ')) names.add(name);
      }
    }
  }
  return [...names].sort();
}

/**
 * KubeConfig is what src/kube takes from client-node: the kubeconfig model and applyToHTTPSOptions
 * (TLS material, tokens, exec plugins, auth providers, proxy agents), all over node:https. The
 * library's index also brings the generated API clients (16 MB of source) and undici (1.6 MB),
 * which client-node's config.js imports only for makeApiClient and its fetch dispatchers; neither
 * is called here. So the library is built from config.js, with those two imports replaced by stubs
 * that fail loudly if ever used. Loading it fell from 115 to about 45 ms, the start of every live
 * command (bench: enable svc/X --dry-run=server).
 */
const KUBE_CONFIG_MODULE = '@kubernetes/client-node/dist/config.js';
const kubeConfigOnly: Plugin = {
  name: 'kube-config-only',
  setup(b) {
    const fromConfig = (importer: string) => /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(importer);
    b.onResolve({ filter: /^(\.\/gen\/index\.js|undici)$/ }, (args) => (fromConfig(args.importer) ? { path: args.path, namespace: 'kube-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'kube-stub' }, (args) => {
      const names = args.path === 'undici' ? ['Agent', 'ProxyAgent'] : ['ServerConfiguration'];
      const fail = `throw new Error('kubectl-sticky: ${args.path} of @kubernetes/client-node is not bundled (scripts/build.ts kubeConfigOnly)')`;
      const classes = names.map((name) => `export class ${name} { constructor() { ${fail}; } }`).join('\n');
      const functions = args.path === 'undici' ? '' : `export function createConfiguration() { ${fail}; }`;
      return { contents: `${classes}\n${functions}`, loader: 'js' };
    });
  },
};

const CJS_BANNER = `const __stickyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`;

/**
 * A connecting command with nowhere to connect to (port 1 refuses): it loads the Kubernetes client
 * library, reads the kubeconfig and applies its credentials, as every live command starts.
 */
const DEAD_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]
users: [{name: none, user: {token: warm-up}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: default}}]
current-context: none
`;

/**
 * The V8 code caches of the bundle after a run of `status -f examples/seed/` (the heaviest command
 * that needs no cluster), written to `out`, and of the Kubernetes client library after a live
 * command's start, written to `kubeOut`; each made in a child Node the way cmd/launch.ts runs them.
 */
export async function warmCodeCache(bundle: string, out: string, kubeOut?: string): Promise<void> {
  const maker = await build({
    ...bundleOptions,
    entryPoints: undefined,
    stdin: {
      contents: [
        "import { readFileSync, writeFileSync } from 'node:fs';",
        "import { createRequire } from 'node:module';",
        "import { dirname } from 'node:path';",
        "import { runBundle, withKubeLibrary } from './cmd/launch.ts';",
        `const file = ${JSON.stringify(bundle)};`,
        'const out = process.env.STICKY_CACHE_OUT;',
        'const kube = { script: undefined };',
        'const require = withKubeLibrary(createRequire(file), dirname(file), () => undefined, (script) => { kube.script = script; });',
        "const { script } = runBundle({ file, source: readFileSync(file, 'utf8'), cache: undefined, require });",
        "process.on('exit', () => writeFileSync(out, (process.env.STICKY_CACHE_OF === 'kube' ? kube.script : script).createCachedData()));",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'warm-code-cache.ts',
    },
    format: 'cjs',
    write: false,
  });
  const input = maker.outputFiles?.[0]?.text ?? '';
  const run = (args: string[], env: Record<string, string>) =>
    execFileSync(process.execPath, ['-', ...args], {
      input,
      cwd: root,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1', ...env },
    });
  run(['status', '-f', join(root, 'examples', 'seed')], { STICKY_CACHE_OUT: out });
  if (!kubeOut) return;
  const dir = mkdtempSync(join(tmpdir(), 'sticky-warm-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, DEAD_KUBECONFIG);
    // It fails (connection refused), as it should: the library has done its part by then.
    try {
      run(['status', '--kubeconfig', kubeconfig, '--request-timeout', '5s'], { STICKY_CACHE_OUT: kubeOut, STICKY_CACHE_OF: 'kube' });
    } catch {}
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What cmd/launch.ts answers itself: the version and the plugin's help texts. */
export function readyAnswers(texts: Record<string, string>): Ready {
  const help = Object.fromEntries(Object.entries(texts).flatMap(([key, text]) => (key.startsWith(' ') ? [[key.slice(1), text]] : [])));
  return { version: pkg.version, help };
}

// The completion script of a source checkout (npm run build writes it beside dist/kubectl-sticky):
// the launcher re-executes Node on its own resolved path, so a link named kubectl_complete-sticky
// would lose its name (process.argv0 is node); this script passes __complete instead.

/** Follows the symbolic links from $0 with a `readlink` loop (old macOS has no `readlink -f`). Leaves the real directory in $dir. */
const RESOLVE_SELF = [
  'self=$0',
  'case $self in */*) ;; *) self=$(command -v -- "$self") ;; esac',
  'while [ -L "$self" ]; do',
  '  link=$(readlink "$self")',
  '  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac',
  'done',
  'dir=$(cd "$(dirname "$self")" && pwd -P)',
].join('\n');

/** dist/\`kubectl_complete-sticky\`: kubectl runs it for \`kubectl sticky <TAB>\`, in a source checkout. */
export const COMPLETE_SCRIPT = `#!/bin/sh
# kubectl runs this for \`kubectl sticky <TAB>\` (kubectl 1.26+): it asks kubectl-sticky, the
# one beside this file's real path, else the one on PATH.
${RESOLVE_SELF}
if [ -x "$dir/kubectl-sticky" ]; then exec "$dir/kubectl-sticky" __complete "$@"; fi
exec kubectl-sticky __complete "$@"
`;

export function writeCompleteScript(dir: string): string {
  const path = join(dir, 'kubectl_complete-sticky');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, COMPLETE_SCRIPT);
  chmodSync(path, 0o755);
  return path;
}

/**
 * The bundle: CommonJS, because esbuild hoists Node built-in imports of an ESM bundle to its top,
 * so even --version would load node:tls and friends for the Kubernetes client; in CommonJS they
 * stay inside the lazily evaluated modules (measured: --version 0.10 s instead of 0.15 s).
 * A package.json beside the launcher says "commonjs", since the repository's own says "module".
 */
export async function buildBundle(launcherFile: string): Promise<void> {
  const dist = dirname(launcherFile);
  const lib = join(dist, LIB_DIR);
  mkdirSync(lib, { recursive: true });
  const main = join(lib, MAIN);
  const texts = await helpTexts();
  await build({
    ...bundleOptions,
    outfile: main,
    format: 'cjs',
    define: { ...bundleOptions.define, ...cjsDefine, __HELP_TEXTS__: JSON.stringify(texts) },
    banner: { js: CJS_BANNER },
    plugins: [kubeLibraryApart],
  });
  await build({
    ...bundleOptions,
    entryPoints: undefined,
    stdin: {
      contents: `export { ${kubeLibraryExports().join(', ')} } from '${KUBE_CONFIG_MODULE}';`,
      resolveDir: root,
      sourcefile: 'kube-library.ts',
      loader: 'ts',
    },
    outfile: join(lib, KUBE_LIBRARY),
    plugins: [kubeConfigOnly],
    format: 'cjs',
    define: { ...bundleOptions.define, ...cjsDefine },
    banner: { js: CJS_BANNER },
  });
  await build({
    ...bundleOptions,
    entryPoints: undefined,
    stdin: {
      contents: `require('./cmd/launch.ts').launch(__filename, ${JSON.stringify(readyAnswers(texts))});`,
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'launcher.ts',
    },
    outfile: launcherFile,
    format: 'cjs',
    banner: { js: launcher },
  });
  chmodSync(launcherFile, 0o755);
  writeFileSync(join(dist, 'package.json'), '{"type": "commonjs"}\n');
  writeCompleteScript(dist);
  await warmCodeCache(main, join(lib, MAIN_CACHE), join(lib, KUBE_CACHE));
}

if (import.meta.main) {
  const outfile = join(root, 'dist', 'kubectl-sticky');
  await buildBundle(outfile);
  console.error(`built ${outfile}`);
}
