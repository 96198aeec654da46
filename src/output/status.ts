// The status table, kubectl get's look; -o wide adds MODE, COOKIE and (when compared) DEPLOYED.

import { backendLabel } from '../core/backends.ts';
import type { StatusItem } from '../core/effective.ts';
import { renderTable, tableWidths } from './table.ts';

export interface StatusTableOptions {
  wide: boolean;
  /** A NAMESPACE column first (-A, or files spanning namespaces). */
  allNamespaces: boolean;
  noHeaders: boolean;
}

export function stickyWord(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

function serviceCell(item: StatusItem): string {
  const name = item.service.namespace === item.ingress.namespace ? item.service.name : `${item.service.name}.${item.service.namespace}`;
  return `${name}:${item.service.port}${item.service.found ? '' : ' (missing)'}`;
}

function cookieCell(item: StatusItem): string {
  if (!item.cookie) return '';
  return item.cookie.hash ? `${item.cookie.name} (${item.cookie.hash})` : item.cookie.name;
}

export interface StatusColumns {
  wide: boolean;
  allNamespaces: boolean;
  /** The DEPLOYED column (-o wide, when compared). */
  deployed: boolean;
}

export function statusHeaders(columns: StatusColumns): string[] {
  const headers = [...(columns.allNamespaces ? ['namespace'] : []), 'ingress', 'backend', 'service', 'sticky', 'source'];
  if (columns.wide) headers.push('mode', 'cookie', ...(columns.deployed ? ['deployed'] : []));
  return headers;
}

/** One backend's row: what --watch compares to tell whether it changed. */
export function statusCells(item: StatusItem, columns: StatusColumns): string[] {
  const row = [
    ...(columns.allNamespaces ? [item.ingress.namespace] : []),
    item.ingress.name,
    backendLabel(item.backend),
    serviceCell(item),
    stickyWord(item.sticky),
    item.sources.join(','),
  ];
  if (columns.wide) row.push(item.mode ?? '', cookieCell(item), ...(columns.deployed ? [item.deployed ?? ''] : []));
  return row;
}

export function statusTable(items: readonly StatusItem[], options: StatusTableOptions): string {
  const columns = { ...options, deployed: options.wide && items.some((i) => i.deployed) };
  return renderTable(
    statusHeaders(columns),
    items.map((item) => statusCells(item, columns)),
    { noHeaders: options.noHeaders },
  );
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
const EVENT_WIDTH = 'MODIFIED'.length + 3;

/** A backend row of status --watch, with how it changed. */
export interface WatchRow {
  type: WatchEventType;
  item: StatusItem;
}

export interface WatchTableOptions extends StatusColumns {
  noHeaders: boolean;
  /** --output-watch-events: an EVENT column first, as kubectl get --watch --output-watch-events. */
  events: boolean;
}

/**
 * Rows of status --watch, as kubectl get --watch prints them: the header once, with the first
 * rows; later rows without it, at least as wide as the columns printed before (`widths`, null
 * before the first print). Returns the text and the widths to pass next time.
 */
export function watchTable(rows: readonly WatchRow[], options: WatchTableOptions, widths: readonly number[] | null): { text: string; widths: number[] } {
  const headers = [...(options.events ? ['event'] : []), ...statusHeaders(options)];
  const cells = rows.map((row) => [...(options.events ? [row.type] : []), ...statusCells(row.item, options)]);
  // kubectl pads EVENT to its longest word, so later events line up with the first ones.
  const table = { noHeaders: options.noHeaders || widths !== null, minWidths: widths ?? (options.events ? [EVENT_WIDTH] : []) };
  return { text: renderTable(headers, cells, table), widths: tableWidths(headers, cells, table) };
}
