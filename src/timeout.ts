// How long one request may take: kubectl's duration syntax (--request-timeout), and the bound a
// request gets when it is 0. Light on purpose: the flag declarations load it for --help.

/** kubectl's --request-timeout syntax in milliseconds: a bare number is seconds; units ms, s, m, h. Null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * factor);
}

/**
 * kubectl waits forever with --request-timeout=0; a plugin run from scripts should not hang on a
 * stalled server, so 0 (the default) means this bound per request instead.
 */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The bound used when --request-timeout is 0: KUBECTL_STICKY_DEFAULT_TIMEOUT (1s, 500ms, 2m) or 60s. */
export function defaultTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['KUBECTL_STICKY_DEFAULT_TIMEOUT'];
  const ms = text ? parseDuration(text) : null;
  return ms !== null && ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}
