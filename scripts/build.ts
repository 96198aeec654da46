// Bundles the plugin for a fast start: dist/kubectl-sticky, the launcher, and in dist/lib/ the
// bundle (sticky-main.cjs), the V8 code cache of a run of it (sticky-main.cache, see cmd/launch.ts)
// and after live commands against a stand-in server (sticky-main-live.cache), and the Kubernetes
// client library (sticky-kube.cjs, with its cache sticky-kube.cache), which only live commands load; and
// dist/kubectl_complete-sticky, which kubectl runs for `kubectl sticky <TAB>` (see COMPLETE_SCRIPT).
// The launcher's first lines are a sh/JS polyglot: as a shell script it finds a Node.js >= 22.19
// (the project's own node_modules/.bin/node, then $KUBECTL_STICKY_NODE, then PATH) and re-runs
// itself with it, since the system Node may be older; as JavaScript they are a string and a comment.
// The shell part also turns on Node's compile cache (in its default place under TMPDIR), for the
// client library (and the bundle, when V8 rejects lib/'s cache): bench: --version 122 -> 82 ms.

import { build, type Plugin } from 'esbuild';
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBE_CACHE, KUBE_LIBRARY, LIB_DIR, MAIN, MAIN_CACHE, MAIN_LIVE_CACHE, type Ready } from '../cmd/launch.ts';

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

/** The plural of a kind, as its API path names it. */
const pluralOf = (kind: string) => (kind === 'Endpoints' ? 'endpoints' : kind === 'Ingress' ? 'ingresses' : `${kind.toLowerCase()}s`);

/**
 * A stand-in API server over plain HTTP for the warm-up: discovery of voyager.appscode.com, and GET,
 * list and PATCH (answered with the object unchanged) of the objects of examples/seed/; selectors
 * are ignored. Enough for live commands to run their whole way once.
 */
async function seedApiServer(): Promise<{ url: string; close: () => void }> {
  const dir = join(root, 'examples', 'seed');
  const objects = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as SeedObject));
  const notFound = (message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message });
  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/apis/voyager.appscode.com') {
      const version = { groupVersion: 'voyager.appscode.com/v1beta1', version: 'v1beta1' };
      send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: 'voyager.appscode.com', versions: [version], preferredVersion: version });
      return;
    }
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!m) return send(res, 404, notFound('the server could not find the requested resource'));
    const [, group = '', namespace, plural, name] = m;
    const items = objects.filter(
      (o) =>
        (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '') === group &&
        pluralOf(o.kind) === plural &&
        (!namespace || o.metadata.namespace === namespace) &&
        (!name || o.metadata.name === name),
    );
    if (!name) return send(res, 200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
    if (items[0]) return send(res, 200, items[0]);
    send(res, 404, notFound(`${plural} "${name}" not found`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface SeedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Live commands the live caches are made after: a Service's and an Ingress's change, status. */
const WARM_LIVE = [['enable', 'svc/s1', '--dry-run=server'], ['enable', 'ingress/test-ingress', '--dry-run=server'], ['status'], ['status', '-o', 'json']];

/**
 * The V8 code caches of the bundle after a run of `status -f examples/seed/` (the heaviest command
 * that needs no cluster), written to `out`; with `live`, of the bundle after the WARM_LIVE
 * commands against seedApiServer (`live.main`) and of the Kubernetes client library after them
 * (`live.kube`). Each is made in a child Node the way cmd/launch.ts runs them; the live commands
 * run in one process through the entry's run().
 */
export async function warmCodeCache(bundle: string, out: string, live?: { main: string; kube: string }): Promise<void> {
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
        "const more = JSON.parse(process.env.STICKY_WARM_MORE ?? '[]');",
        'const kube = { script: undefined };',
        'const require = withKubeLibrary(createRequire(file), dirname(file), () => undefined, (script) => { kube.script = script; });',
        'const exit = process.exit.bind(process);',
        'const write = () => {',
        '  writeFileSync(process.env.STICKY_CACHE_OUT, script.createCachedData());',
        '  if (process.env.STICKY_KUBE_OUT && kube.script) writeFileSync(process.env.STICKY_KUBE_OUT, kube.script.createCachedData());',
        '};',
        // The entry exits when its command is done: the next ones run instead, then the caches are written.
        'process.exit = () => {',
        '  process.exit = exit;',
        '  (async () => { for (const words of more) await module.exports.run(words); write(); exit(0); })();',
        '};',
        "const { script, module } = runBundle({ file, source: readFileSync(file, 'utf8'), cache: undefined, require });",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'warm-code-cache.ts',
    },
    format: 'cjs',
    write: false,
  });
  const input = maker.outputFiles?.[0]?.text ?? '';
  const run = (args: readonly string[], env: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-', ...args], {
        cwd: root,
        stdio: ['pipe', 'ignore', 'ignore'],
        env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1', ...env },
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`warm-up ${args.join(' ')}: exit ${code}`))));
      child.stdin.end(input);
    });
  await run(['status', '-f', join(root, 'examples', 'seed')], { STICKY_CACHE_OUT: out });
  if (!live) return;
  const server = await seedApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'sticky-warm-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `{"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "seed", "cluster": {"server": "${server.url}"}}], "users": [{"name": "seed", "user": {"token": "warm-up"}}], "contexts": [{"name": "seed", "context": {"cluster": "seed", "user": "seed", "namespace": "default"}}], "current-context": "seed"}\n`,
    );
    const [first = [], ...more] = WARM_LIVE;
    await run(first, { KUBECONFIG: kubeconfig, STICKY_WARM_MORE: JSON.stringify(more), STICKY_CACHE_OUT: live.main, STICKY_KUBE_OUT: live.kube });
  } finally {
    server.close();
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
  await warmCodeCache(main, join(lib, MAIN_CACHE), { main: join(lib, MAIN_LIVE_CACHE), kube: join(lib, KUBE_CACHE) });
}

if (import.meta.main) {
  const outfile = join(root, 'dist', 'kubectl-sticky');
  await buildBundle(outfile);
  console.error(`built ${outfile}`);
}
