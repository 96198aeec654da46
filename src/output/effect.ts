// What enable/disable does to every backend that uses the changed objects.

import type { BackendEffect, Effect, Refusal } from '../core/change.ts';
import { stickyWord } from './status.ts';
import { changeDiff } from './diff.ts';
import { renderTable } from './table.ts';

/** Sticky before and after; the cookie too where its name changes (a new name logs users out). */
function stickyCells(b: BackendEffect): [string, string] {
  const renamed = b.cookieBefore !== null && b.cookieAfter !== null && b.cookieBefore !== b.cookieAfter;
  if (!renamed) return [stickyWord(b.before), stickyWord(b.after)];
  return [`${stickyWord(b.before)} (cookie ${b.cookieBefore})`, `${stickyWord(b.after)} (cookie ${b.cookieAfter})`];
}

/** The `Effect:` lines: a table of sticky before and after, or why there is none. */
export function effectLines(effect: Pick<Effect, 'backends'>): string[] {
  if (effect.backends.length === 0) return ['Effect: no Voyager Ingress uses these objects'];
  const table = renderTable(
    ['namespace', 'ingress', 'backend', 'service', 'sticky before', 'sticky after'],
    effect.backends.map((b) => [b.ingress.namespace, b.ingress.name, b.backend, `${b.service.name}.${b.service.namespace}`, ...stickyCells(b)]),
    { noHeaders: false },
  );
  return ['Effect:', table];
}

/** One stderr line when disable left cookie keys that now do nothing: --purge removes them. */
export function purgeHint(effect: Pick<Effect, 'idleCookieKeys'>): string[] {
  if (effect.idleCookieKeys.length === 0) return [];
  const left = effect.idleCookieKeys.map((idle) => `${idle.keys.join(', ')} on ${idle.object}`).join('; ');
  return [`hint: disable left ${left}, which nothing reads now; disable --purge removes cookie keys too`];
}

/** The haproxy.cfg diff of every Ingress the change touches (the same for live and file changes). */
export function configDiffs(effect: Pick<Effect, 'configs'>): string[] {
  return effect.configs.map((config) => changeDiff(`haproxy.cfg of ingress ${config.ingress}`, config.before, config.after)).filter((diff) => diff !== '');
}

/** Why a change was refused, in the words of the flags that asked for it (kubectl annotate's for conflicts). */
export function refusalMessage(refusal: Refusal): string {
  switch (refusal.kind) {
    case 'cookie-fixed':
      return `${refusal.version} always uses cookie SERVERID and no hash: --cookie-${refusal.what} has no effect there`;
    case 'cookie-on-ingress-only':
      return `${refusal.version} reads cookie settings from the Ingress only (Services' own settings count from 9.0 on): set --cookie-${refusal.what} on the Ingress`;
    case 'no-cookie-hash':
      return `${refusal.version} has no cookie hash (it arrived in 4.0.0-rc.0)`;
    case 'bad-cookie-name':
      return `invalid --cookie-name "${refusal.value}": a cookie name is a token (letters, digits, -_.!#$%&'*+^\`|~)`;
    case 'bad-cookie-hash':
      return `invalid --cookie-hash "${refusal.value}": use md5, sha (SHA-512) or index`;
    case 'cookie-with-disable':
      return '--cookie-name and --cookie-hash go with enable; disable --purge removes them';
    case 'conflicts':
      return `--overwrite is false but found the following declared annotation(s): ${refusal.conflicts.map((c) => `'${c.key}' already has a value (${c.current})`).join(', ')}`;
  }
}
