// status --watch's rows: which backends' rows changed between two judgements of an Ingress
// (the row book), and printing them as kubectl get --watch does, through the one printer.

import type { StatusItem, StickyStatus, Warning } from '../core/effective.ts';
import { outputOf, ResultPrinter } from '../output/print.ts';
import { statusCells, watchTable, type StatusColumns, type WatchRow } from '../output/status.ts';
import { warningLines } from '../output/warnings.ts';
import type { StatusOptions } from './commands.ts';
import type { Io } from './io.ts';
import { ingressKey } from './watch-store.ts';

/** A backend's row: its identity, and the text it prints as (compared to tell a change). */
export interface Row {
  id: string;
  item: StatusItem;
  printed: string;
}

function rowId(item: StatusItem): string {
  const { type, host, path, port } = item.backend;
  return `${type} ${host ?? ''} ${path ?? ''} ${port ?? ''} ${item.service.namespace}/${item.service.name}:${item.service.port}`;
}

/** An Ingress's items as rows; `printed` gives the text a row prints as. */
export function rowsOf(items: readonly StatusItem[], printed: (item: StatusItem) => string): Row[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = rowId(item);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { id: n === 0 ? base : `${base} #${n}`, item, printed: printed(item) };
  });
}

/**
 * The rows of one Ingress that print differently now: new and changed ones in their order, then
 * the ones gone (printed as they were, as kubectl prints a deleted object).
 */
export function changedRows(before: readonly Row[], after: readonly Row[]): WatchRow[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const now = new Set(after.map((r) => r.id));
  const out: WatchRow[] = [];
  for (const row of after) {
    const was = old.get(row.id);
    if (!was) out.push({ type: 'ADDED', item: row.item });
    else if (was.printed !== row.printed) out.push({ type: 'MODIFIED', item: row.item });
  }
  for (const row of before) if (!now.has(row.id)) out.push({ type: 'DELETED', item: row.item });
  return out;
}

function compareKeys(a: string, b: string): number {
  // apiVersion/namespace/name: order as the core does (namespace, then name), then by version.
  const split = (k: string) => {
    const parts = k.split('/');
    const name = parts.pop() ?? '';
    const namespace = parts.pop() ?? '';
    return [namespace, name, parts.join('/')];
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? '') < (y[i] ?? '') ? -1 : 1;
  return 0;
}

/** The rows printed so far, by Ingress; `update` judges some Ingresses again and says what changed. */
export class RowBook {
  private readonly rows = new Map<string, Row[]>();
  private readonly printed: (item: StatusItem) => string;
  constructor(printed: (item: StatusItem) => string) {
    this.printed = printed;
  }

  /** New items of the Ingresses `keys` (an Ingress without items has none now). */
  update(keys: Iterable<string>, items: readonly StatusItem[]): WatchRow[] {
    const byIngress = new Map<string, StatusItem[]>();
    for (const item of items) {
      const key = ingressKey(item.ingress);
      const list = byIngress.get(key) ?? [];
      byIngress.set(key, list);
      list.push(item);
    }
    const out: WatchRow[] = [];
    for (const key of [...new Set([...keys, ...byIngress.keys()])].sort(compareKeys)) {
      const after = rowsOf(byIngress.get(key) ?? [], this.printed);
      out.push(...changedRows(this.rows.get(key) ?? [], after));
      if (after.length > 0) this.rows.set(key, after);
      else this.rows.delete(key);
    }
    return out;
  }
}

/** Prints rows as the flags ask, through the one printer, with what kubectl's printers remember between events. */
export class WatchPrinter {
  private widths: number[] | null = null;
  private readonly warned = new Set<string>();
  private readonly io: Io;
  private readonly options: StatusOptions;
  private readonly semantics: StickyStatus['semantics'];
  /** kubectl's YAML printer separates documents with ---; its JSON printer just prints them. */
  private readonly printer: ResultPrinter;

  constructor(io: Io, options: StatusOptions, semantics: StickyStatus['semantics']) {
    this.io = io;
    this.options = options;
    this.semantics = semantics;
    this.printer = new ResultPrinter(io, outputOf(options.output), { noHeaders: options['no-headers'], each: true });
  }

  /** The table's columns, for the default printer and -o wide (always with DEPLOYED, as it compares); else null. */
  private columns(): StatusColumns | null {
    const output = this.options.output;
    const wide = output?.format === 'wide';
    return output === undefined || wide ? { wide, allNamespaces: this.options['all-namespaces'], deployed: wide } : null;
  }

  /** What a row prints as, compared to tell a change: its table cells, or its document. */
  printedForm(): (item: StatusItem) => string {
    const columns = this.columns();
    return columns ? (item) => statusCells(item, columns).join('\t') : (item) => JSON.stringify(item);
  }

  rows(rows: readonly WatchRow[]): void {
    if (rows.length === 0) return;
    const events = this.options['output-watch-events'];
    const items = rows.map((row) => (events ? { type: row.type, object: row.item } : row.item));
    const document = { apiVersion: 'kubectl-sticky/v1alpha1', kind: 'StickyStatus', semantics: this.semantics, items, warnings: [] };
    this.printer.print({
      document,
      table: () => {
        const columns = this.columns() ?? { wide: false, allNamespaces: this.options['all-namespaces'], deployed: false };
        const { text, widths } = watchTable(rows, { ...columns, noHeaders: this.options['no-headers'], events }, this.widths);
        this.widths = widths;
        return text;
      },
      names: () => [...new Map(rows.map((r) => [`${r.item.service.namespace}/${r.item.service.name}`, `service/${r.item.service.name}`])).values()],
      empty: null,
    });
  }

  /** Warnings not printed before. */
  warnings(warnings: readonly Warning[]): void {
    const fresh = warnings.filter((w) => !this.warned.has(`${w.object}\n${w.message}`));
    for (const w of fresh) this.warned.add(`${w.object}\n${w.message}`);
    for (const line of warningLines(fresh)) this.io.err(line);
  }
}
