// Tables with kubectl's look: upper-case headers, no borders, three spaces between columns,
// `<none>` for empty cells, no colour codes.

import Table from 'cli-table3';
import { neutralise } from '../cli/errors.ts';

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '',
};

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: { noHeaders: boolean }): string {
  const table = new Table({
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true },
    ...(options.noHeaders ? {} : { head: headers.map((h) => h.toUpperCase()) }),
  });
  for (const row of rows) table.push(row.map((cell) => (cell === '' ? '<none>' : neutralise(cell))));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}
