// `kubectl sticky convert --to TARGET`: Voyager Ingresses as another controller's objects, with
// the stickiness Voyager really applies. Options -> gather (as status) -> the pure plan -> the one
// printer; warnings and the conversion report on stderr. It writes nothing to the cluster.

import { convert, judgeIngresses, type ConvertTarget } from '../core/convert.ts';
import { conversionReport, type ReportRow } from '../core/convert-read.ts';
import type { Warning } from '../core/effective.ts';
import type { IngressView, JsonObject } from '../core/objects.ts';
import { matchesSelector, parseSelector } from '../core/selector.ts';
import { notFound, UserError } from '../errors.ts';
import { ResultPrinter } from '../output/print.ts';
import { semanticsLine } from '../output/semantics.ts';
import { renderTable } from '../output/table.ts';
import { warningLines } from '../output/warnings.ts';
import type { ConvertOptions } from './commands.ts';
import { gather, type Gathered } from './gather.ts';
import type { Context } from './io.ts';

export interface ConvertPlan {
  objects: JsonObject[];
  /** What the target loses: --strict fails on these. */
  losses: Warning[];
  /** Voyager's own warnings about the Ingresses (as status prints them). */
  notes: Warning[];
  report: ReportRow[];
}

function selectIngresses(gathered: Gathered, options: ConvertOptions): IngressView[] {
  const parsed = options.selector === undefined ? null : parseSelector(options.selector);
  const requirements = parsed?.ok ? parsed.requirements : [];
  const targets = options.targets.filter((t) => t.kind === 'ingress');
  const picked = gathered.objects.ingresses.filter(
    (ingress) =>
      (gathered.scope === '' || ingress.meta.namespace === gathered.scope) &&
      matchesSelector(requirements, ingress.meta.labels) &&
      (targets.length === 0 || targets.some((t) => t.name === ingress.meta.name && (t.flavor === null || t.flavor === ingress.flavor))),
  );
  for (const target of targets) if (!picked.some((i) => i.meta.name === target.name)) throw notFound('ingresses', target.name);
  return picked;
}

function gatewayOf(text: string | undefined): { namespace: string | null; name: string } | null {
  if (text === undefined) return null;
  const parts = text.split('/');
  const [first = '', second] = parts;
  if (parts.length > 2 || first === '' || second === '') throw new UserError(`invalid --gateway "${text}": use NAME or NAMESPACE/NAME`);
  return second === undefined ? { namespace: null, name: first } : { namespace: first, name: second };
}

/** The conversion of what was gathered: pure. */
export function convertPlan(gathered: Gathered, options: ConvertOptions, target: ConvertTarget): ConvertPlan {
  const ingresses = selectIngresses(gathered, options);
  const { status, judged } = judgeIngresses(
    { ...gathered.objects, ingresses },
    {
      profile: gathered.choice.profile,
      source: gathered.choice.source,
      ingressClass: options['ingress-class'] ?? null,
      unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
    },
  );
  const conversion = convert(judged, gathered.objects.services, {
    target,
    gatewayClass: options['gateway-class'],
    gateway: gatewayOf(options.gateway),
    ingressClassName: options['ingress-class-name'],
  });
  return {
    objects: conversion.objects,
    losses: conversion.warnings,
    notes: [...gathered.notes, ...status.warnings],
    report: conversionReport(status.items, conversion.objects),
  };
}

function reportTable(rows: readonly ReportRow[]): string {
  return renderTable(
    ['INGRESS', 'BACKEND', 'SERVICE', 'VOYAGER', 'TARGET', 'KEPT'],
    rows.map((r) => [r.ingress, r.backend, r.service, r.voyager, r.target, r.kept ? 'yes' : 'NO']),
    { noHeaders: false },
  );
}

export async function runConvert(options: ConvertOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const target = options.to;
  if (target === undefined) throw new UserError('--to is required: gateway-api, envoy-gateway or haproxy-ingress');
  gatewayOf(options.gateway);
  const gathered = await gather(options, ctx, { endpoints: false, configMaps: false }, options.selector);
  const plan = convertPlan(gathered, options, target);

  io.err(semanticsLine(gathered.choice));
  for (const line of warningLines([...plan.notes, ...plan.losses])) io.err(line);
  if (plan.report.length > 0) io.err(reportTable(plan.report));
  if (options.strict && plan.losses.length > 0) {
    io.err(
      `error: --strict: ${plan.losses.length} thing${plan.losses.length === 1 ? '' : 's'} cannot be carried over to ${target} (the warnings above); nothing printed`,
    );
    return 1;
  }
  if (plan.objects.length === 0) {
    io.err(gathered.scope ? `No resources found in ${gathered.scope} namespace.` : 'No resources found');
    return 0;
  }
  const format = options.output ?? 'yaml';
  const document = { apiVersion: 'v1', kind: 'List', metadata: {}, items: plan.objects };
  new ResultPrinter(io, { format, template: null }, { noHeaders: false, each: format === 'yaml' }).print({
    document,
    table: () => '',
    names: () => [],
    empty: null,
  });
  return 0;
}
