// Rewrites test/data from ../shared (the project's ground-truth folder beside the checkout), so
// that the tests need only the repository:
//
//   npm run test:data [-- --from DIR]      (DIR defaults to ../shared)
//
// - corpus/: ../shared/corpus as it is (the real Voyager manifests, their INDEX.tsv and README).
// - operator/ and operator-fuzz/: the real operators' results, smaller than the source: each case's
//   input/ once (the source repeats it per version; this fails if the copies differ), its Ingress
//   and source in cases.json, and per version one VERSION.json holding what the tests compare:
//   backends.txt (or the no-config reason) and events.txt, as lists of lines. haproxy.cfg is left out.
// The output depends only on the source (sorted names, fixed JSON layout): run twice, no diff.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const DATA = join(root, 'test', 'data');
const DATASETS = ['operator', 'operator-fuzz'] as const;

interface Meta {
  case: string;
  variant: string;
  source: string;
  ingress: { namespace: string; name: string };
  version: string;
}

/** What a test reads of one case at one version. */
interface Outcome {
  /** backends.txt split at '\n' (joined with '\n' it is the file again), when the operator wrote a config. */
  backends?: string[];
  /** The no-config file, when it wrote none. */
  noConfig?: string[];
  events: string[];
}

interface CaseIndexEntry {
  source: string;
  variant: string;
  ingress: { namespace: string; name: string };
}

const isDir = (path: string): boolean => statSync(path).isDirectory();
const sortedDir = (dir: string): string[] => readdirSync(dir).sort();
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n');
const json = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;

function write(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

function copyTree(from: string, to: string): number {
  let n = 0;
  for (const name of sortedDir(from)) {
    const source = join(from, name);
    if (isDir(source)) n += copyTree(source, join(to, name));
    else {
      write(join(to, name), readFileSync(source, 'utf8'));
      n++;
    }
  }
  return n;
}

/** The case's input files, by name. */
function inputOf(dir: string): Map<string, string> {
  return new Map(sortedDir(join(dir, 'input')).map((file) => [file, readFileSync(join(dir, 'input', file), 'utf8')]));
}

function sameInput(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([file, text]) => b.get(file) === text);
}

function refreshDataset(source: string, target: string): string {
  const versions = sortedDir(source).filter((v) => isDir(join(source, v)));
  const index: Record<string, CaseIndexEntry> = {};
  const inputs = new Map<string, Map<string, string>>();
  for (const version of versions) {
    const outcomes: Record<string, Outcome> = {};
    for (const name of sortedDir(join(source, version))) {
      const dir = join(source, version, name);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
      if (meta.version !== version) throw new Error(`${dir}: meta.json says version ${meta.version}`);
      const entry: CaseIndexEntry = { source: meta.source, variant: meta.variant, ingress: meta.ingress };
      const input = inputOf(dir);
      const seen = index[name];
      if (!seen) {
        index[name] = entry;
        inputs.set(name, input);
      } else if (JSON.stringify(seen) !== JSON.stringify(entry) || !sameInput(inputs.get(name) ?? new Map(), input)) {
        throw new Error(`${dir}: its input or meta.json differs from another version's; test/data keeps one input per case`);
      }
      const noConfig = existsSync(join(dir, 'no-config'));
      outcomes[name] = {
        ...(noConfig ? { noConfig: lines(join(dir, 'no-config')) } : { backends: lines(join(dir, 'backends.txt')) }),
        events: lines(join(dir, 'events.txt')),
      };
    }
    write(join(target, `${version}.json`), json(outcomes));
  }
  for (const [name, input] of [...inputs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [file, text] of input) write(join(target, 'cases', name, file), text);
  }
  write(join(target, 'cases.json'), json(index));
  return `${Object.keys(index).length} cases at ${versions.join(', ')}`;
}

function main(): void {
  const at = process.argv.indexOf('--from');
  const shared = resolve(at >= 0 ? (process.argv[at + 1] ?? '') : join(root, '..', 'shared'));
  if (!existsSync(join(shared, 'corpus')) || !DATASETS.every((d) => existsSync(join(shared, d)))) {
    console.error(`error: ${shared} has no corpus/, operator/ and operator-fuzz/ (give the folder with --from DIR)`);
    process.exit(1);
  }
  rmSync(join(DATA, 'corpus'), { recursive: true, force: true });
  console.log(`corpus: ${copyTree(join(shared, 'corpus'), join(DATA, 'corpus'))} files`);
  for (const dataset of DATASETS) {
    rmSync(join(DATA, dataset), { recursive: true, force: true });
    console.log(`${dataset}: ${refreshDataset(join(shared, dataset), join(DATA, dataset))}`);
  }
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) main();
