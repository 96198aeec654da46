// The probe table: per backend, what status predicts beside what the wire showed.

import type { ProbeItem } from '../core/probe.ts';
import { renderTable } from './table.ts';

function predictedCell(item: ProbeItem): string {
  const { predicted } = item;
  if (predicted.sticky === null) return 'unknown';
  if (!predicted.sticky) return 'not sticky';
  if (predicted.mode === 'source-ip') return 'source-ip';
  if (!predicted.cookie) return 'cookie';
  return predicted.cookie.hash ? `cookie ${predicted.cookie.name} (${predicted.cookie.hash})` : `cookie ${predicted.cookie.name}`;
}

function observedCell(item: ProbeItem): string {
  const { observed } = item;
  if (observed.cookie !== null) return `cookie ${observed.cookie}`;
  if (item.predicted.mode === 'source-ip' && observed.servers.length === 0) return '';
  return 'no cookie';
}

function pinnedCell(item: ProbeItem): string {
  const { observed } = item;
  if (observed.pinned === null) return '';
  const moved = observed.redispatched > 0 ? ` (re-dispatched ${observed.redispatched})` : '';
  return `${observed.pinned}/${observed.requests}${moved}`;
}

function serversCell(item: ProbeItem): string {
  const { observed } = item;
  const count = observed.servers.length > 0 ? observed.servers.length : observed.values.length;
  return count === 0 ? '' : String(count);
}

export function probeTable(items: readonly ProbeItem[]): string {
  return renderTable(
    ['ingress', 'backend', 'predicted', 'observed', 'pinned', 'servers', 'verdict'],
    items.map((item) => [
      item.ingress.name,
      `${item.backend.host ?? '*'}${item.backend.path ?? ''}`,
      predictedCell(item),
      observedCell(item),
      pinnedCell(item),
      serversCell(item),
      item.verdict,
    ]),
    { noHeaders: false },
  );
}
