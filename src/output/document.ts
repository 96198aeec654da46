// JSON and YAML printing of result documents, as kubectl prints objects.

import { stringify } from 'yaml';

export type DocumentFormat = 'json' | 'yaml';

export function renderDocument(value: unknown, format: DocumentFormat): string {
  if (format === 'json') return JSON.stringify(value, null, 4);
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/**
 * JSON.stringify(value, null, 4), in pieces: the elements of a top-level array one at a time, so a
 * 10,000-item StickyStatus is never one 15 MB string (and its escaped copy) while it is written.
 * The pieces joined are exactly the one-string text.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    yield JSON.stringify(value, null, 4);
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (const [i, [key, v]] of entries.entries()) {
    const end = i < entries.length - 1 ? ',\n' : '\n';
    const name = `    ${JSON.stringify(key)}: `;
    if (Array.isArray(v) && v.length > 0) {
      yield `${name}[\n`;
      for (const [j, element] of v.entries()) yield `${indented(JSON.stringify(element, null, 4) ?? 'null', '        ')}${j < v.length - 1 ? ',' : ''}\n`;
      yield `    ]${end}`;
    } else yield `${name}${JSON.stringify(v, null, 4).replaceAll('\n', '\n    ')}${end}`;
  }
  yield '}';
}

function indented(text: string, prefix: string): string {
  return prefix + text.replaceAll('\n', `\n${prefix}`);
}
