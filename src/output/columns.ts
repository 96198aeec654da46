// kubectl's printers that evaluate one relaxed path per item over the JSONPath engine
// (jsonpath.ts): custom-columns (cli-runtime printers/customcolumn.go, values as Go prints them)
// and --sort-by (kubectl's sorter, strings in natural order).

import { firstPath, goValue, parseTemplate, printValue, runTemplate, TemplateError, type Json } from './jsonpath.ts';

/** kubectl's RelaxedJSONPathExpression: `spec.x`, `.spec.x`, `{.spec.x}` all mean `{.spec.x}`. */
function relaxedPath(path: string): string {
  const t = path.trim();
  if (t.startsWith('{') && t.endsWith('}')) return t;
  return `{${t.startsWith('.') || t.startsWith('$') || t.startsWith('[') ? '' : '.'}${t}}`;
}

/** The values of a relaxed path for one item, as custom-columns shows them (`<none>` when missing). */
export function columnValue(path: string, item: unknown): string {
  const template = relaxedPath(path);
  const values = firstPath(template)?.(item);
  if (values === undefined) return runTemplate(template, item);
  return values.length === 0 ? '<none>' : values.map(goValue).join(',');
}

/** `custom-columns=NAME:PATH,...`: the column specs, each PATH checked. */
export function parseColumns(spec: string): { header: string; path: string }[] {
  if (spec.trim() === '') throw new TemplateError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((column) => {
    const at = column.indexOf(':');
    if (at <= 0) throw new TemplateError(`unexpected custom-columns spec: ${column}, expected <header>:<json-path-expr>`);
    const path = column.slice(at + 1);
    parseTemplate(relaxedPath(path));
    return { header: column.slice(0, at), path };
  });
}

/** The items sorted by a relaxed path, as --sort-by: numbers by value, the rest as text. */
export function sortItems<T>(items: readonly T[], path: string): T[] {
  const values = firstPath(relaxedPath(path));
  const key = (item: T): Json => (values ? (values(item)[0] ?? null) : null);
  return [...items]
    .map((item, index) => ({ item, index, k: key(item) }))
    .sort((a, b) => {
      if (typeof a.k === 'number' && typeof b.k === 'number') return a.k - b.k || a.index - b.index;
      const x = a.k === null ? '' : printValue(a.k);
      const y = b.k === null ? '' : printValue(b.k);
      return naturalLess(x, y) ? -1 : naturalLess(y, x) ? 1 : a.index - b.index;
    })
    .map((e) => e.item);
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/**
 * kubectl's --sort-by order for strings (github.com/fvbommel/sortorder NaturalLess, which its
 * sorter uses): runs of digits compare as numbers ("80" before "6379"), digits before other
 * characters, everything else bytewise in UTF-8.
 */
export function naturalLess(left: string, right: string): boolean {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const da = isDigit(a[i]);
    const db = isDigit(b[j]);
    if (da !== db) return da;
    if (!da) {
      if (a[i] !== b[j]) return (a[i] ?? 0) < (b[j] ?? 0);
      i++;
      j++;
      continue;
    }
    while (a[i] === 0x30) i++;
    while (b[j] === 0x30) j++;
    const startA = i;
    const startB = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    if (i - startA !== j - startB) return i - startA < j - startB;
    const numberA = a.subarray(startA, i).toString('latin1');
    const numberB = b.subarray(startB, j).toString('latin1');
    if (numberA !== numberB) return numberA < numberB;
    if (startA !== startB) return startA < startB;
  }
  return a.length < b.length;
}
