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

export type ObjectKind = 'ingress' | 'service';

/** What a sticky key does when a version reads it. */
export type KeyRole = 'sticky' | 'cookie-name' | 'cookie-hash';

/** How a version reads a key's value. */
export type Accepts =
  /** Go's strconv.ParseBool true; anything else is false. */
  | { kind: 'go-bool' }
  /** Any non-empty value, even "false". */
  | { kind: 'non-empty' }
  /** Exactly this text (case-sensitive, untrimmed). */
  | { kind: 'exactly'; value: string }
  /** Any non-empty value is the cookie name; empty or absent means SERVERID. */
  | { kind: 'cookie-name' }
  /** One of these hashes; anything else means no hash. */
  | { kind: 'cookie-hash'; values: readonly CookieHash[] };

interface Reading {
  since: string;
  /** The first release that no longer reads it this way; null: still read. */
  until: string | null;
  on: readonly ObjectKind[];
  accepts: Accepts;
}

/**
 * One sticky annotation key, declared once: what it does, which versions read it from which
 * objects and how. Every question about a key (does version X read it here, what does it make of
 * this value, which key wins, what does enable write) is answered from this table.
 */
export interface StickyKey {
  key: string;
  role: KeyRole;
  /**
   * Look-up order among the keys of one role: lower first. Two spellings of one annotation name
   * (ingress.kubernetes.io/X, ingress.appscode.com/X) are one look-up: the first present wins,
   * even when its value says nothing (5.0.0 annotations.go getString via toIngressKey).
   */
  rank: number;
  reads: readonly Reading[];
}

const GO_BOOL: Accepts = { kind: 'go-bool' };
const NON_EMPTY: Accepts = { kind: 'non-empty' };
const COOKIE: Accepts = { kind: 'exactly', value: 'cookie' };
const NAME: Accepts = { kind: 'cookie-name' };
const HASH: Accepts = { kind: 'cookie-hash', values: ['md5', 'sha', 'index'] };

// Declaration order is the order keys are listed in (disable's patch, upgrade-check causes).
export const STICKY_KEYS: readonly StickyKey[] = [
  {
    key: KEY.stickySession,
    role: 'sticky',
    rank: 2,
    reads: [
      // voyager-sticky.md §2: sticky-session ParseBool, 3.2 to 5.x
      { since: '3.2.0', until: '6.0.0-rc.0', on: ['ingress', 'service'], accepts: GO_BOOL },
    ],
  },
  {
    key: KEY.affinity,
    role: 'sticky',
    rank: 1,
    reads: [
      // voyager-sticky.md §2: 5.0.0-rc.11, affinity under either prefix
      { since: '5.0.0-rc.11', until: '6.0.0-rc.0', on: ['ingress'], accepts: NON_EMPTY },
      // voyager-sticky.md §2: 6.0.0-rc.0 on, exactly cookie
      { since: '6.0.0-rc.0', until: null, on: ['ingress', 'service'], accepts: COOKIE },
    ],
  },
  {
    key: KEY.legacyAffinity,
    role: 'sticky',
    rank: 0,
    // voyager-sticky.md §2: 4.0.0-alpha.1, non-empty
    reads: [{ since: '4.0.0-alpha.1', until: '6.0.0-rc.0', on: ['ingress'], accepts: NON_EMPTY }],
  },
  // Not a Voyager key in any version; users write it, and disable removes it.
  { key: KEY.camelStickySession, role: 'sticky', rank: 3, reads: [] },
  {
    key: KEY.cookieName,
    role: 'cookie-name',
    rank: 1,
    reads: [
      // voyager-sticky.md §2: 5.0.0-rc.11, either prefix
      { since: '5.0.0-rc.11', until: '9.0.0', on: ['ingress'], accepts: NAME },
      // voyager-sticky.md §2: 9.0.0, the Service's keys when only it is sticky
      { since: '9.0.0', until: null, on: ['ingress', 'service'], accepts: NAME },
    ],
  },
  {
    key: KEY.cookieHash,
    role: 'cookie-hash',
    rank: 1,
    reads: [
      // voyager-sticky.md §2: 5.0.0-rc.11, either prefix
      { since: '5.0.0-rc.11', until: '9.0.0', on: ['ingress'], accepts: HASH },
      // voyager-sticky.md §2: 9.0.0
      { since: '9.0.0', until: null, on: ['ingress', 'service'], accepts: HASH },
    ],
  },
  {
    key: KEY.legacyCookieName,
    role: 'cookie-name',
    rank: 0,
    // voyager-sticky.md §2: 4.0.0-alpha.1
    reads: [{ since: '4.0.0-alpha.1', until: '6.0.0-rc.0', on: ['ingress'], accepts: NAME }],
  },
  {
    key: KEY.legacyCookieHash,
    role: 'cookie-hash',
    rank: 0,
    // voyager-sticky.md §2: hash from 4.0.0-rc.0
    reads: [{ since: '4.0.0-rc.0', until: '6.0.0-rc.0', on: ['ingress'], accepts: HASH }],
  },
];

