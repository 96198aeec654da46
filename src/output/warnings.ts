// Warning lines, as kubectl prints them on stderr, with a cap.

import { neutralise } from '../errors.ts';

export interface Note {
  object: string;
  message: string;
}

// A cluster-wide run can find thousands of problems; a screenful is useful, the rest is in -o json.
export const MAX_PRINTED_WARNINGS = 100;

export function warningLines(notes: readonly Note[]): string[] {
  const lines = notes.slice(0, MAX_PRINTED_WARNINGS).map((note) => `Warning: ${neutralise(note.object)}: ${neutralise(note.message)}`);
  if (notes.length > MAX_PRINTED_WARNINGS) {
    lines.push(`Warning: ${notes.length - MAX_PRINTED_WARNINGS} more warnings not shown (-o json lists all ${notes.length})`);
  }
  return lines;
}
