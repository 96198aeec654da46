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

/** How an exchange with the server failed; reads retry only `closed`. */
export type ConnectionFailure = 'refused' | 'dns' | 'tls' | 'timeout' | 'closed' | 'other';

/**
 * The server could not be reached or did not answer, in kubectl's words, which it prints bare
 * (`Unable to connect to the server: ...`, `The connection to the server ... was refused ...`).
 */
export class ConnectionError extends UserError {
  readonly failure: ConnectionFailure;
  constructor(message: string, failure: ConnectionFailure) {
    super(message);
    this.name = 'ConnectionError';
    this.failure = failure;
  }
}

/**
 * A write whose outcome is unknown: the request was sent, then the connection closed or the time
 * ran out. The object may or may not have changed; reporting it as "not written" would be a lie.
 */
export class WriteUncertainError extends ConnectionError {
  constructor(message: string, failure: ConnectionFailure) {
    super(message, failure);
    this.name = 'WriteUncertainError';
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

/** kubectl's answer for a named object that does not exist: `Error from server (NotFound): services "x" not found`. */
export function notFound(plural: string, name: string): ServerError {
  return new ServerError(404, 'NotFound', `Error from server (NotFound): ${plural} "${name}" not found`);
}

/**
 * Terminal control characters in text that came from the cluster or a file are shown escaped:
 * C0 controls (but tab and newline) as \xNN; DEL, C1 controls (0x9b is a one-byte CSI) and the
 * bidirectional overrides as \uNNNN, which also keeps JSON output valid JSON.
 */
export function neutralise(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// Credentials seen in this process (kubeconfig tokens and passwords, client keys, the bearer
// token an exec plugin printed): masked in anything printed, as a net under the rule that error
// and log messages never carry them in the first place.
const secrets = new Set<string>();

export function registerSecret(value: unknown): void {
  // Short values would mask ordinary words; real credentials are long.
  if (typeof value === 'string' && value.trim().length >= 8) secrets.add(value.trim());
}

/** Masks registered credentials, and anything shaped like an Authorization header value. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('<masked>');
  return out.replace(/\b(Bearer|Basic)\s+(?!<masked>)[A-Za-z0-9._~+/=-]{8,}/g, '$1 <masked>');
}

/** What may reach a terminal: credentials masked, control characters shown escaped. */
export function safeText(text: string): string {
  return redact(neutralise(text));
}

/** One line, whatever the error: newlines in messages (from names, files, servers) shown as \\n. */
export function errorLine(error: unknown): string {
  return oneLine(error).replace(/\n/g, '\\n');
}

function oneLine(error: unknown): string {
  if (error instanceof ServerError) return safeText(error.message);
  if (error instanceof ConnectionError) return safeText(error.message);
  if (error instanceof UserError) return `error: ${safeText(error.message)}`;
  // client-node's ApiException puts the response headers into its message: never print it.
  const api = error as { code?: unknown; body?: unknown; headers?: unknown };
  if (error instanceof Error && typeof api.code === 'number' && 'headers' in api) return `error: the server answered ${api.code}`;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return `error: ${safeText(message)}`;
}
