// The one printer, as cli-runtime's PrintFlags/ResourcePrinter: a command hands over its result
// (a document with `items`, and what it looks like as a table and as names) and the parsed -o,
// and this writes it. JSON and YAML as kubectl prints objects, kubectl's template printers
// (-o jsonpath=..., custom-columns=..., and their -file forms), -o name, and the table.

import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { jsonChunks, renderDocument } from './document.ts';
import { columnValue, parseColumns } from './columns.ts';
import { goJson, runTemplate, templateValues, TemplateError, TemplateExecutionError } from './jsonpath.ts';
import { renderTable } from './table.ts';

/** Where printed text goes: the command's Io. */
export interface Sink {
  out(text: string): void;
  write(text: string): void;
  err(text: string): void;
}

/** The parsed -o: a named format, or a template printer with its text. */
export interface Output {
  format: string;
  template: string | null;
}

/** -o as the flags give it (a bare format name, or a printer with its template) as one shape. */
export function outputOf(value: Output | string | undefined): Output | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? { format: value, template: null } : value;
}

/** What a command's result looks like under each printer. */
export interface Result {
  document: { items: readonly unknown[] };
  /** The table (or, for a change, its `... annotated` lines): -o wide asks for `wide`. */
  table: (wide: boolean) => string;
  /** The -o name lines. */
  names: () => readonly string[];
  /** Said on stderr instead of an empty table (`No resources found ...`); null prints the empty table. */
  empty: string | null;
}

export interface PrintOptions {
  noHeaders: boolean;
  /**
   * -o json|yaml prints each item as its own document, as kubectl annotate and get --watch do
   * (YAML documents separated by ---, as kubectl's YAMLPrinter does), instead of the whole document.
   */
  each?: boolean;
}

/** Prints results; remembers what kubectl's printers remember between them (documents printed). */
export class ResultPrinter {
  private documents = 0;
  private readonly sink: Sink;
  private readonly output: Output | null;
  private readonly options: PrintOptions;

  constructor(sink: Sink, output: Output | null, options: PrintOptions) {
    this.sink = sink;
    this.output = output;
    this.options = options;
  }

  print(result: Result): void {
    const output = this.output;
    if (output?.format === 'json' || output?.format === 'yaml') {
      this.documentsOf(result, output.format);
      return;
    }
    if (output?.format === 'name') {
      const names = result.names();
      if (names.length > 0) this.sink.out(names.join('\n'));
      return;
    }
    if (output && output.template !== null) {
      this.sink.write(printTemplate(output.format, output.template, result.document, this.options.noHeaders || this.documents > 0));
      this.documents++;
      return;
    }
    if (result.document.items.length === 0 && result.empty !== null) {
      this.sink.err(result.empty);
      return;
    }
    const text = result.table(output?.format === 'wide');
    if (text !== '') this.sink.out(text);
  }

  private documentsOf(result: Result, format: 'json' | 'yaml'): void {
    if (this.options.each !== true) {
      if (format === 'yaml') this.sink.out(renderDocument(result.document, 'yaml'));
      else writeJson(this.sink, result.document);
      this.documents++;
      return;
    }
    for (const item of result.document.items) {
      if (format === 'yaml' && this.documents > 0) this.sink.out('---');
      this.sink.out(renderDocument(item, format));
      this.documents++;
    }
  }
}

/** Written in pieces of about 1 MB: the whole text at once was the peak of status -A's memory. */
function writeJson(sink: Sink, document: unknown): void {
  let piece = '';
  for (const chunk of jsonChunks(document)) {
    piece += chunk;
    if (piece.length >= 1 << 20) {
      sink.write(piece);
      piece = '';
    }
  }
  sink.write(`${piece}\n`);
}

/**
 * kubectl's errors for a template: `error parsing jsonpath TEMPLATE, REASON` when it does not
 * parse, `error executing jsonpath "TEMPLATE": Error executing template: REASON` when it fails on
 * the document (kubectl then dumps the whole document; the first line says what is wrong).
 */
export function templated<T>(run: () => T, template: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TemplateExecutionError)
      throw new UserError(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${error.message}.`);
    if (error instanceof TemplateError) throw new UserError(`error parsing jsonpath ${template}, ${error.message}`);
    throw error;
  }
}

/**
 * A document through a template printer, as the exact text to write: custom-columns shows one row
 * per item of `items`; jsonpath output gets no newline of its own, as kubectl's.
 */
function printTemplate(format: string, text: string, document: { items: readonly unknown[] }, noHeaders: boolean): string {
  const template = format.endsWith('-file') ? readTemplateFile(text) : text;
  if (format === 'custom-columns' || format === 'custom-columns-file') {
    const columns = templated(() => parseColumns(template.trim().split('\n').length === 2 ? fileColumns(template) : template), template);
    return templated(
      () =>
        renderTable(
          columns.map((c) => c.header),
          document.items.map((item) => columns.map((c) => columnValue(c.path, item))),
          { noHeaders },
        ) + '\n',
      template,
    );
  }
  if (format === 'jsonpath-as-json') return templated(() => `${goJson(templateValues(template, document), 4)}\n`, template);
  return templated(() => runTemplate(template, document), template);
}

/** custom-columns-file: a header line and a line of paths, aligned. */
function fileColumns(text: string): string {
  const [headers = '', paths = ''] = text.trim().split('\n');
  const h = headers.trim().split(/\s+/);
  const p = paths.trim().split(/\s+/);
  if (h.length !== p.length) throw new TemplateError(`number of headers (${h.length}) does not match number of paths (${p.length})`);
  return h.map((header, i) => `${header}:${p[i]}`).join(',');
}

function readTemplateFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`error reading template ${path}`);
  }
}
