// What `probe` saw on the wire, set beside what status predicts: a verdict and its reason. Pure:
// the responses the probe recorded in, the judgement out. The requests themselves are sent by
// src/probe/wire.ts.

import type { Mode, StatusItem, StickyStatus, Warning } from './effective.ts';
import type { IngressView } from './objects.ts';
import type { IngressConfig, TemplateBackend } from './parse.ts';
import { renderSection } from './render.ts';
import type { CookieHash } from './semantics.ts';

export interface Predicted {
  sticky: boolean | null;
  mode: Mode | null;
  cookie: { name: string; hash: CookieHash | null } | null;
  /** The cookie values of the server lines Voyager writes (empty when the servers are not known). */
  values: string[];
}

/** One response, as far as stickiness shows in it. */
export interface Exchange {
  status: number;
  setCookies: { name: string; value: string }[];
  /** The --server-header value (null without the flag, or when the response has none). */
  server: string | null;
}

/** What the probe recorded for one backend: requests without a cookie, then with the one it got. */
export interface Observation {
  requests: number;
  fresh: Exchange[];
  /** The cookie sent back (name=value of the first one set), null when none was. */
  sent: { name: string; value: string } | null;
  withCookie: Exchange[];
}

export type Verdict = 'agrees' | 'disagrees' | 'unobservable';

export interface Observed {
  /** The persistence cookie's name on the wire, null when none appeared. */
  cookie: string | null;
  /** Its distinct values, first seen first: one per server that answered. */
  values: string[];
  /** Requests sent with the cookie that stayed on its server (null when none were sent). */
  pinned: number | null;
  /** Requests per round: without the cookie, then with it. */
  requests: number;
  /** Times HAProxy moved the client to another server (a new value for the cookie sent). */
  redispatched: number;
  /** Distinct --server-header values (empty without the flag). */
  servers: string[];
}

export interface Judgement {
  observed: Observed;
  verdict: Verdict;
  reason: string;
}

// HAProxy's default name: a cookie of that name is a persistence cookie whatever its values.
const DEFAULT_COOKIE = 'SERVERID';

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function valuesOf(exchanges: readonly Exchange[], name: string): string[] {
  return exchanges.flatMap((e) => e.setCookies.filter((c) => c.name === name).map((c) => c.value));
}

/**
 * The cookie that pins clients, from the responses to cookie-less requests: the predicted name if
 * it was set; else one whose values repeat across requests (one value per server, unlike an
 * application's session cookie, new on every response) or that has HAProxy's default name.
 */
export function persistenceCookie(fresh: readonly Exchange[], predicted: string | null): string | null {
  if (predicted !== null && valuesOf(fresh, predicted).length > 0) return predicted;
  const names = distinct(fresh.flatMap((e) => e.setCookies.map((c) => c.name)));
  return (
    names.find((name) => {
      const values = valuesOf(fresh, name);
      return name === DEFAULT_COOKIE || distinct(values).length < values.length;
    }) ?? null
  );
}

/** Hash values Voyager writes, when the servers (hence the exact values) are not known. */
const HASH_SHAPES: Record<CookieHash, RegExp> = {
  md5: /^[A-Za-z0-9+/]{22}==$/,
  sha: /^[A-Za-z0-9+/]{86}==$/,
  index: /^[1-9]\d*$/,
};

/** Why the cookie values are not the ones Voyager writes, or null when they are. */
function valueProblem(predicted: Predicted, values: readonly string[]): string | null {
  const hash = predicted.cookie?.hash ?? null;
  const known = predicted.values;
  const odd = values.filter((v) => (known.length > 0 ? !known.includes(v) : hash !== null && !HASH_SHAPES[hash].test(v)));
  if (odd.length === 0) return null;
  const expected = known.length > 0 ? `Voyager writes ${known.join(', ')}` : `they should be ${hash} hashes`;
  return `cookie value ${odd.join(', ')} is not one of the server lines' values (${expected}${hash ? `, hash ${hash}` : ', no hash'})`;
}

interface PinCount {
  pinned: number;
  redispatched: number;
  failed: number;
  /** The 1-based request after which the client first moved. */
  firstMove: number | null;
  last: string | null;
}

/** Follows the cookie as a browser does: a new value for it replaces the one sent. */
function countPinned(obs: Observation): PinCount {
  const sent = obs.sent;
  const count: PinCount = { pinned: 0, redispatched: 0, failed: 0, firstMove: null, last: sent?.value ?? null };
  if (!sent) return count;
  const firstServer = obs.fresh[0]?.server ?? null;
  let current = sent.value;
  obs.withCookie.forEach((exchange, index) => {
    const next = exchange.setCookies.find((c) => c.name === sent.name && c.value !== current);
    if (exchange.status >= 500) count.failed++;
    else if (next) {
      count.redispatched++;
      count.firstMove ??= index + 1;
      current = next.value;
    } else if (count.redispatched === 0 && (firstServer === null || exchange.server === firstServer)) count.pinned++;
  });
  count.last = current;
  return count;
}