const keysOfRole = (role: KeyRole | 'cookie') => STICKY_KEYS.filter((k) => (role === 'cookie' ? k.role !== 'sticky' : k.role === role)).map((k) => k.key);
/** Keys that turn stickiness on in some Voyager version (the ones `disable` removes). */
export const STICKY_ON_KEYS: readonly string[] = keysOfRole('sticky');
export const COOKIE_KEYS: readonly string[] = keysOfRole('cookie');

/** A key as one version reads it on one kind of object. */
export interface KeyUse {
  key: string;
  role: KeyRole;
  on: ObjectKind;
  accepts: Accepts;
}

function keysAt(v: Version | 'latest'): KeyUse[] {
  const inForce = (r: Reading) => (v === 'latest' ? r.until === null : atLeast(v, r.since) && (r.until === null || !atLeast(v, r.until)));
  const out: KeyUse[] = [];
  for (const declared of [...STICKY_KEYS].sort((a, b) => a.rank - b.rank)) {
    for (const reading of declared.reads.filter(inForce)) {
      for (const on of reading.on) out.push({ key: declared.key, role: declared.role, on, accepts: reading.accepts });
    }
  }
  return out;
}

export interface Profile {
  id: ProfileId;
  /** The exact version asked for or detected, when known ("5.0.0-rc.11"); else the profile id. */
  version: string;
  /** session-cookie-hash is read (4.0.0-rc.0 and later). */
  cookieHash: boolean;
  /** The sticky keys this version reads, by object kind, in look-up order (from STICKY_KEYS). */
  keys: readonly KeyUse[];
  /** Sticky keys an earlier version read and this one reads nowhere. */
  retiredKeys: readonly string[];
  /** Server names are `pod-<pod name>` (4.0.0-rc.2 and later) instead of `pod-<IP>`. */
  podServerNames: boolean;
  /** What the operator's parser and templates do at this version: see VERSION_RULES. */
  rules: VersionRules;
  /**
   * Whose code the semantics come from: `assumed` when the version is newer than the newest public
   * code (NEWEST_PUBLIC_CODE), whose semantics then stand in for the closed-source release's.
   */
  basis: { code: string; assumed: boolean };
}

/**
 * The newest public operator code: appscode/voyager 44fe45eac (2021-05-11), v13.0.0-rc.0 plus a
 * toolchain update that changes no rendering. v13.0.0, v2021.09.15 and every later release
 * (serving voyager.appscode.com/v1) were built from closed source (voyager-sticky.md section 8).
 */
