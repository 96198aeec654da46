// The one diff producer: unified diffs as `kubectl diff` prints them (no `====` line), for the
// dry-run object and HAProxy diffs and for render --deployed.

import { createTwoFilesPatch } from 'diff';

export interface Side {
  /** The file name shown on the `---` / `+++` line. */
  label: string;
  text: string;
}

/** A unified diff from `before` to `after`, or '' when the texts are the same. */
export function unifiedDiff(before: Side, after: Side): string {
  if (before.text === after.text) return '';
  return createTwoFilesPatch(before.label, after.label, before.text, after.text, undefined, undefined, { context: 3 }).replace(/^=+\n/, '').trimEnd();
}

/** A dry-run diff of one thing: `a/NAME` to `b/NAME`. */
export function changeDiff(name: string, before: string, after: string): string {
  return unifiedDiff({ label: `a/${name}`, text: before }, { label: `b/${name}`, text: after });
}

/** The sticky lines of a haproxy.cfg, keyed by backend (core/drift's stickyParts), as diffable text. */
export function stickyPartsText(parts: ReadonlyMap<string, readonly string[]>): string {
  return [...parts.keys()]
    .sort()
    .map((key) => `backend ${key}\n${(parts.get(key) ?? []).map((line) => `\t${line}\n`).join('')}`)
    .join('');
}
