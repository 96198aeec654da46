// Printing upgrade-check rows and migrate plans: data first (core/upgrade), printing last.

import { describeState as stateText, type MigrationPlan, type UpgradeRow } from '../core/upgrade.ts';
import { renderTable } from './table.ts';

export function upgradeTable(
  rows: readonly UpgradeRow[],
  versions: { from: string; to: string },
  options: { noHeaders: boolean; allNamespaces: boolean },
): string {
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
    // The versions as the user wrote them: V12.0.0 is no version.
    { noHeaders: options.noHeaders, headersAsWritten: [headers.length - 3, headers.length - 2] },
  );
}

/** The lines a migrate plan prints before (or instead of) writing: one per object, then the impossible backends. */
export function planLines(plan: MigrationPlan): { out: string[]; err: string[] } {
  const out = plan.changes.map((c) => {
    const parts = [...Object.entries(c.set).map(([k, v]) => `${k}=${JSON.stringify(v)}`), ...c.remove.map((k) => `${k}-`)];
    return `${c.object}: ${parts.join(' ')}`;
  });
  const err = plan.impossible.map(
    ({ row, reason }) => `ingress/${row.ingress.namespace}/${row.ingress.name}: backend ${row.backend} cannot stay the same: ${reason}`,
  );
  return { out, err };
}