export const NEWEST_PUBLIC_CODE = 'v13.0.0-rc.0';

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
  /** 6.0.0-rc.0: backend names are `<svc>.<ns>:<port>` (before: a random suffix, so configs compare by servers). */
  stableBackendNames: boolean;
  /** 6.0.0-rc.0: the default backend's cookie is the Ingress's session-cookie-name (before: always SERVERID). */
  defaultBackendCookieName: boolean;
  /** 6.0.0-rc.0: a Service update re-renders the Ingresses that use it (before: only the next Ingress change does). */
  rerendersOnServiceChange: boolean;
  /** v11.0.0: a Pod's backend-weight is written whenever it is annotated and not negative, 0 too (before: when not 0). */
  weightFromMinusOne: boolean;
  /** v13.0.0-rc.0: the operator installs its Ingress CRD with a full schema: the API server refuses what it does not fit (crd.ts). */
  crdSchema: boolean;
  /**
   * v2021.10.16: a voyager.appscode.com/v1 backend has no rewriteRules or headerRules (the CRD
   * prunes them; v2021.09.15's v1 still had them, deprecated). v1beta1 objects keep them.
   */
  v1WithoutRewriteHeaderRules: boolean;
}

export const VERSION_RULES: readonly { rule: keyof VersionRules; since: string }[] = [
  // 5.0.0 pkg/ingress/parser.go:430-436 (return err); 6.0.0 parser.go:330-345 (event, skip)
  { rule: 'skipsBrokenBackends', since: '6.0.0-rc.0' },
  // 6.0.0 parser.go:551 (map overwrite); 7.0.0-rc.0 parser.go type tcpInfo
  { rule: 'tcpRulesShareFrontend', since: '7.0.0-rc.0' },
  // 7.2.0 pkg/haproxy/api/types.go canonicalize(host, port, path); 7.3.0 canonicalize(address, host, port, path)
  { rule: 'collisionSeedHasAddress', since: '7.3.0' },
  // 8.0.1 parser.go:352-358 (else if len(bk.Endpoints) == 0: skipped); 9.0.0 parser.go (event only)
  { rule: 'writesBackendsWithoutEndpoints', since: '9.0.0' },
  // 8.0.1 parser.go:196-202 (p.Port only); 9.0.0 getSpecifiedPort also compares p.Name
  { rule: 'namedServicePorts', since: '9.0.0' },
  // 8.0.1 templates/http-backend.cfg (no balance/alpn/proto); 9.0.0 http-backend.cfg
  { rule: 'balanceAlpnProto', since: '9.0.0' },
  // voyager-sticky.md §4: names carry a random suffix before 6.0
  { rule: 'stableBackendNames', since: '6.0.0-rc.0' },
  // 5.0.0 templates/default-backend.cfg writes a fixed cookie SERVERID (voyager-sticky.md §4)
  { rule: 'defaultBackendCookieName', since: '6.0.0-rc.0' },
  // voyager-sticky.md §3: before 6.0 a Service change does not re-render
  { rule: 'rerendersOnServiceChange', since: '6.0.0-rc.0' },
  // 10.0.0 templates/http-backend.cfg (no agent-check); v11.0.0 http-backend.cfg
  { rule: 'agentCheck', since: '11.0.0' },
  // 10.0.0 parser.go (Weight unset: 0) and templates `if $e.Weight`; v11.0.0 parser.go:137 (Weight: -1), templates `if gt $e.Weight -1`
  { rule: 'weightFromMinusOne', since: '11.0.0' },
  // v13.0.0-rc.0 (44fe45eac) crds/voyager.appscode.com_ingresses.v1.yaml (apiextensions v1, structural; kmodules RegisterCRDs on >= 1.16); shared/operator c116, c124 refused (spec.configVolumes[0].mountPath: Required value)
  { rule: 'crdSchema', since: '13.0.0-rc.0' },
  // voyagermesh/apimachinery v0.1.0 (c844b9996, v2021.09.15) apis/voyager/v1/ingress.go:74, :342, :394-406 (HTTPIngressBackend: rewriteRules, headerRules); v0.1.1 (a7704e79f, v2021.10.16; 4216e746e "Remove deprecated fields") IngressBackend only
  { rule: 'v1WithoutRewriteHeaderRules', since: '2021.10.16' },
];

