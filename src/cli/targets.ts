// TARGET arguments (`svc/s1`, `ingress/web`, `ingresses.voyager.appscode.com/web`, `svc s1 s2`),
// parsed with kubectl's spelling of resource types.

import { UserError } from '../errors.ts';

export type Target = { kind: 'service'; name: string } | { kind: 'ingress'; flavor: 'voyager' | 'networking' | null; name: string };

const SERVICE_TYPES = new Set(['svc', 'service', 'services']);
const INGRESS_TYPES: Record<string, 'voyager' | 'networking' | null> = {
  ing: null,
  ingress: null,
  ingresses: null,
  'ingress.voyager.appscode.com': 'voyager',
  'ingresses.voyager.appscode.com': 'voyager',
  'ing.voyager.appscode.com': 'voyager',
  'ingress.networking.k8s.io': 'networking',
  'ingresses.networking.k8s.io': 'networking',
  'ing.networking.k8s.io': 'networking',
};

export type TargetKind = Target['kind'];

/**
 * The resource type words TARGET accepts for a kind, the short form first. Completion offers
 * exactly these, so what it offers always parses.
 */
export function typeWords(kind: TargetKind): string[] {
  return kind === 'service' ? [...SERVICE_TYPES] : Object.keys(INGRESS_TYPES).sort((a, b) => (a === 'ingress' ? -1 : b === 'ingress' ? 1 : 0));
}

/** The Ingress API a type word names (null: either), or undefined when it names no Ingress. */
export function ingressFlavor(word: string): 'voyager' | 'networking' | null | undefined {
  const type = word.toLowerCase();
  return Object.hasOwn(INGRESS_TYPES, type) ? (INGRESS_TYPES[type] ?? null) : undefined;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function named(kind: TargetKind, flavor: 'voyager' | 'networking' | null, name: string): Target {
  if (!NAME.test(name)) throw new UserError(`invalid resource name "${name}": must be a lowercase RFC 1123 name`);
  return kind === 'service' ? { kind, name } : { kind, flavor, name };
}

/** The kind a resource type word names, else kubectl-style words for what sticky works on. */
function typed(type: string, name: string): Target {
  const lower = type.toLowerCase();
  if (SERVICE_TYPES.has(lower)) return named('service', null, name);
  const flavor = ingressFlavor(lower);
  if (flavor !== undefined) return named('ingress', flavor, name);
  throw new UserError(`kubectl sticky works on services and ingresses, not "${type}"`);
}

export function parseTarget(text: string): Target {
  const slash = text.indexOf('/');
  if (slash < 0) throw new UserError(`"${text}" has no resource type: write svc/${text} or ingress/${text}`);
  return typed(text.slice(0, slash), text.slice(slash + 1));
}

/** A TARGET and the words it was given as (for errors). */
export interface Given {
  target: Target;
  text: string;
}

/**
 * kubectl's two forms of resource arguments: TYPE/NAME... (`svc/web ingress/shop`), or one TYPE
 * followed by its NAMEs (`svc web api`, as `kubectl get svc web api`); not both on one line.
 */
export function parseTargets(words: readonly string[]): Given[] {
  const [first, ...names] = words;
  if (first === undefined) return [];
  if (first.includes('/')) return words.map((text) => ({ target: parseTarget(text), text }));
  if (names.length === 0) {
    if (ingressFlavor(first) !== undefined || SERVICE_TYPES.has(first.toLowerCase()))
      throw new UserError(`a resource name is required after "${first}": ${first} NAME... or ${first}/NAME`);
    return [{ target: parseTarget(first), text: first }];
  }
  return names.map((name) => {
    if (name.includes('/'))
      throw new UserError(
        `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. '${name}' instead of '${first} ${name}')`,
      );
    return { target: typed(first, name), text: `${first} ${name}` };
  });
}

export function targetLabel(target: Target): string {
  if (target.kind === 'service') return `service/${target.name}`;
  if (target.flavor === 'voyager') return `ingresses.voyager.appscode.com/${target.name}`;
  if (target.flavor === 'networking') return `ingresses.networking.k8s.io/${target.name}`;
  return `ingress/${target.name}`;
}
