// kubectl's template printers (-o jsonpath=..., custom-columns=..., and their -file forms) for
// any command's result document, and --sort-by; the grammar itself is output/jsonpath.ts.

import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { columnValue, parseColumns } from '../output/columns.ts';
import { goJson, runTemplate, templateValues, TemplateError, TemplateExecutionError } from '../output/jsonpath.ts';
import { renderTable } from '../output/table.ts';
import type { TemplatePrinter } from './flags.ts';

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
export function printTemplate(format: TemplatePrinter, text: string, document: { items: readonly unknown[] }, noHeaders: boolean): string {
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