function rulesAt(v: Version | 'latest'): VersionRules {
  const out = {} as Record<keyof VersionRules, boolean>;
  for (const row of VERSION_RULES) out[row.rule] = v === 'latest' || atLeast(v, row.since);
  return out;
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
    // Every bound's pre-release is [alpha|beta|rc, number] and a version's starts with such a word, so
    // the bound's side is a number wherever the version's is: a number never meets a word from the bound.
    // Stryker disable next-line ConditionalExpression: see above
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    // Stryker disable next-line ConditionalExpression,StringLiteral,UnaryOperator: see above
    if (typeof x === 'number') return -1;
    // Stryker disable next-line ConditionalExpression,StringLiteral: a word against a number falls through to x < y, false for a word, so 1 either way
    if (typeof y === 'number') return 1;
    // Stryker disable next-line EqualityOperator: x === y was handled above
    return x < y ? -1 : 1;
  }
  return 0;
}

/** A bound of this file as a Version. */
function boundOf(text: string): Version {
  const bound = parseVersion(text);
  // Stryker disable next-line ConditionalExpression,StringLiteral: every bound is a constant of this file and parses; the throw only narrows the type
  if (!bound) throw new Error(`bad bound ${text}`);
  return bound;
}

function atLeast(v: Version, text: string): boolean {
  return compare(v, boundOf(text)) >= 0;
}

export type ProfileResult = { ok: true; profile: Profile } | { ok: false; message: string };

/**
 * Maps an operator version or image tag to its profile. Accepts semver with or without `v`
 * (3.2.0, v12.0.0, 5.0.0-rc.11), a bare profile id (6.0), and calendar tags (v2021.09.15).
 */
export function profileFor(text: string): ProfileResult {
  const trimmed = text.trim();
  // A calendar tag (v2021.09.15) is a version past every semver bound here, ordered by its date among
  // the calendar bounds (v1WithoutRewriteHeaderRules): it gets the newest rules as it is.
  const v = parseVersion(trimmed);
  if (!v) {
    return { ok: false, message: `invalid Voyager version "${text}": want a release such as 3.2.0, 5.0.0-rc.11, v12.0.0 or v2021.09.15` };
  }
  if (!atLeast(v, '3.2.0')) {
    return { ok: false, message: `Voyager ${text} has no sticky sessions: they arrived in 3.2.0` };
  }
  let id: ProfileId;
  if (atLeast(v, '9.0.0')) id = '9.0';
  else if (atLeast(v, '6.0.0-rc.0')) id = '6.0';
  else if (atLeast(v, '5.0.0-rc.11')) id = '5.0';
  else if (atLeast(v, '4.0.0-alpha.1')) id = '4.0';
  else id = '3.2';
  return { ok: true, profile: makeProfile(id, trimmed, v) };
}

function makeProfile(id: ProfileId, version: string, v: Version | 'latest'): Profile {
  const keys = keysAt(v);
  return {
    id,
    version,
    cookieHash: keys.some((k) => k.role === 'cookie-hash'),
    podServerNames: v === 'latest' || atLeast(v, '4.0.0-rc.2'),
    keys,
    retiredKeys: STICKY_KEYS.filter(
      (k) => !keys.some((u) => u.key === k.key) && k.reads.some((r) => r.until !== null && (v === 'latest' || atLeast(v, r.until))),
    ).map((k) => k.key),
    rules: rulesAt(v),
    basis: { code: v === 'latest' || atLeast(v, NEWEST_PUBLIC_CODE) ? NEWEST_PUBLIC_CODE : version, assumed: v === 'latest' || !atMost(v, NEWEST_PUBLIC_CODE) },
  };
}

