// What status shows, from what was gathered: the Ingresses and backends the flags pick, judged by
// the core, with the deployed-config comparison. Pure; status and status --watch share it.

import { analyse, type StatusItem, type StickyStatus } from '../core/effective.ts';
import { matchesSelector, parseSelector } from '../core/selector.ts';
import { CONFIG_KEY, configMapName, deployedStates } from '../core/drift.ts';
import type { IngressView } from '../core/objects.ts';
import type { IngressConfig } from '../core/parse.ts';
import { formatBackends, renderConfig, type RenderedBackend } from '../core/render.ts';
import { notFound } from '../errors.ts';
import type { StatusOptions } from './commands.ts';
import type { Gathered, GatherNeeds } from './gather.ts';
import type { Target } from './targets.ts';

/** What to do, from the flags: everything about them was checked while parsing. */
interface Plan {
  targets: Target[];
  /** Compare with the deployed haproxy.cfg (always with -o wide). */
  deployed: boolean;
  output: StatusOptions['output'];
  selector: string | undefined;
}

export function plan(options: StatusOptions): Plan {
  return { targets: options.targets, output: options.output, selector: options.selector, deployed: options.deployed || options.output?.format === 'wide' };
}

/** The Ingresses -l and the ingress/NAME targets pick. */
function selectIngresses(ingresses: readonly IngressView[], options: Plan): IngressView[] {
  const parsed = options.selector === undefined ? null : parseSelector(options.selector);
  const requirements = parsed?.ok ? parsed.requirements : [];
  const ingressTargets = options.targets.filter((t): t is Extract<Target, { kind: 'ingress' }> => t.kind === 'ingress');
  return ingresses.filter(
    (ingress) =>
      matchesSelector(requirements, ingress.meta.labels) &&
      (ingressTargets.length === 0 || ingressTargets.some((t) => t.name === ingress.meta.name && (t.flavor === null || t.flavor === ingress.flavor))),
  );
}

function selectItems(status: StickyStatus, targets: Target[], gathered: Gathered): StatusItem[] {
  const services = targets.filter((t) => t.kind === 'service').map((t) => t.name);
  return status.items.filter(
    (item) =>
      (gathered.scope === '' || item.ingress.namespace === gathered.scope) &&
      (services.length === 0 || (services.includes(item.service.name) && (gathered.scope === '' || item.service.namespace === gathered.scope))),
  );
}

export function checkTargetsFound(targets: Target[], gathered: Gathered, ingresses: readonly IngressView[], items: StatusItem[]): void {
  for (const target of targets) {
    if (target.kind === 'ingress') {
      const found = ingresses.some((i) => i.meta.name === target.name);
      if (!found) throw notFound('ingresses', target.name);
    } else {
      const inScope = (namespace: string) => gathered.scope === '' || namespace === gathered.scope;
      const exists =
        gathered.objects.services.some((s) => s.meta.name === target.name && inScope(s.meta.namespace)) || items.some((i) => i.service.name === target.name);
      if (!exists) throw notFound('services', target.name);
    }
  }
}

/** With filters, only the warnings about the objects of the rows shown. */
function selectedWarnings(full: StickyStatus, items: StatusItem[]): StickyStatus['warnings'] {
  if (items.length === full.items.length) return full.warnings;
  const objects = new Set(items.flatMap((i) => [`ingress/${i.ingress.namespace}/${i.ingress.name}`, `service/${i.service.namespace}/${i.service.name}`]));
  return full.warnings.filter((w) => objects.has(w.object));
}

const sameBackend = (item: StatusItem, b: RenderedBackend) =>
  b.declared === item.backend.type &&
  b.host === item.backend.host &&
  b.path === item.backend.path &&
  b.service.namespace === item.service.namespace &&
  b.service.name === item.service.name &&
  b.service.port === item.service.port;

/** Sets each item's `deployed`: does the haproxy.cfg in ConfigMap voyager-<ingress> match? */
function addDeployed(items: StatusItem[], gathered: Gathered, parsed: ReadonlyMap<IngressView, IngressConfig>): void {
  const profile = gathered.choice.profile;
  const byIngress = new Map<string, StatusItem[]>();
  for (const item of items) {
    const key = `${item.ingress.apiVersion}/${item.ingress.namespace}/${item.ingress.name}`;
    byIngress.set(key, [...(byIngress.get(key) ?? []), item]);
  }
  const ingresses = new Map(gathered.objects.ingresses.map((i) => [`${i.apiVersion}/${i.meta.namespace}/${i.meta.name}`, i]));
  const configs = new Map(gathered.objects.configMaps.map((c) => [`${c.meta.namespace}/${c.meta.name}`, c.data[CONFIG_KEY] ?? null]));
  for (const [key, group] of byIngress) {
    const ingress = ingresses.get(key);
    const config = ingress ? parsed.get(ingress) : undefined;
    if (!ingress || !config) continue;
    // The parse status already made: rendered, not parsed again.
    const rendered = renderConfig(config).backends;
    const deployed = configs.get(`${ingress.meta.namespace}/${configMapName(ingress.meta.name)}`) ?? null;
    const states = deployedStates(formatBackends(rendered), deployed, profile);
    for (const item of group) {
      const index = rendered.findIndex((b) => sameBackend(item, b));
      item.deployed = index < 0 ? 'unknown' : (states[index] ?? 'unknown');
    }
  }
}

/**
 * The document of the backends the flags pick, from gathered objects; status and status --watch
 * (which judges an Ingress again when one of its objects changes) share it. `ingresses` are the
 * Ingresses picked.
 */
export function statusOf(gathered: Gathered, options: StatusOptions): { status: StickyStatus; ingresses: IngressView[] } {
  const todo = plan(options);
  const ingresses = selectIngresses(gathered.objects.ingresses, todo);
  const objects = { ...gathered.objects, ingresses };
  const { status: full, configs } = analyse(objects, {
    profile: gathered.choice.profile,
    source: gathered.choice.source,
    ingressClass: options['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  });
  const items = selectItems(full, todo.targets, gathered);
  if (todo.deployed) addDeployed(items, { ...gathered, objects }, configs);
  return { status: { ...full, items, warnings: [...gathered.notes, ...selectedWarnings(full, items)] }, ingresses };
}

/** What status gathers: Endpoints and ConfigMaps only to compare with the deployed config. */
export function statusNeeds(options: StatusOptions): GatherNeeds {
  const deployed = plan(options).deployed;
  return { endpoints: deployed, configMaps: deployed };
}
