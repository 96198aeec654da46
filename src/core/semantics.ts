// What each Voyager operator version reads from annotations. This file is the one place that
// answers "what does version X do"; every other module asks it.
// Source: shared/reference/voyager-sticky.md, sections 2 and 4.

export type ProfileId = '3.2' | '4.0' | '5.0' | '6.0' | '9.0';

export type SemanticsSource = 'flag' | 'env' | 'operator' | 'discovery' | 'default';
export type CookieHash = 'md5' | 'sha' | 'index';

export const KEY = {
  stickySession: 'ingress.appscode.com/sticky-session',
  affinity: 'ingress.appscode.com/affinity',
  cookieName: 'ingress.appscode.com/session-cookie-name',
  cookieHash: 'ingress.appscode.com/session-cookie-hash',
  legacyAffinity: 'ingress.kubernetes.io/affinity',
  legacyCookieName: 'ingress.kubernetes.io/session-cookie-name',
  legacyCookieHash: 'ingress.kubernetes.io/session-cookie-hash',
  camelStickySession: 'ingress.appscode.com/stickySession',
  sslPassthrough: 'ingress.appscode.com/ssl-passthrough',
  replicas: 'ingress.appscode.com/replicas',
  ingressClass: 'kubernetes.io/ingress.class',
} as const;

/** Keys that turn stickiness on in some Voyager version (the ones `disable` removes). */
export const STICKY_ON_KEYS: readonly string[] = [KEY.stickySession, KEY.affinity, KEY.legacyAffinity, KEY.camelStickySession];
export const COOKIE_KEYS: readonly string[] = [KEY.cookieName, KEY.cookieHash, KEY.legacyCookieName, KEY.legacyCookieHash];

export interface Profile {
  id: ProfileId;
  /** The exact version asked for or detected, when known ("5.0.0-rc.11"); else the profile id. */
  version: string;
  /** session-cookie-hash is read (4.0.0-rc.0 and later). */
  cookieHash: boolean;
  /** Server names are `pod-<pod name>` (4.0.0-rc.2 and later) instead of `pod-<IP>`. */
  podServerNames: boolean;
  /** What the operator's parser and templates do at this version: see VERSION_RULES. */
  rules: VersionRules;
}

/**
 * Behaviours of the operator's parser and templates that changed at one release each. The key
 * names the behaviour that holds FROM that release on; every row says where in Voyager's code
 * (repository appscode/voyager at the tag) it was read.
 */
export interface VersionRules {
  /**
   * 6.0.0-rc.0: a missing Service, port or Endpoints drops only that backend (an event), where
   * before it failed the whole Ingress; names lose their random suffix; `backend.name`; the
   * backend fields are spelled backendRules/rewriteRules/headerRules (before: backendRule, ...);
   * Ingress annotations are read only under ingress.appscode.com/; TCP servers are sorted too.
   */
  skipsBrokenBackends: boolean;
  /** 7.0.0-rc.0: several TCP rules may share an address:port (hosts); 6.0.x keeps the last one. */
  tcpRulesShareFrontend: boolean;
  /** 7.3.0: a renamed duplicate backend hashes "address-host-port-path" (before: "host-port-path"). */
  collisionSeedHasAddress: boolean;
  /** 9.0.0: backends without ready endpoints are written (before: left out). */
  writesBackendsWithoutEndpoints: boolean;
  /** 9.0.0: a servicePort may name a Service port (before: the Ingress is invalid). */
  namedServicePorts: boolean;
  /** 9.0.0: `loadBalanceOn`, `alpn` and `proto` of a backend reach its section. */
  balanceAlpnProto: boolean;
  /** v11.0.0: the Service annotations agent-port / agent-interval add `agent-check` to servers. */
  agentCheck: boolean;
}

export const VERSION_RULES: readonly { rule: keyof VersionRules; since: string; source: string }[] = [
  { rule: 'skipsBrokenBackends', since: '6.0.0-rc.0', source: '5.0.0 pkg/ingress/parser.go:430-436 (return err); 6.0.0 parser.go:330-345 (event, skip)' },
  { rule: 'tcpRulesShareFrontend', since: '7.0.0-rc.0', source: '6.0.0 parser.go:551 (map overwrite); 7.0.0-rc.0 parser.go type tcpInfo' },
  {
    rule: 'collisionSeedHasAddress',
    since: '7.3.0',
    source: '7.2.0 pkg/haproxy/api/types.go canonicalize(host, port, path); 7.3.0 canonicalize(address, host, port, path)',
  },
  {
    rule: 'writesBackendsWithoutEndpoints',
    since: '9.0.0',
    source: '8.0.1 parser.go:352-358 (else if len(bk.Endpoints) == 0: skipped); 9.0.0 parser.go (event only)',
  },
  { rule: 'namedServicePorts', since: '9.0.0', source: '8.0.1 parser.go:196-202 (p.Port only); 9.0.0 getSpecifiedPort also compares p.Name' },
  { rule: 'balanceAlpnProto', since: '9.0.0', source: '8.0.1 templates/http-backend.cfg (no balance/alpn/proto); 9.0.0 http-backend.cfg' },
  { rule: 'agentCheck', since: '11.0.0', source: '10.0.0 templates/http-backend.cfg (no agent-check); v11.0.0 http-backend.cfg' },
];

