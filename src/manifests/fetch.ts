// The -f URL reader: kubectl's readHttpWithRetries over node:http(s), with the plugin's request
// bound. Loaded only when an -f argument is a URL.

import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { UserError } from '../errors.ts';
import { exchangeError, PhaseTimeout, readBody } from '../http.ts';
import { defaultTimeoutMs } from '../timeout.ts';

/**
 * The text behind an http(s) -f argument, as kubectl reads it (cli-runtime's readHttpWithRetries:
 * three attempts 1s apart on failures and 5xx, redirects followed), with the request bound of
 * --request-timeout (`timeoutMs`; 0 is the default bound) on each attempt, which kubectl lacks.
 * TLS is verified against the system CAs (and NODE_EXTRA_CA_CERTS), not the kubeconfig's.
 */
export async function fetchManifest(url: string, timeoutMs: number): Promise<string> {
  const bound = timeoutMs > 0 ? timeoutMs : defaultTimeoutMs();
  let failure: Error = new UserError(`unable to read URL "${url}"`);
  for (let attempt = 0; attempt < URL_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
    let answer: { status: number; text: string };
    try {
      answer = await getFollowing(new URL(url), bound);
    } catch (error) {
      failure = error instanceof UserError ? error : exchangeError(error, new URL(url), timeoutMs > 0 ? null : bound);
      continue;
    }
    if (answer.status === 200) return answer.text;
    failure = new UserError(`unable to read URL "${url}", server reported ${answer.status} ${STATUS_CODES[answer.status] ?? ''}, status code=${answer.status}`);
    if (answer.status < 500 || answer.status >= 600) break;
  }
  throw failure;
}

const URL_ATTEMPTS = 3;
const MAX_REDIRECTS = 10;

/** One GET within `boundMs` (connect to the end of the body), following redirects as Go's http.Get does. */
async function getFollowing(url: URL, boundMs: number): Promise<{ status: number; text: string }> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const { status, location, text } = await new Promise<{ status: number; location: string | undefined; text: string }>((resolve, reject) => {
      const get = target.protocol === 'http:' ? http.get : https.get;
      const request = get(target, { headers: { 'User-Agent': 'kubectl-sticky' } }, (response) => {
        readBody(response).then((body) => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text: body }), reject);
      });
      const timer = setTimeout(() => request.destroy(new PhaseTimeout('request')), boundMs);
      request.on('error', reject);
      request.on('close', () => clearTimeout(timer));
    });
    if (![301, 302, 303, 307, 308].includes(status) || !location) return { status, text };
    if (hop >= MAX_REDIRECTS) throw new UserError(`unable to read URL "${url.href}": stopped after ${MAX_REDIRECTS} redirects`);
    target = new URL(location, target);
  }
}