function servers(obs: Observation): string[] {
  return distinct([...obs.fresh, ...obs.withCookie].map((e) => e.server).filter((s): s is string => s !== null));
}

function judgeSourceIp(obs: Observation, serverHeader: string | null, base: Observed): Judgement {
  if (serverHeader === null) {
    return {
      observed: base,
      verdict: 'unobservable',
      reason:
        'source-IP stickiness keeps one client address on one server: one client cannot tell it from luck (name a header that identifies the server with --server-header)',
    };
  }
  const seen = obs.fresh.map((e) => e.server);
  const first = seen[0] ?? null;
  if (first === null) return { observed: base, verdict: 'unobservable', reason: `the responses carry no ${serverHeader} header` };
  const pinned = seen.filter((s) => s === first).length;
  const observed = { ...base, pinned };
  if (pinned === seen.length)
    return { observed, verdict: 'agrees', reason: `${pinned}/${seen.length} connections from one address reached ${serverHeader} ${first}` };
  return {
    observed,
    verdict: 'disagrees',
    reason: `connections from one address reached ${base.servers.length} servers (${base.servers.join(', ')}): no source-IP stickiness`,
  };
}

function judgeNotSticky(predicted: Predicted, base: Observed): Judgement {
  if (base.cookie !== null) {
    return {
      observed: base,
      verdict: 'disagrees',
      reason: `status predicts no stickiness, yet HAProxy sets persistence cookie ${base.cookie} (${base.values.length} server${base.values.length === 1 ? '' : 's'})`,
    };
  }
  const spread = base.servers.length > 0 ? `; ${base.servers.length} server${base.servers.length === 1 ? '' : 's'} answered` : '';
  if (predicted.sticky === null)
    return { observed: base, verdict: 'unobservable', reason: `status cannot tell whether the backend is sticky; no persistence cookie on the wire${spread}` };
  return { observed: base, verdict: 'agrees', reason: `not sticky, and no persistence cookie on the wire${spread}` };
}

function judgeCookie(predicted: Predicted & { cookie: { name: string } }, obs: Observation, base: Observed): Judgement {
  const name = predicted.cookie.name;
  if (base.cookie === null)
    return {
      observed: base,
      verdict: 'disagrees',
      reason: `status predicts cookie ${name}, but no persistence cookie came in ${obs.requests} responses: HAProxy does not insert one (compare the deployed config: render --deployed)`,
    };
  if (base.cookie !== name) return { observed: base, verdict: 'disagrees', reason: `HAProxy sets persistence cookie ${base.cookie}, status predicts ${name}` };
  const problem = valueProblem(predicted, base.values);
  if (problem !== null) return { observed: base, verdict: 'disagrees', reason: problem };
  const count = countPinned(obs);
  const requests = obs.withCookie.length;
  const observed = { ...base, pinned: count.pinned, redispatched: count.redispatched };
  if (count.failed > 0)
    return {
      observed,
      verdict: 'disagrees',
      reason: `${count.failed}/${requests} requests with ${name}=${obs.sent?.value ?? ''} failed: HAProxy keeps the client on a server that does not answer`,
    };
  if (count.redispatched === 0) return { observed, verdict: 'agrees', reason: `cookie ${name} pinned ${count.pinned}/${requests} requests to one server` };
  if (count.redispatched === 1)
    return {
      observed,
      verdict: 'agrees',
      reason: `HAProxy re-dispatched the client after request ${count.firstMove}: the server of ${name}=${obs.sent?.value ?? ''} stopped answering, the new cookie ${name}=${count.last ?? ''} held from then on`,
    };
  return {
    observed,
    verdict: 'disagrees',
    reason: `cookie ${name} did not hold: HAProxy moved the client ${count.redispatched} times in ${requests} requests`,
  };
}

/** The verdict on one backend: the prediction against the responses. */
export function judge(predicted: Predicted, obs: Observation, serverHeader: string | null): Judgement {
  const cookie = persistenceCookie(obs.fresh, predicted.cookie?.name ?? null);
  const base: Observed = {
    cookie,
    values: cookie === null ? [] : distinct(valuesOf(obs.fresh, cookie)),
    pinned: null,
    requests: obs.requests,
    redispatched: 0,
    servers: servers(obs),
  };
  const failed = distinct(obs.fresh.filter((e) => e.status >= 400).map((e) => String(e.status)));
  if (obs.fresh.length > 0 && failed.length > 0 && obs.fresh.every((e) => e.status >= 400)) {
    return {
      observed: base,
      verdict: 'disagrees',
      reason: `every response was an error (HTTP ${failed.join(', ')}): the requests did not reach the backend's servers (is the address the Ingress's HAProxy, and are its pods up?)`,
    };
  }
  if (predicted.sticky === true && predicted.mode === 'source-ip') return judgeSourceIp(obs, serverHeader, base);
  const { cookie: predictedCookie } = predicted;
  if (predicted.sticky === true && predictedCookie !== null) return judgeCookie({ ...predicted, cookie: predictedCookie }, obs, base);
  return judgeNotSticky(predicted, base);
}

