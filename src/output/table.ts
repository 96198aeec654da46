// Tables with kubectl's look: upper-case headers, no borders, three spaces between columns,
// `<none>` for empty cells, no colour codes.

import Table from 'cli-table3';
import { neutralise } from '../errors.ts';

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

// cli-table3 lays a table out in time that grows faster than its row count (7 s for 10,000 rows
// here); with the column widths fixed up front, chunks render independently and line up.
const CHUNK_ROWS = 250;
const PADDING_RIGHT = 3;

function displayWidth(text: string): number {
  return [...text].length;
}

/** kubectl get --watch prints rows after the header: at least `minWidths` keeps them lined up with it. */
export interface TableOptions {
  noHeaders: boolean;
  minWidths?: readonly number[];
  /** Columns whose header is printed as written, not upper-cased (a version such as v12.0.0). */
  headersAsWritten?: readonly number[];
}

function headerRow(headers: readonly string[], options: TableOptions): string[][] {
  if (options.noHeaders) return [];
  return [headers.map((h, column) => (options.headersAsWritten?.includes(column) ? h : h.toUpperCase()))];
}

function cellsOf(rows: readonly (readonly string[])[]): string[][] {
  return rows.map((row) => row.map((cell) => (cell === '' ? '<none>' : neutralise(cell))));
}

function widthsOf(headers: readonly string[], head: readonly string[][], cells: readonly string[][], minWidths: readonly number[]): number[] {
  return headers.map((_, column) =>
    Math.max(minWidths[column] ?? 0, Math.max(0, ...[...head, ...cells].map((row) => displayWidth(row[column] ?? ''))) + PADDING_RIGHT),
  );
}

/** The column widths renderTable lays these rows out in. */
export function tableWidths(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions): number[] {
  const head = headerRow(headers, options);
  return widthsOf(headers, head, cellsOf(rows), options.minWidths ?? []);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions): string {
  const cells = cellsOf(rows);
  const head = headerRow(headers, options);
  const widths = widthsOf(headers, head, cells, options.minWidths ?? []);
  const all = [...head, ...cells];
  // Plain printable ASCII (nearly every table) is padded here directly: cli-table3 costs about
  // 0.3 ms a row, which made the 10,000-row status -A table cost more than the whole -o json.
  // Anything else (wide characters, line breaks in a cell) keeps cli-table3's layout; a row of
  // blank cells is dropped, as cli-table3's layout drops it.
  if (all.every((row) => row.every((cell) => PLAIN.test(cell))))
    return all
      .map((row) => plainLine(row, widths))
      .filter((line) => line !== '')
      .join('\n');
  return tableText(head, cells, widths);
}

const PLAIN = /^[\x20-\x7e]*$/;

/** renderTable's layout always through cli-table3: the reference the direct padding must equal. */
export function cliTable3Layout(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions): string {
  const cells = cellsOf(rows);
  const head = headerRow(headers, options);
  return tableText(head, cells, widthsOf(headers, head, cells, options.minWidths ?? []));
}

/** One row as cli-table3 lays it out with these widths: each cell left-aligned and padded, the line's end trimmed. */
function plainLine(row: readonly string[], widths: readonly number[]): string {
  let line = '';
  for (const [column, width] of widths.entries()) {
    const cell = row[column] ?? '';
    line += cell.length < width ? cell + ' '.repeat(width - cell.length) : cell;
  }
  return line.trimEnd();
}

function tableText(head: readonly string[][], cells: readonly string[][], widths: number[]): string {
  const out: string[] = [];
  for (let start = 0; start < Math.max(cells.length, 1); start += CHUNK_ROWS) {
    const table = new Table({
      chars: NO_BORDER,
      colWidths: widths,
      wordWrap: false,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': PADDING_RIGHT, compact: true },
      ...(start === 0 && head[0] ? { head: head[0] } : {}),
    });
    for (const row of cells.slice(start, start + CHUNK_ROWS)) table.push(row);
    out.push(table.toString());
  }
  return out
    .join('\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}
