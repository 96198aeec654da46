// Errors that end a command with one kubectl-style line. Anything else that escapes a command is
// a bug, and is still printed as one line (see cmd/kubectl-sticky.ts).

/** A client-side problem: printed as `error: <message>`. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** An API error, already in kubectl's words: `Error from server (NotFound): ...`. */
export class ServerError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly exitCode = 1;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.reason = reason;
  }
}

/** Terminal control characters in text that came from the cluster or a file are shown escaped. */
export function neutralise(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function errorLine(error: unknown): string {
  if (error instanceof ServerError) return neutralise(error.message);
  if (error instanceof UserError) return `error: ${neutralise(error.message)}`;
  const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  return `error: ${neutralise(message)}`;
}