/** A backend the probe sends requests to, and how. */
export interface ProbeBackend {
  item: StatusItem;
  predicted: Predicted;
  /** The port HAProxy serves it on: 80, 443 for TLS hosts, the rule's http.port or TCP port. */
  frontendPort: number;
  /** HTTPS with SNI: a TLS host, or an ssl-passthrough rule (the pod ends TLS). */
  tls: boolean;
  /** The Host header and SNI name without the port; null for a rule without a host (the address is used). */
  host: string | null;
  path: string;
}

export interface ProbeFilter {
  host: string | undefined;
  path: string | undefined;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p === h || (p.startsWith('*.') && h.endsWith(p.slice(1)) && !h.slice(0, h.length - p.length + 1).includes('.'));
}

function predictedOf(item: StatusItem, section: TemplateBackend | undefined): Predicted {
  const servers = section ? renderSection(section).servers : [];
  const values = item.mode === 'cookie' ? servers.map((s) => s.cookie).filter((c): c is string => c !== null) : [];
  return { sticky: item.sticky, mode: item.mode, cookie: item.cookie, values };
}

/**
 * The rule backends of one Ingress to probe (`items` are its status items, in backendsOf order),
 * those --host and --path pick; the default backend answers what no rule matches and is left out.
 * An Ingress without HTTP rules, or a filter that picks nothing, is an error (the message).
 */
export function probeBackends(
  ingress: IngressView,
  items: readonly StatusItem[],
  config: IngressConfig | undefined,
  filter: ProbeFilter,
): ProbeBackend[] | string {
  const label = `ingress/${ingress.meta.name}`;
  if (!items.some((item) => item.backend.type === 'http')) return `${label} has no HTTP rules: nothing to probe`;
  const sections = new Map(config?.written ? config.backends.map((b) => [b.item, b]) : []);
  const tlsHosts = ingress.tls.flatMap((t) => t.hosts);
  const picked = items.flatMap((item, index): ProbeBackend[] => {
    if (item.backend.type === 'default') return [];
    const { host, path, port } = item.backend;
    if (filter.host !== undefined && (host ?? '').toLowerCase() !== filter.host.toLowerCase()) return [];
    if (filter.path !== undefined && (path ?? '/') !== filter.path) return [];
    const section = sections.get(index);
    const tls = section
      ? section.offloadSSL || (section.type === 'tcp' && item.backend.type === 'http')
      : tlsHosts.some((t) => host !== null && hostMatches(t, host));
    const frontendPort = section?.frontendPort ?? port ?? (tls ? 443 : 80);
    const named = host === null || host === '' ? null : host.replace(/^\*\./, 'probe.');
    return [{ item, predicted: predictedOf(item, section), frontendPort, tls, host: named, path: path || '/' }];
  });
  if (picked.length > 0) return picked;
  const given = [filter.host === undefined ? '' : `--host ${filter.host}`, filter.path === undefined ? '' : `--path ${filter.path}`].filter((s) => s !== '');
  const rules = items.filter((i) => i.backend.type !== 'default').map((i) => `${i.backend.host ?? '*'}${i.backend.path ?? ''}`);
  return `no backend of ${label} matches ${given.join(' ')} (its rules: ${rules.join(', ')})`;
}

export interface ProbeItem {
  ingress: { namespace: string; name: string };
  /** The rule's host and path as written, and the frontend port HAProxy serves it on. */
  backend: { host: string | null; path: string | null; port: number };
  service: { namespace: string; name: string; port: string };
  /** Where the requests went (HOST:PORT) and how. */
  address: string;
  url: string;
  predicted: Predicted;
  observed: Observed;
  verdict: Verdict;
  reason: string;
}

export interface StickyProbe {
  apiVersion: 'kubectl-sticky/v1alpha1';
  kind: 'StickyProbe';
  semantics: StickyStatus['semantics'];
  items: ProbeItem[];
  warnings: Warning[];
}

/** kubectl diff's exit code: 1 when the wire disagrees with the prediction anywhere. */
export function probeExitCode(probe: StickyProbe): number {
  return probe.items.some((item) => item.verdict === 'disagrees') ? 1 : 0;
}
