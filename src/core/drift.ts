// Deployed vs computed: the sticky-relevant lines of each backend of a haproxy.cfg, keyed so the
// config Voyager deployed (ConfigMap voyager-<ingress>, key haproxy.cfg) and the config computed by
// render.ts can be compared (output/diff.ts prints their difference). Pure.
//
// Keys:
// - 6.0 and later: the backend name (names are deterministic there).
// - Before 6.0 names cannot be predicted: 3.x wrote `backend-<5 random chars>`, 4.x/5.x
//   `<svc>.<ns>:<port>-<6 random chars>`. Those backends are keyed by their servers instead:
//   `servers <addr:port>,<addr:port>...` (sorted), which identifies service+port whatever the name
//   era. `default-backend` keeps its name (it is fixed in every version). A backend without
//   servers keys as `servers -`. A key met again gets ` #2`, ` #3` ... in order of appearance.

import type { Deployed } from './effective.ts';
import type { Profile } from './semantics.ts';

export type KeyBy = 'name' | 'servers';

/** Where the operator keeps an Ingress's config: ConfigMap voyager-NAME in its namespace, key haproxy.cfg. */
export const CONFIG_KEY = 'haproxy.cfg';

export function configMapName(ingress: string): string {
  return `voyager-${ingress}`;
}

/** How backends are matched between configs under the profile. */
export function keyByFor(profile: Profile): KeyBy {
  return profile.rules.stableBackendNames ? 'name' : 'servers';
}

const SECTION_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'userlist',
  'peers',
  'mailers',
  'cache',
  'program',
  'http-errors',
  'ring',
  'fcgi-app',
  'crt-store',
  'traces',
]);

interface ParsedBackend {
  name: string;
  servers: string[];
  parts: string[];
}

function parseBackends(configText: string): ParsedBackend[] {
  const out: ParsedBackend[] = [];
  let current: ParsedBackend | null = null;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .replace(/\s+/g, ' ');
    if (line === '') continue;
    const tokens = line.split(' ');
    const keyword = tokens[0] ?? '';
    if (SECTION_KEYWORDS.has(keyword)) {
      current = keyword === 'backend' ? { name: tokens[1] ?? '', servers: [], parts: [] } : null;
      if (current) out.push(current);
      continue;
    }
    if (!current) continue;
    if (keyword === 'cookie' || keyword === 'stick-table' || keyword === 'stick') {
      current.parts.push(line);
    } else if (keyword === 'server') {
      const name = tokens[1] ?? '';
      current.servers.push(tokens[2] ?? '');
      const at = tokens.indexOf('cookie', 3);
      if (at > 0 && tokens[at + 1] !== undefined) current.parts.push(`server ${name} cookie ${tokens[at + 1]}`);
    }
  }
  return out;
}

/**
 * The sticky-relevant lines of every backend of a haproxy.cfg (normalised): the `cookie` line,
 * `server <name> cookie <value>` for each server line carrying a cookie, and `stick-table` /
 * `stick` lines. Backends with none of these are present with an empty list.
 */
export function stickyParts(configText: string, keyBy: KeyBy = 'name'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const backend of parseBackends(configText)) {
    let key: string;
    if (keyBy === 'name' || backend.name === 'default-backend') key = backend.name;
    else key = `servers ${backend.servers.length === 0 ? '-' : [...backend.servers].sort().join(',')}`;
    if (out.has(key)) {
      let n = 2;
      while (out.has(`${key} #${n}`)) n++;
      key = `${key} #${n}`;
    }
    out.set(key, backend.parts);
  }
  return out;
}

/** Whether HAProxy runs what the annotations say, for one backend. */
export type DeployedState = Deployed;

/**
 * For each rendered backend (in order): `in-sync` when the deployed haproxy.cfg has the same
 * sticky-relevant lines for it, `drift` when they differ or it is missing there, `unknown` when
 * there is no deployed config to compare with.
 */
export function deployedStates(computedConfig: string, deployedConfig: string | null, profile: Profile): DeployedState[] {
  const keyBy = keyByFor(profile);
  const computed = stickyParts(computedConfig, keyBy);
  if (deployedConfig === null) return [...computed.keys()].map(() => 'unknown');
  const deployed = stickyParts(deployedConfig, keyBy);
  return [...computed.entries()].map(([key, parts]) => {
    const there = deployed.get(key);
    return there !== undefined && there.length === parts.length && there.every((line, i) => line === parts[i]) ? 'in-sync' : 'drift';
  });
}