function rulesAt(v: Version | 'latest'): VersionRules {
  const out = {} as Record<keyof VersionRules, boolean>;
  for (const row of VERSION_RULES) out[row.rule] = v === 'latest' || atLeast(v, row.since);
  return out;
}

/** 6.0 and later: `affinity: cookie` is the only key, and backend names are deterministic. */
export function isModern(profile: Profile): boolean {
  return profile.id === '6.0' || profile.id === '9.0';
}

/** Which profile applies and the evidence for it (src/output/semantics.ts says it in words). */
export type SemanticsChoice =
  /** env: the version came from the environment (cli/gather.ts VERSION_ENV), as the flag would. */
  | { profile: Profile; source: 'flag' | 'env' | 'discovery' }
  | { profile: Profile; source: 'operator' /** The operator's Deployment, kind/namespace/name. */; object: string }
  /** badTag: the operator image tag that is not a version, when that is why. */
  | { profile: Profile; source: 'default'; badTag: string | null };

interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers ("rc", 11); empty for a release. */
  pre: (string | number)[];
}

function parseVersion(text: string): Version | null {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!match) return null;
  // Only alpha/beta/rc are pre-releases; image tags also carry build flavours (9.0.0-alpine).
  const preText = match[4] && /^(alpha|beta|rc)/.test(match[4]) ? match[4] : '';
  const pre = preText ? preText.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)) : [];
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), patch: Number(match[3] ?? 0), pre };
}

/** Semver precedence, enough for Voyager's tags (alpha < beta < rc < release). */
function compare(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] - b[key];
  }
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function atLeast(v: Version, text: string): boolean {
  const bound = parseVersion(text);
  if (!bound) throw new Error(`bad bound ${text}`);
  return compare(v, bound) >= 0;
}

export type ProfileResult = { ok: true; profile: Profile } | { ok: false; message: string };

/**
 * Maps an operator version or image tag to its profile. Accepts semver with or without `v`
 * (3.2.0, v12.0.0, 5.0.0-rc.11), a bare profile id (6.0), and calendar tags (v2021.09.15).
 */
export function profileFor(text: string): ProfileResult {
  const trimmed = text.trim();
  const calendar = /^v?(\d{4})\.(\d{1,2})\.(\d{1,2})(?:-[0-9A-Za-z.-]+)?$/.exec(trimmed);
  if (calendar) {
    return { ok: true, profile: { id: '9.0', version: trimmed, cookieHash: true, podServerNames: true, rules: rulesAt('latest') } };
  }
  const v = parseVersion(trimmed);
  if (!v) {
    return { ok: false, message: `invalid Voyager version "${text}": want a release such as 3.2.0, 5.0.0-rc.11, v12.0.0 or v2021.09.15` };
  }
  if (!atLeast(v, '3.2.0')) {
    return { ok: false, message: `Voyager ${text} has no sticky sessions: they arrived in 3.2.0` };
  }
  const base = { version: trimmed, cookieHash: atLeast(v, '4.0.0-rc.0'), podServerNames: atLeast(v, '4.0.0-rc.2'), rules: rulesAt(v) };
  let id: ProfileId;
  if (atLeast(v, '9.0.0')) id = '9.0';
  else if (atLeast(v, '6.0.0-rc.0')) id = '6.0';
  else if (atLeast(v, '5.0.0-rc.11')) id = '5.0';
  else if (atLeast(v, '4.0.0-alpha.1')) id = '4.0';
  else id = '3.2';
  return { ok: true, profile: { id, ...base } };
}

/**
 * Releases past the newest the reference describes (section 8: v13 and the calendar releases up to
 * v2026.x): they get the newest profile, which is a guess worth saying.
 */
export function isNewerThanKnown(version: string): boolean {
  const calendar = /^v?(\d{4})\./.exec(version.trim());
  if (calendar) return Number(calendar[1]) > NEWEST_KNOWN.calendarYear;
  const v = parseVersion(version);
  return v !== null && v.major > NEWEST_KNOWN.major;
}

