// `kubectl sticky status`: the effective sticky state of every backend.

import { backendLabel } from '../core/backends.ts';
import { computeStatus, type StatusItem, type StickyStatus } from '../core/effective.ts';
import type { ObjectSet } from '../core/objects.ts';
import { matchesSelector, parseSelector } from '../core/selector.ts';
import { deployedStates } from '../core/drift.ts';
import { formatBackends, renderBackends, type RenderedBackend } from '../core/render.ts';
import { renderDocument } from '../output/document.ts';
import { CONFIG_KEY, configMapName } from './render.ts';
import { renderTable } from '../output/table.ts';
import { ServerError, UserError } from '../errors.ts';
import type { SourceArgs } from './flags.ts';
import { gather, type Gathered } from './gather.ts';
import { parseTarget, type Target } from './targets.ts';
import { printNotes, type Io } from './io.ts';

export interface StatusArgs extends SourceArgs {
  targets: string[];
  deployed: boolean;
  output?: string | undefined;
  selector?: string | undefined;
  headers: boolean;
}

export const STATUS_OUTPUTS = ['wide', 'json', 'yaml'] as const;

interface StatusOptions {
  targets: Target[];
  /** Compare with the deployed haproxy.cfg (always with -o wide). */
  deployed: boolean;
  output: '' | 'wide' | 'json' | 'yaml';
  selector: string | undefined;
}

