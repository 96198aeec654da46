// The -f reader: files, folders (recursive), and stdin; multi-document YAML or JSON. It only
// turns bytes into plain objects; the core decides what they mean.

import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments, type YAMLError } from 'yaml';
import { UserError } from '../errors.ts';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
// Aliases can expand a small document into billions of nodes; real manifests use few or none.
const MAX_ALIAS_COUNT = 100;

function filesUnder(path: string): string[] {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new UserError(`the path "${path}" does not exist`);
  }
  if (!stat.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(child));
    else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(child);
  }
  return out;
}

/** Parses one file's text into its documents (empty documents dropped). */
export function parseManifest(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    // logLevel 'error': the library's warnings (a collection used as a key, unknown tags) go to
    // process.emitWarning, which prints `(node:PID) Warning: ...` with raw text from the file.
    documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  } catch (error) {
    throw new UserError(`error parsing ${source}: ${firstLine(error)}`);
  }
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    const problem = document.errors[0];
    if (problem) throw new UserError(`error parsing ${source}: ${yamlError(text, problem)}`);
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      throw new UserError(`error parsing ${source}: ${firstLine(error)}`);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(`error validating "${source}": error validating data: invalid object to validate`);
    }
    out.push(value);
  }
  return out;
}

/** kubectl's wording for text that is not YAML (`-f README.md`), with the line the parser stopped at. */
function yamlError(text: string, problem: YAMLError): string {
  const line = text.slice(0, problem.pos[0]).split('\n').length;
  return `error converting YAML to JSON: yaml: line ${line}: ${firstLine(problem)}`;
}

/**
 * What kubectl's client-side validation refuses before anything else, for every document of an
 * -f set (a Helm values file has neither apiVersion nor kind; a template may lack its name):
 * without it such a document would be silently ignored or reported with no file to look in.
 */
function validate(value: object, source: string): void {
  const missing = missingFields(value);
  if (missing.length === 0) return;
  const data = missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`;
  throw new UserError(`error validating "${source}": error validating data: ${data}`);
}

function field(object: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

function missingFields(value: object): string[] {
  const set = (v: unknown) => typeof v === 'string' && v !== '';
  const missing: string[] = [];
  if (!set(field(value, 'apiVersion'))) missing.push('apiVersion not set');
  const kind = field(value, 'kind');
  if (!set(kind)) missing.push('kind not set');
  if (missing.length > 0) return missing;
  const items = field(value, 'items');
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
    return items.flatMap((item: unknown) => (typeof item === 'object' && item !== null ? missingFields(item) : ['invalid object to validate']));
  }
  const metadata = field(value, 'metadata');
  const name = typeof metadata === 'object' && metadata !== null ? field(metadata, 'name') : undefined;
  return set(name) ? [] : [`metadata.name not set (${kind})`];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').trim();
}

/** kubectl takes an -f argument starting with http:// or https:// as a URL. */
export function isUrl(path: string): boolean {
  return path.startsWith('http://') || path.startsWith('https://');
}

// The texts behind URL arguments, fetched once per process by fetchUrls.
const fetched = new Map<string, string>();

/**
 * Fetches the http(s) URLs among -f arguments (each within --request-timeout, `timeoutMs`; 0 is
 * the default bound), so that readManifests, which stays synchronous, can read them.
 */
export async function fetchUrls(paths: readonly string[], timeoutMs: number): Promise<void> {
  const urls = paths.filter((path) => isUrl(path) && !fetched.has(path));
  if (urls.length === 0) return;
  for (const url of urls) {
    try {
      new URL(url);
    } catch {
      throw new UserError(`the URL passed to filename "${url}" is not valid`);
    }
  }
  // Loaded only for URLs.
  const { fetchManifest } = await import('./fetch.ts');
  for (const url of urls) fetched.set(url, await fetchManifest(url, timeoutMs));
}

function checked(values: unknown[], source: string): unknown[] {
  for (const value of values) if (typeof value === 'object' && value !== null) validate(value, source);
  return values;
}

export function readManifests(paths: readonly string[], readStdin: () => string): unknown[] {
  const out: unknown[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(...checked(parseManifest(readStdin(), 'STDIN'), 'STDIN'));
      continue;
    }
    if (isUrl(path)) {
      const text = fetched.get(path);
      if (text === undefined) throw new Error(`${path} was not fetched (fetchUrls) before it was read`);
      out.push(...checked(parseManifest(text, path), path));
      continue;
    }
    for (const file of filesUnder(path)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? firstLine(error)}`);
      }
      out.push(...checked(parseManifest(text, file), file));
    }
  }
  return out;
}

/** The manifest files behind -f paths (folders recursively, in name order); `-` is not a file, a URL cannot be edited. */
export function manifestFiles(paths: readonly string[]): string[] {
  const url = paths.find(isUrl);
  if (url) throw new UserError(`cannot edit ${url} in place: it is a URL, not a file`);
  return paths.filter((path) => path !== '-').flatMap((path) => filesUnder(path));
}