export const NEWEST_KNOWN = { major: 13, calendarYear: 2026 } as const;

export function defaultProfile(): Profile {
  const result = profileFor('3.2.0');
  if (!result.ok) throw new Error(result.message);
  return { ...result.profile, version: '3.2' };
}

/** Go's strconv.ParseBool: anything it does not accept is read as false by Voyager. */
export function parseGoBool(value: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return null;
}

export type Annotations = Readonly<Record<string, string>>;

/** First key present wins, as Voyager's multi-key lookups do. */
function lookup(annotations: Annotations, keys: readonly string[]): { key: string; value: string } | null {
  for (const key of keys) {
    const value = annotations[key];
    if (value !== undefined) return { key, value };
  }
  return null;
}

/** The keys that can make an Ingress sticky under the profile, in Voyager's look-up order. */
function ingressAffinityKeys(profile: Profile): string[] {
  switch (profile.id) {
    case '3.2':
      return [];
    case '4.0':
      return [KEY.legacyAffinity];
    case '5.0':
      return [KEY.legacyAffinity, KEY.affinity];
    default:
      return [KEY.affinity];
  }
}

/**
 * The keys an Ingress annotation is looked up under. Before 6.0 every Ingress annotation was read
 * as `ingress.kubernetes.io/<name>` first, then `ingress.appscode.com/<name>` (5.0.0
 * apis/voyager/v1beta1/annotations.go getString/getBool via toIngressKey); from 6.0 only the latter.
 */
export function ingressKeys(profile: Profile, name: string): string[] {
  const own = `ingress.appscode.com/${name}`;
  return profile.rules.skipsBrokenBackends ? [own] : [`ingress.kubernetes.io/${name}`, own];
}

/**
 * The Event reasons the operator records on an Ingress, by what happened. 6.0.0-rc.0 renamed them
 * (5.0.0 pkg/eventer/recorder.go "HAProxyConfigCreateFailed", "ConfigMapCreateSuccessful";
 * 6.0.0-rc.0 "HAProxyConfigFailed", "ConfigMapReconcileSuccessful", and BackendInvalid arrived).
 */
export function eventReasons(profile: Profile): {
  invalid: string;
  configFailed: string;
  serviceFailed: string;
  written: string;
  backendInvalid: string | null;
} {
  return profile.rules.skipsBrokenBackends
    ? {
        invalid: 'IngressInvalid',
        configFailed: 'HAProxyConfigFailed',
        serviceFailed: 'ServiceReconcileFailed',
        written: 'ConfigMapReconcileSuccessful',
        backendInvalid: 'BackendInvalid',
      }
    : {
        invalid: 'IngressInvalid',
        configFailed: 'HAProxyConfigCreateFailed',
        serviceFailed: 'ServiceCreateFailed',
        written: 'ConfigMapCreateSuccessful',
        backendInvalid: null,
      };
}

/** An Ingress annotation's value as the operator reads it ('' when absent). */
export function ingressAnnotation(profile: Profile, annotations: Annotations, name: string): string {
  return lookup(annotations, ingressKeys(profile, name))?.value ?? '';
}

export interface StickyReading {
  sticky: boolean;
  /** The annotation key that decided it, when one did. */
  key: string | null;
}

export function ingressSticky(profile: Profile, annotations: Annotations): StickyReading {
  if (isModern(profile)) {
    return annotations[KEY.affinity] === 'cookie' ? { sticky: true, key: KEY.affinity } : { sticky: false, key: null };
  }
  const affinity = lookup(annotations, ingressAffinityKeys(profile));
  if (affinity && affinity.value !== '') return { sticky: true, key: affinity.key };
  const session = annotations[KEY.stickySession];
  if (session !== undefined && parseGoBool(session) === true) return { sticky: true, key: KEY.stickySession };
  return { sticky: false, key: null };
}

export function serviceSticky(profile: Profile, annotations: Annotations): StickyReading {
  if (isModern(profile)) {
    return annotations[KEY.affinity] === 'cookie' ? { sticky: true, key: KEY.affinity } : { sticky: false, key: null };
  }
  const session = annotations[KEY.stickySession];
  if (session !== undefined && parseGoBool(session) === true) return { sticky: true, key: KEY.stickySession };
  return { sticky: false, key: null };
}

