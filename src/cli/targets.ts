// TARGET arguments (`svc/s1`, `ingress/web`, `ingresses.voyager.appscode.com/web`), parsed with
// kubectl's spelling of resource types.

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

export function parseTarget(text: string): Target {
  const slash = text.indexOf('/');
  if (slash < 0) {
    throw new UserError(`"${text}" has no resource type: write svc/${text} or ingress/${text}`);
  }
  const type = text.slice(0, slash).toLowerCase();
  const name = text.slice(slash + 1);
  if (!NAME.test(name)) throw new UserError(`invalid resource name "${name}": must be a lowercase RFC 1123 name`);
  if (SERVICE_TYPES.has(type)) return { kind: 'service', name };
  if (Object.hasOwn(INGRESS_TYPES, type)) return { kind: 'ingress', flavor: INGRESS_TYPES[type] ?? null, name };
  throw new UserError(`the server doesn't have a resource type "${text.slice(0, slash)}" (kubectl sticky works on svc/NAME and ingress/NAME)`);
}

export function targetLabel(target: Target): string {
  if (target.kind === 'service') return `service/${target.name}`;
  if (target.flavor === 'voyager') return `ingresses.voyager.appscode.com/${target.name}`;
  if (target.flavor === 'networking') return `ingresses.networking.k8s.io/${target.name}`;
  return `ingress/${target.name}`;
}
