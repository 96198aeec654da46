// Warning lines, as kubectl prints them on stderr, with a cap.

import { neutralise } from '../errors.ts';

export interface Note {
  object: string;
  message: string;
}

// A cluster-wide run can find thousands of problems; a screenful is useful, the rest is in -o json.
export const MAX_PRINTED_WARNINGS = 100;

// The core words a per-backend problem of an object "... backend B of ingress NS/NAME ...".
const WHERE = /backend \S+ of ingress \S+/;

/**
 * One note per object and problem: a missing Service that seven backends name is one line that
 * lists them, not seven (the notes stay one per backend in -o json's items).
 */
function merged(notes: readonly Note[]): Note[] {
  const groups = new Map<string, { note: Note; wheres: string[] }>();
  for (const note of notes) {
    const where = WHERE.exec(note.message)?.[0];
    const key = `${note.object}\n${where === undefined ? note.message : note.message.replace(WHERE, '\0')}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { note, wheres: where === undefined ? [] : [where] });
    else if (where !== undefined && !group.wheres.includes(where)) group.wheres.push(where);
  }
  return [...groups.values()].map(({ note, wheres }) =>
    wheres.length < 2 ? note : { object: note.object, message: note.message.replace(WHERE, wheres.join(', ')) },
  );
}

export function warningLines(notes: readonly Note[]): string[] {
  const shown = merged(notes);
  const lines = shown.slice(0, MAX_PRINTED_WARNINGS).map((note) => `Warning: ${neutralise(note.object)}: ${neutralise(note.message)}`);
  if (shown.length > MAX_PRINTED_WARNINGS) {
    lines.push(`Warning: ${shown.length - MAX_PRINTED_WARNINGS} more warnings not shown (-o json lists all ${notes.length})`);
  }
  return lines;
}
