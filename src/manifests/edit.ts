// Edits the annotations of objects inside manifest text and nothing else: comments, key order,
// quoting, indentation, document separators and the other documents stay byte for byte. Works on
// YAML (block and flow maps), JSON (a flow map to the parser), multi-document files and List
// objects. Pure: text in, text out; the offline commands read and write the files.

import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type YAMLMap } from 'yaml';

/** One object's annotation edit: keys to set (added or changed) and keys to remove. */
export interface AnnotationEdit {
  kind: 'Ingress' | 'Service';
  /** For an Ingress: its apiVersion (a Voyager and a standard Ingress may share a name); null: any. */
  apiVersion: string | null;
  namespace: string;
  name: string;
  set: Readonly<Record<string, string>>;
  remove: readonly string[];
}

interface TextEdit {
  start: number;
  end: number;
  text: string;
}

type AnyMap = YAMLMap<unknown, unknown>;

function scalarValue(map: AnyMap, key: string): unknown {
  const node = map.get(key, true);
  return isScalar(node) ? node.value : undefined;
}

function mapAt(map: AnyMap, key: string): AnyMap | null {
  const node = map.get(key, true);
  return isMap(node) ? (node as AnyMap) : null;
}

function pairKey(pair: Pair<unknown, unknown>): string | null {
  return isScalar(pair.key) ? String(pair.key.value) : null;
}

function range(node: unknown): [number, number, number] | null {
  const r = (node as Node | null)?.range;
  return r ? [r[0], r[1], r[2]] : null;
}

const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9._\/-]*$/;
const YAML_WORDS = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

