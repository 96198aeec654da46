// Golden-file comparison: UPDATE_GOLDEN=1 rewrites the expected file instead of comparing.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function assertGolden(path: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden file ${path} (run with UPDATE_GOLDEN=1 and review it)`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${path}`);
}

/** `# key: value` lines at the top of a golden input. */
export function headerOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^#\s*([a-z-]+):\s*(.+)$/.exec(line);
    if (match) out[match[1] ?? ''] = (match[2] ?? '').trim();
    else if (!line.startsWith('#')) break;
  }
  return out;
}
