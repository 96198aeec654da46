// The status table, kubectl get's look; -o wide adds MODE, COOKIE and (when compared) DEPLOYED.

import { backendLabel } from '../core/backends.ts';
import type { StatusItem } from '../core/effective.ts';
import { renderTable } from './table.ts';

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

export function statusTable(items: readonly StatusItem[], options: StatusTableOptions): string {
  const deployed = options.wide && items.some((i) => i.deployed);
  const headers = [...(options.allNamespaces ? ['namespace'] : []), 'ingress', 'backend', 'service', 'sticky', 'source'];
  if (options.wide) headers.push('mode', 'cookie', ...(deployed ? ['deployed'] : []));
  const rows = items.map((item) => {
    const row = [
      ...(options.allNamespaces ? [item.ingress.namespace] : []),
      item.ingress.name,
      backendLabel(item.backend),
      serviceCell(item),
      stickyWord(item.sticky),
      item.sources.join(','),
    ];
    if (options.wide) row.push(item.mode ?? '', cookieCell(item), ...(deployed ? [item.deployed ?? ''] : []));
    return row;
  });
  return renderTable(headers, rows, { noHeaders: options.noHeaders });
}
