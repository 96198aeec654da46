// JSON and YAML printing of result documents, as kubectl prints objects.

import { stringify } from 'yaml';

export type DocumentFormat = 'json' | 'yaml';

export function renderDocument(value: unknown, format: DocumentFormat): string {
  if (format === 'json') return JSON.stringify(value, null, 4);
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