/** Validate: everything that can be wrong with the flags fails here, before any I/O. */
function complete(args: StatusArgs): StatusOptions {
  const output = args.output ?? '';
  if (output !== '' && !(STATUS_OUTPUTS as readonly string[]).includes(output)) {
    throw new UserError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${STATUS_OUTPUTS.join(',')}`);
  }
  if (args.selector !== undefined) {
    const parsed = parseSelector(args.selector);
    if (!parsed.ok) throw new UserError(parsed.message);
  }
  return { targets: args.targets.map(parseTarget), output: output as StatusOptions['output'], selector: args.selector, deployed: args.deployed || output === 'wide' };
}

function selectIngresses(objects: ObjectSet, options: StatusOptions): void {
  const parsed = options.selector === undefined ? null : parseSelector(options.selector);
  const requirements = parsed?.ok ? parsed.requirements : [];
  const ingressTargets = options.targets.filter((t): t is Extract<Target, { kind: 'ingress' }> => t.kind === 'ingress');
  objects.ingresses = objects.ingresses.filter(
    (ingress) =>
      matchesSelector(requirements, ingress.meta.labels) &&
      (ingressTargets.length === 0 ||
        ingressTargets.some((t) => t.name === ingress.meta.name && (t.flavor === null || t.flavor === ingress.flavor))),
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

function checkTargetsFound(targets: Target[], gathered: Gathered, items: StatusItem[]): void {
  for (const target of targets) {
    if (target.kind === 'ingress') {
      const found = gathered.objects.ingresses.some((i) => i.meta.name === target.name);
      if (!found) throw new ServerError(404, 'NotFound', `Error from server (NotFound): ingresses "${target.name}" not found`);
    } else {
      const inScope = (namespace: string) => gathered.scope === '' || namespace === gathered.scope;
      const exists =
        gathered.objects.services.some((s) => s.meta.name === target.name && inScope(s.meta.namespace)) ||
        items.some((i) => i.service.name === target.name);
      if (!exists) throw new ServerError(404, 'NotFound', `Error from server (NotFound): services "${target.name}" not found`);
    }
  }
}

/** With filters, only the warnings about the objects of the rows shown. */
function selectedWarnings(full: StickyStatus, items: StatusItem[]): StickyStatus['warnings'] {
  if (items.length === full.items.length) return full.warnings;
  const objects = new Set(items.flatMap((i) => [`ingress/${i.ingress.namespace}/${i.ingress.name}`, `service/${i.service.namespace}/${i.service.name}`]));
  return full.warnings.filter((w) => objects.has(w.object));
}

function stickyCell(item: StatusItem): string {
  return item.sticky === null ? 'unknown' : item.sticky ? 'yes' : 'no';
}

function serviceCell(item: StatusItem): string {
  const name = item.service.namespace === item.ingress.namespace ? item.service.name : `${item.service.name}.${item.service.namespace}`;
  return `${name}:${item.service.port}${item.service.found ? '' : ' (missing)'}`;
}

function cookieCell(item: StatusItem): string {
  if (!item.cookie) return '';
  return item.cookie.hash ? `${item.cookie.name} (${item.cookie.hash})` : item.cookie.name;
}

export function statusTable(status: StickyStatus, options: { wide: boolean; allNamespaces: boolean; noHeaders: boolean }): string {
  const headers = [...(options.allNamespaces ? ['namespace'] : []), 'ingress', 'backend', 'service', 'sticky', 'source'];
  if (options.wide) headers.push('mode', 'cookie', ...(status.items.some((i) => i.deployed) ? ['deployed'] : []));
  const rows = status.items.map((item) => {
    const row = [
      ...(options.allNamespaces ? [item.ingress.namespace] : []),
      item.ingress.name,
      backendLabel(item.backend),
      serviceCell(item),
      stickyCell(item),
      item.sources.join(','),
    ];
    if (options.wide) row.push(item.mode ?? '', cookieCell(item), ...(item.deployed ? [item.deployed] : []));
    return row;
  });
  return renderTable(headers, rows, { noHeaders: options.noHeaders });
}

const sameBackend = (item: StatusItem, b: RenderedBackend) =>
  b.declared === item.backend.type &&
  b.host === item.backend.host &&
  b.path === item.backend.path &&
  b.service.namespace === item.service.namespace &&
  b.service.name === item.service.name &&
  b.service.port === item.service.port;

/** Sets each item's `deployed`: does the haproxy.cfg in ConfigMap voyager-<ingress> match? */
function addDeployed(items: StatusItem[], gathered: Gathered): void {
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
    if (!ingress) continue;
    const rendered = renderBackends(ingress, gathered.objects, profile);
    const deployed = configs.get(`${ingress.meta.namespace}/${configMapName(ingress.meta.name)}`) ?? null;
    const states = deployedStates(formatBackends(rendered), deployed, profile);
    for (const item of group) {
      const index = rendered.findIndex((b) => sameBackend(item, b));
      item.deployed = index < 0 ? 'unknown' : (states[index] ?? 'unknown');
    }
  }
}

export async function runStatus(args: StatusArgs, io: Io): Promise<number> {
  const options = complete(args);
  const gathered = await gather(args, { endpoints: options.deployed, configMaps: options.deployed }, options.selector);
  selectIngresses(gathered.objects, options);
  const full = computeStatus(gathered.objects, {
    profile: gathered.choice.profile,
    source: gathered.choice.source,
    ingressClass: args['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  });
  const items = selectItems(full, options.targets, gathered);
  checkTargetsFound(options.targets, gathered, items);
  if (options.deployed) addDeployed(items, gathered);
  const status: StickyStatus = { ...full, items, warnings: [...gathered.notes, ...selectedWarnings(full, items)] };

  io.err(`Semantics: ${gathered.choice.reason}`);
  printNotes(io, status.warnings);
  if (options.output === 'json' || options.output === 'yaml') {
    io.out(renderDocument(status, options.output));
    return 0;
  }
  if (status.items.length === 0) {
    io.err(gathered.scope ? `No resources found in ${gathered.scope} namespace.` : 'No resources found');
    return 0;
  }
  const namespaces = new Set(status.items.map((i) => i.ingress.namespace));
  io.out(statusTable(status, { wide: options.output === 'wide', allNamespaces: args['all-namespaces'] || (gathered.kube === null && namespaces.size > 1), noHeaders: !args.headers }));
  return 0;
}
