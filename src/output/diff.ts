// Unified diffs, as `kubectl diff` prints them.

import { createTwoFilesPatch, structuredPatch } from 'diff';

/** A unified diff of two texts, or '' when they are the same. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (structuredPatch(name, name, before, after, '', '', { context: 3 }).hunks.length === 0) return '';
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, '', '', { context: 3 }).replace(/^=+\n/m, '').trimEnd();
}