/** Cookie keys (name, hash) read from an object of this role, in look-up order; [] if never read. */
export function cookieKeys(profile: Profile, role: 'ingress' | 'service'): { name: string[]; hash: string[] } {
  if (profile.id === '3.2') return { name: [], hash: [] };
  if (role === 'service' && profile.id !== '9.0') return { name: [], hash: [] };
  let name: string[];
  if (profile.id === '4.0') name = [KEY.legacyCookieName];
  else if (profile.id === '5.0') name = [KEY.legacyCookieName, KEY.cookieName];
  else name = [KEY.cookieName];
  let hash: string[] = [];
  if (profile.cookieHash) {
    if (profile.id === '4.0') hash = [KEY.legacyCookieHash];
    else if (profile.id === '5.0') hash = [KEY.legacyCookieHash, KEY.cookieHash];
    else hash = [KEY.cookieHash];
  }
  return { name, hash };
}

export interface CookieSetting {
  name: string;
  hash: CookieHash | null;
  /** The hash annotation's value when it is set but not a hash Voyager knows. */
  invalidHash: string | null;
}

export const DEFAULT_COOKIE = 'SERVERID';
const HASHES: readonly string[] = ['md5', 'sha', 'index'];

export function isCookieHash(value: string): value is CookieHash {
  return HASHES.includes(value);
}

export function readCookie(profile: Profile, role: 'ingress' | 'service', annotations: Annotations): CookieSetting {
  const keys = cookieKeys(profile, role);
  const name = lookup(annotations, keys.name)?.value || DEFAULT_COOKIE;
  const hashValue = lookup(annotations, keys.hash)?.value ?? '';
  const hash = isCookieHash(hashValue) ? hashValue : null;
  return { name, hash, invalidHash: hash === null && hashValue !== '' ? hashValue : null };
}

/** Which object's cookie settings a sticky cookie backend uses. */
export function cookieSourceRole(profile: Profile, ingressIsSticky: boolean): 'ingress' | 'service' {
  return profile.id === '9.0' && !ingressIsSticky ? 'service' : 'ingress';
}

/** The annotation that `enable` writes to make an object sticky under the profile. */
export function enableAnnotation(profile: Profile): { key: string; value: string } {
  return isModern(profile) ? { key: KEY.affinity, value: 'cookie' } : { key: KEY.stickySession, value: 'true' };
}

export function describeProfile(profile: Profile): string {
  return profile.version === profile.id ? `Voyager ${profile.id}` : `Voyager ${profile.version} (${profile.id} semantics)`;
}

export interface OperatorDeployment {
  object: string;
  labels: Readonly<Record<string, string>>;
  images: readonly string[];
}

export interface SemanticsEvidence {
  /** --voyager-version, when given. */
  flag: string | null;
  /** Deployments that may be the operator (live: found by label; offline: all in the files). */
  deployments: readonly OperatorDeployment[];
  /** Versions of voyager.appscode.com the server serves; null when discovery was not possible. */
  servedVersions: readonly string[] | null;
}

const OPERATOR_IMAGE = /^(?:[^/]+\/)*(?:appscode|voyagermesh)\/voyager:([^@\s]+)(?:@.*)?$/;

function isOperator(deployment: OperatorDeployment): boolean {
  return deployment.labels['app.kubernetes.io/name'] === 'voyager' || deployment.labels['app'] === 'voyager';
}

/** The operator's version from its Deployment's image tag, when one is there. */
export function operatorVersion(deployments: readonly OperatorDeployment[]): { object: string; tag: string } | null {
  for (const deployment of deployments) {
    if (!isOperator(deployment)) continue;
    for (const image of deployment.images) {
      const tag = OPERATOR_IMAGE.exec(image)?.[1];
      if (tag) return { object: deployment.object, tag };
    }
  }
  return null;
}

/** Which profile applies, best evidence first: the flag, the operator's image, discovery, else 3.2. */
export function chooseSemantics(evidence: SemanticsEvidence): { ok: true; choice: SemanticsChoice } | { ok: false; message: string } {
  if (evidence.flag !== null) {
    const result = profileFor(evidence.flag);
    if (!result.ok) return result;
    return { ok: true, choice: { profile: result.profile, source: 'flag' } };
  }
  const operator = operatorVersion(evidence.deployments);
  if (operator) {
    const result = profileFor(operator.tag);
    if (result.ok) {
      return {
        ok: true,
        choice: { profile: result.profile, source: 'operator', object: operator.object },
      };
    }
  }
  if (evidence.servedVersions?.includes('v1')) {
    const profile: Profile = { id: '9.0', version: '9.0', cookieHash: true, podServerNames: true, rules: rulesAt('latest') };
    return { ok: true, choice: { profile, source: 'discovery' } };
  }
  return { ok: true, choice: { profile: defaultProfile(), source: 'default', badTag: operator?.tag ?? null } };
}
