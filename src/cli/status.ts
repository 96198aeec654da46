// `kubectl sticky status`: the effective sticky state of every backend. Options -> gather ->
// the pure plan (status-plan.ts) -> the one printer.

import type { StickyStatus } from '../core/effective.ts';
import { semanticsLine } from '../output/semantics.ts';
import { sortItems } from '../output/columns.ts';
import { outputOf, ResultPrinter, templated, type Result } from '../output/print.ts';
import { statusTable } from '../output/status.ts';
import { warningLines } from '../output/warnings.ts';
import type { StatusOptions } from './commands.ts';
import { gather, type Gathered } from './gather.ts';
import type { Context } from './io.ts';
import { checkTargetsFound, plan, statusNeeds, statusOf } from './status-plan.ts';

export async function runStatus(options: StatusOptions, ctx: Context): Promise<number> {
  if (options.watch || options['watch-only'] || options['output-watch-events']) return (await import('./watch.ts')).runWatch(options, ctx);
  const { io } = ctx;
  const todo = plan(options);
  const gathered = await gather(options, ctx, statusNeeds(options), todo.selector);
  const { status, ingresses } = statusOf(gathered, options);
  checkTargetsFound(todo.targets, gathered, ingresses, status.items);

  io.err(semanticsLine(gathered.choice));
  for (const line of warningLines(status.warnings)) io.err(line);
  if (options['sort-by'] !== undefined) status.items = templated(() => sortItems(status.items, options['sort-by'] ?? ''), options['sort-by']);
  new ResultPrinter(io, outputOf(todo.output), { noHeaders: options['no-headers'] }).print(statusResult(status, options, gathered));
  return 0;
}

/** The message for a status with no rows: a Service TARGET no Ingress uses says so, as enable does. */
function emptyMessage(options: StatusOptions, gathered: Gathered): string {
  const services = options.targets.filter((t) => t.kind === 'service');
  if (services.length > 0 && services.length === options.targets.length)
    return `no Voyager Ingress${options.selector === undefined ? '' : ' the selector picks'} uses ${services.map((t) => `service/${t.name}`).join(', ')}`;
  return gathered.scope ? `No resources found in ${gathered.scope} namespace.` : 'No resources found';
}

/** status's result for the printer: the StickyStatus, its table, and its Services as TARGETs for -o name. */
function statusResult(status: StickyStatus, options: StatusOptions, gathered: Gathered): Result {
  return {
    document: status,
    table: (wide) => {
      const namespaces = new Set(status.items.map((i) => i.ingress.namespace));
      return statusTable(status.items, {
        wide,
        allNamespaces: options['all-namespaces'] || (gathered.kube === null && namespaces.size > 1),
        noHeaders: options['no-headers'],
      });
    },
    // One line per Service object, so two namespaces' "web" are two lines, as kubectl get -A -o name.
    names: () => [...new Map(status.items.map((i) => [`${i.service.namespace}/${i.service.name}`, `service/${i.service.name}`])).values()],
    empty: emptyMessage(options, gathered),
  };
}
