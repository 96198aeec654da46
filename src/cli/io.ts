// What a command may touch: an Io to read stdin and write, and a way to connect to the API server.
// The entry point passes the process's; tests pass their own Io and the same real connect.

import { readFileSync } from 'node:fs';
import { safeText } from '../errors.ts';
import type { Connect } from '../kube/api.ts';

export interface Io {
  /** A line (or lines) on stdout; the newline is added. */
  out(text: string): void;
  /** Text on stdout exactly as given: kubectl's jsonpath printer adds no newline. */
  write(text: string): void;
  err(text: string): void;
  /** All of standard input (for `-f -`). */
  stdin(): string;
}

export interface Context {
  io: Io;
  connect: Connect;
  /** The process's environment (the entry point passes process.env; tests their own or none). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Ends a command that runs until stopped (status --watch); without it, SIGINT or SIGTERM does. */
  signal?: AbortSignal;
}

// Everything printed passes safeText: terminal control characters from cluster or file data are
// shown escaped (JSON and YAML output escape them already), credentials are masked.
export const processIo: Io = {
  out: (text) => void process.stdout.write(`${safeText(text)}\n`),
  write: (text) => void process.stdout.write(safeText(text)),
  err: (text) => void process.stderr.write(`${safeText(text)}\n`),
  stdin: () => readFileSync(0, 'utf8'),
};

/** The real client, loaded only when a command connects (so --help never loads client-node). */
export const realConnect: Connect = async (options) => (await import('../kube/client.ts')).connect(options);