function atMost(v: Version, text: string): boolean {
  return compare(v, boundOf(text)) <= 0;
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
  return { ...makeProfile('3.2', '3.2.0', boundOf('3.2.0')), version: '3.2' };
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

/**
 * The keys an Ingress annotation is looked up under. Before 6.0 every Ingress annotation was read
 * as `ingress.kubernetes.io/<name>` first, then `ingress.appscode.com/<name>` (5.0.0
 * apis/voyager/v1beta1/annotations.go getString/getBool via toIngressKey); from 6.0 only the latter.
 */
export function ingressKeys(profile: Profile, name: string): string[] {
  const own = `ingress.appscode.com/${name}`;
  return profile.rules.skipsBrokenBackends ? [own] : [`ingress.kubernetes.io/${name}`, own];
}

export interface EventReasons {
  invalid: string;
  configFailed: string;
  configMapFailed: string;
  serviceFailed: string;
  written: string;
  backendInvalid: string | null;
}

/**
 * The Event reasons the operator records on an Ingress, by what happened. 6.0.0-rc.0 renamed them
 * (5.0.0 pkg/eventer/recorder.go "HAProxyConfigCreateFailed", "ConfigMapCreateSuccessful";
 * 6.0.0-rc.0 "HAProxyConfigFailed", "ConfigMapReconcileSuccessful", and BackendInvalid arrived).
 */
const EVENT_REASONS: { before6: EventReasons; since6: EventReasons } = {
  before6: {
    invalid: 'IngressInvalid',
    configFailed: 'HAProxyConfigCreateFailed',
    configMapFailed: 'ConfigMapCreateFailed',
    serviceFailed: 'ServiceCreateFailed',
    written: 'ConfigMapCreateSuccessful',
    backendInvalid: null,
  },
  since6: {
    invalid: 'IngressInvalid',
    configFailed: 'HAProxyConfigFailed',
    configMapFailed: 'ConfigMapReconcileFailed',
    serviceFailed: 'ServiceReconcileFailed',
    written: 'ConfigMapReconcileSuccessful',
    backendInvalid: 'BackendInvalid',
  },
};

export function eventReasons(profile: Profile): EventReasons {
  return profile.rules.skipsBrokenBackends ? EVENT_REASONS.since6 : EVENT_REASONS.before6;
}

/** The reasons any version records for these happenings: Events outlive upgrades. */
export function reasonsOfAnyVersion(...what: (keyof EventReasons)[]): Set<string> {
  const out = new Set<string>();
  for (const reasons of [EVENT_REASONS.before6, EVENT_REASONS.since6]) {
    for (const key of what) {
      const reason = reasons[key];
      if (reason !== null) out.add(reason);
    }
  }
  return out;
}

/** An Ingress annotation's value as the operator reads it ('' when absent). */
export function ingressAnnotation(profile: Profile, annotations: Annotations, name: string): string {
  return lookup(annotations, ingressKeys(profile, name))?.value ?? '';
}

/** The keys of a role the version reads on an object of this kind, in look-up order. */
export function keysRead(profile: Profile, kind: ObjectKind, role?: KeyRole): KeyUse[] {
  return profile.keys.filter((k) => k.on === kind && (role === undefined || k.role === role));
}

/** How the version reads `key` on an object of this kind; null when it does not read it there. */
export function readingOf(profile: Profile, kind: ObjectKind, key: string): KeyUse | null {
  return profile.keys.find((k) => k.on === kind && k.key === key) ?? null;
}

/** The version reads the key on no object at all, although an earlier version did. */
export function retired(profile: Profile, key: string): boolean {
  return profile.retiredKeys.includes(key);
}

/** The release that stopped reading the key, as users name it ("6.0" for 6.0.0-rc.0). */
export function retiredSince(key: string): string {
  // A retired key's readings all end; the last one ended last.
  const last = STICKY_KEYS.find((k) => k.key === key)?.reads.at(-1)?.until ?? '';
  const v = parseVersion(last);
  return v ? `${v.major}.${v.minor}` : last;
}

/** Whether a value makes the key say "on" (sticky) to a reading that turns stickiness on. */
export function acceptsValue(accepts: Accepts, value: string): boolean {
  switch (accepts.kind) {
    case 'go-bool':
      return parseGoBool(value) === true;
    case 'non-empty':
      return value !== '';
    case 'exactly':
      return value === accepts.value;
    case 'cookie-name':
      return value !== '';
    case 'cookie-hash':
      return (accepts.values as readonly string[]).includes(value);
  }
}

/** Annotation names without their prefix: the spellings of one look-up. */
const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);