function formatValue(value: string, json: boolean, style?: string): string {
  if (json || style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return PLAIN_SAFE.test(value) && !YAML_WORDS.test(value) ? value : JSON.stringify(value);
}

function formatKey(key: string, json: boolean): string {
  return json || !PLAIN_SAFE.test(key) ? JSON.stringify(key) : key;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end;
}

/** The edits for one map of annotations (or for a metadata map that has none). */
function editAnnotations(text: string, metadata: AnyMap, edit: AnnotationEdit, json: boolean): TextEdit[] {
  const out: TextEdit[] = [];
  const annotations = mapAt(metadata, 'annotations');
  const toAdd: [string, string][] = [];
  if (annotations) {
    for (const [key, value] of Object.entries(edit.set)) {
      const pair = annotations.items.find((p) => pairKey(p) === key);
      const valueRange = pair ? range(pair.value) : null;
      if (pair && valueRange) {
        const style = isScalar(pair.value) ? pair.value.type : undefined;
        if (isScalar(pair.value) && pair.value.value === value) continue;
        out.push({ start: valueRange[0], end: valueRange[1], text: formatValue(value, json, style) });
      } else {
        toAdd.push([key, value]);
      }
    }
    for (const key of edit.remove) {
      const index = annotations.items.findIndex((p) => pairKey(p) === key);
      const pair = annotations.items[index];
      const keyRange = pair ? range(pair.key) : null;
      if (!pair || !keyRange) continue;
      const end = range(pair.value)?.[1] ?? keyRange[1];
      if (annotations.flow) {
        // Take the comma after it, or before it when it is the last.
        const after = text.slice(end).match(/^\s*,\s*/);
        if (after) out.push({ start: keyRange[0], end: end + after[0].length, text: '' });
        else {
          const before = text.slice(0, keyRange[0]).match(/,\s*$/);
          out.push({ start: before ? keyRange[0] - before[0].length : keyRange[0], end, text: '' });
        }
      } else {
        const start = lineStart(text, keyRange[0]);
        const stop = lineEnd(text, Math.max(end - 1, keyRange[1]));
        out.push({ start, end: Math.min(stop + 1, text.length), text: '' });
      }
    }
    if (toAdd.length > 0) out.push(...insertPairs(text, annotations, toAdd, json));
    return out;
  }
  const entries = Object.entries(edit.set);
  if (entries.length === 0) return out;
  if (metadata.flow || json) {
    const body = entries.map(([k, v]) => `${formatKey(k, json)}: ${formatValue(v, json)}`).join(', ');
    return insertPairs(text, metadata, [[`annotations`, `{${body}}`]], json, true);
  }
  const first = range(metadata.items[0]?.key);
  const indent = first ? ' '.repeat(first[0] - lineStart(text, first[0])) : '  ';
  const step = indent.length > 0 ? indent : '  ';
  const lines = [`${indent}annotations:`, ...entries.map(([k, v]) => `${indent}${step}${formatKey(k, json)}: ${formatValue(v, json)}`)];
  return insertLines(text, metadata, lines);
}

/** New key/value pairs at the end of a map, in its own style. `raw`: the value is already text. */
function insertPairs(text: string, map: AnyMap, pairs: [string, string][], json: boolean, raw = false): TextEdit[] {
  const value = (v: string) => (raw ? v : formatValue(v, json));
  if (map.flow) {
    const last = map.items[map.items.length - 1];
    const lastEnd = last ? (range(last.value)?.[1] ?? range(last.key)?.[1] ?? null) : null;
    const body = pairs.map(([k, v]) => `${formatKey(k, json)}: ${value(v)}`).join(', ');
    if (lastEnd !== null) return [{ start: lastEnd, end: lastEnd, text: `, ${body}` }];
    const open = range(map)?.[0] ?? 0;
    return [{ start: open + 1, end: open + 1, text: body }];
  }
  const first = range(map.items[0]?.key);
  const indent = first ? ' '.repeat(first[0] - lineStart(text, first[0])) : '  ';
  return insertLines(text, map, pairs.map(([k, v]) => `${indent}${formatKey(k, json)}: ${value(v)}`));
}

/** Whole lines after the last line of a block map. */
function insertLines(text: string, map: AnyMap, lines: string[]): TextEdit[] {
  const last = map.items[map.items.length - 1];
  const end = last ? (range(last.value)?.[1] ?? range(last.key)?.[1] ?? 0) : (range(map)?.[1] ?? 0);
  // Block scalars end after their newline: step back onto the last line they use.
  const at = lineEnd(text, text[end - 1] === '\n' ? end - 1 : end);
  return [{ start: at, end: at, text: `\n${lines.join('\n')}` }];
}

function objectMaps(root: unknown): AnyMap[] {
  if (!isMap(root)) return [];
  const map = root as AnyMap;
  const kind = scalarValue(map, 'kind');
  const items = map.get('items', true);
  if (typeof kind === 'string' && kind.endsWith('List') && isSeq(items)) return items.items.flatMap((item) => objectMaps(item));
  return [map];
}

/**
 * Applies the edits to one file's text. Returns the new text and which edits found their object
 * (an edit whose object is not in the file is not applied here).
 */
export function editManifest(text: string, edits: readonly AnnotationEdit[], fallbackNamespace: string, json = /^\s*[{[]/.test(text)): { text: string; applied: AnnotationEdit[] } {
  const changes: TextEdit[] = [];
  const applied: AnnotationEdit[] = [];
  for (const doc of parseAllDocuments(text, { keepSourceTokens: true, uniqueKeys: false })) {
    if (!('contents' in doc)) continue;
    for (const object of objectMaps(doc.contents)) {
      const metadata = mapAt(object, 'metadata');
      if (!metadata) continue;
      const kind = scalarValue(object, 'kind');
      const apiVersion = scalarValue(object, 'apiVersion');
      const name = scalarValue(metadata, 'name');
      const namespace = scalarValue(metadata, 'namespace') || fallbackNamespace;
      for (const edit of edits) {
        if (edit.kind !== kind || edit.name !== name || edit.namespace !== namespace) continue;
        if (edit.apiVersion !== null && edit.apiVersion !== apiVersion) continue;
        changes.push(...editAnnotations(text, metadata, edit, json));
        applied.push(edit);
      }
    }
  }
  let out = text;
  for (const change of [...changes].sort((a, b) => b.start - a.start)) out = out.slice(0, change.start) + change.text + out.slice(change.end);
  return { text: out, applied };
}
