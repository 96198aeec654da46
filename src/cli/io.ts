// Where commands write. Commands get an Io instead of touching process.stdout, so the entry point
// decides buffering and tests could capture output.

import { neutralise, safeText } from '../errors.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

// Everything printed passes safeText: terminal control characters from cluster or file data are
// shown escaped (JSON and YAML output escape them already), credentials are masked.
export const processIo: Io = {
  out: (text) => void process.stdout.write(`${safeText(text)}\n`),
  err: (text) => void process.stderr.write(`${safeText(text)}\n`),
};

// A cluster-wide run can find thousands of problems; a screenful is useful, the rest is in -o json.
const MAX_PRINTED_WARNINGS = 100;

export function printNotes(io: Io, notes: readonly { object: string; message: string }[]): void {
  for (const note of notes.slice(0, MAX_PRINTED_WARNINGS)) io.err(`Warning: ${neutralise(note.object)}: ${neutralise(note.message)}`);
  if (notes.length > MAX_PRINTED_WARNINGS) {
    io.err(`Warning: ${notes.length - MAX_PRINTED_WARNINGS} more warnings not shown (-o json lists all ${notes.length})`);
  }
}