/** The first present key of each look-up among these keys (one per annotation name). */
function firstPresent(uses: readonly KeyUse[], annotations: Annotations): { use: KeyUse; value: string }[] {
  const seen = new Set<string>();
  const out: { use: KeyUse; value: string }[] = [];
  for (const use of uses) {
    const value = annotations[use.key];
    if (value === undefined || seen.has(nameOf(use.key))) continue;
    seen.add(nameOf(use.key));
    out.push({ use, value });
  }
  return out;
}

export interface StickyReading {
  sticky: boolean;
  /** The annotation key that decided it, when one did. */
  key: string | null;
}

/** Whether the object's own annotations make its backends sticky under the version. */
export function stickyReading(profile: Profile, kind: ObjectKind, annotations: Annotations): StickyReading {
  const on = firstPresent(keysRead(profile, kind, 'sticky'), annotations).find(({ use, value }) => acceptsValue(use.accepts, value));
  return on ? { sticky: true, key: on.use.key } : { sticky: false, key: null };
}

export function ingressSticky(profile: Profile, annotations: Annotations): StickyReading {
  return stickyReading(profile, 'ingress', annotations);
}

export function serviceSticky(profile: Profile, annotations: Annotations): StickyReading {
  return stickyReading(profile, 'service', annotations);
}

/** Cookie keys (name, hash) read from an object of this kind, in look-up order; [] if never read. */
export function cookieKeys(profile: Profile, kind: ObjectKind): { name: string[]; hash: string[] } {
  return { name: keysRead(profile, kind, 'cookie-name').map((k) => k.key), hash: keysRead(profile, kind, 'cookie-hash').map((k) => k.key) };
}

export interface CookieSetting {
  name: string;
  hash: CookieHash | null;
  /** The hash annotation's value when it is set but not a hash Voyager knows. */
  invalidHash: string | null;
}

export const DEFAULT_COOKIE = 'SERVERID';

export function isCookieHash(value: string): value is CookieHash {
  return acceptsValue(HASH, value);
}

export function readCookie(profile: Profile, kind: ObjectKind, annotations: Annotations): CookieSetting {
  const keys = cookieKeys(profile, kind);
  const name = lookup(annotations, keys.name)?.value || DEFAULT_COOKIE;
  const hashValue = lookup(annotations, keys.hash)?.value ?? '';
  const hash = isCookieHash(hashValue) ? hashValue : null;
  return { name, hash, invalidHash: hash === null && hashValue !== '' ? hashValue : null };
}

/** Which object's cookie settings a sticky cookie backend uses: the Service's only when the version reads them and the Ingress is not sticky. */
export function cookieSourceRole(profile: Profile, ingressIsSticky: boolean): ObjectKind {
  return !ingressIsSticky && keysRead(profile, 'service', 'cookie-name').length > 0 ? 'service' : 'ingress';
}

/** The annotation that `enable` writes under the profile: the sticky key it reads on both kinds, with the value it reads as on. */
export function enableAnnotation(profile: Profile): { key: string; value: string } {
  // Every version reads its first Service sticky key on Ingresses too (STICKY_KEYS), so the find
  // never passes one over nor comes back empty: the check and the throw keep the rule said and typed.
  // Stryker disable next-line ConditionalExpression: see above
  const both = keysRead(profile, 'service', 'sticky').find((k) => readingOf(profile, 'ingress', k.key) !== null);
  // Stryker disable next-line ConditionalExpression,StringLiteral: see above
  if (!both) throw new Error(`no sticky key is read on both kinds by ${profile.version}`);
  return { key: both.key, value: both.accepts.kind === 'exactly' ? both.accepts.value : 'true' };
}

/** enableAnnotation as a manifest line: `key: cookie`, `key: "true"` (YAML would read a bare true as a boolean). */
export function enableText(profile: Profile): string {
  const on = enableAnnotation(profile);
  return `${on.key}: ${on.value === 'true' ? '"true"' : on.value}`;
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
    return { ok: true, choice: { profile: makeProfile('9.0', '9.0', 'latest'), source: 'discovery' } };
  }
  return { ok: true, choice: { profile: defaultProfile(), source: 'default', badTag: operator?.tag ?? null } };
}
