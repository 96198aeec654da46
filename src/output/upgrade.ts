// Printing upgrade-check rows and migrate plans: data first (core/upgrade), printing last.

import type { BackendState, MigrationPlan, UpgradeRow } from '../core/upgrade.ts';
import { renderTable } from './table.ts';

/** One backend's state in a cell: `cookie SHOPID (md5)`, `source-ip`, `no`, `not written`. */
export function stateText(state: BackendState): string {
  if (!state.written) return 'not written';
  if (state.sticky === null) return 'unknown';
  if (!state.sticky) return 'no';
  if (state.mode === 'cookie' && state.cookie) return `cookie ${state.cookie.name}${state.cookie.hash ? ` (${state.cookie.hash})` : ''}`;
  return state.mode ?? 'yes';
}

export function upgradeTable(rows: readonly UpgradeRow[], versions: { from: string; to: string }, options: { noHeaders: boolean; allNamespaces: boolean }): string {
  const headers = [...(options.allNamespaces ? ['namespace'] : []), 'ingress', 'backend', 'service', versions.from, versions.to, 'cause'];
  return renderTable(
    headers,
    rows.map((row) => [
      ...(options.allNamespaces ? [row.ingress.namespace] : []),
      row.ingress.name,
      row.backend,
      `${row.service.namespace === row.ingress.namespace ? '' : `${row.service.namespace}/`}${row.service.name}`,
      stateText(row.from),
      stateText(row.to),
      row.causes.join('; '),
    ]),
    { noHeaders: options.noHeaders },
  );
}

/** The lines a migrate plan prints before (or instead of) writing: one per object, then the impossible backends. */
export function planLines(plan: MigrationPlan): { out: string[]; err: string[] } {
  const out = plan.changes.map((c) => {
    const parts = [...Object.entries(c.set).map(([k, v]) => `${k}=${JSON.stringify(v)}`), ...c.remove.map((k) => `${k}-`)];
    return `${c.object}: ${parts.join(' ')}`;
  });
  const err = plan.impossible.map(({ row, reason }) => `ingress/${row.ingress.namespace}/${row.ingress.name}: backend ${row.backend} cannot stay the same: ${reason}`);
  return { out, err };
}
