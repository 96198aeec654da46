// kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath), over plain JSON documents: text
// with {actions}; fields, $ and @, [i] [a:b:c] [*] [i,j] ['a','b'], .. (recursive), .*,
// [?(@.x OP v)] filters (== != < > <= >= =~, or existence), {range ...}{end}, quoted literals
// such as {"\n"}. As kubectl's printers: missing keys print nothing, several results are joined
// by spaces, objects print as compact JSON with sorted keys. custom-columns and --sort-by, which
// evaluate one path of a template, are in columns.ts.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A template that parses but fails on this document (kubectl: "error executing jsonpath"). */
export class TemplateExecutionError extends TemplateError {}

type Step =
  | { kind: 'root' }
  | { kind: 'current' }
  | { kind: 'field'; names: string[] }
  | { kind: 'all' }
  | { kind: 'recursive' }
  | { kind: 'slice'; start: number | null; end: number | null; derived: boolean; step: number | null }
  | { kind: 'literal'; value: Json }
  | { kind: 'union'; paths: Step[][] }
  | { kind: 'filter'; left: Step[]; op: string | null; right: Operand | null };

/** `float`: a literal written with a decimal point, a float64 in client-go (never equal to an int). */
type Operand = { kind: 'path'; steps: Step[] } | { kind: 'value'; value: Json; float: boolean };

type Part = { kind: 'text'; text: string } | { kind: 'path'; steps: Step[] } | { kind: 'range'; steps: Step[]; body: Part[] };

// --- parsing ---------------------------------------------------------------------------------

function splitActions(template: string): { text: string; action: boolean }[] {
  const out: { text: string; action: boolean }[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const c = template[i] ?? '';
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    if (text) out.push({ text, action: false });
    text = '';
    // Find the closing brace, skipping quoted strings.
    let j = i + 1;
    let quote: string | null = null;
    for (; j < template.length; j++) {
      const d = template[j] ?? '';
      if (quote) {
        if (d === '\\') j++;
        else if (d === quote) quote = null;
      } else if (d === '"' || d === "'") quote = d;
      else if (d === '}') break;
    }
    if (j >= template.length) throw new TemplateError(`unclosed action`);
    out.push({ text: template.slice(i + 1, j), action: true });
    i = j + 1;
  }
  if (text) out.push({ text, action: false });
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** client-go's UnquoteExtend: a "..." or '...' text with Go's escapes (\n, \', \x41, \u00e9, \101...). */
function unquote(text: string): string {
  const quote = text[0] ?? '';
  const body = text.slice(1, -1);
  const bad = () => new TemplateError(`unquote string ${text} error invalid syntax`);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === quote) throw bad();
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (simple !== undefined) out += simple;
    else if (e === quote) out += e;
    else if (digits > 0 && /^[0-9a-fA-F]+$/.test(body.slice(i + 1, i + 1 + digits)) && body.length >= i + 1 + digits) {
      out += String.fromCodePoint(Number.parseInt(body.slice(i + 1, i + 1 + digits), 16));
      i += digits;
    } else if (/^[0-7]{3}$/.test(body.slice(i, i + 3))) {
      out += String.fromCharCode(Number.parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw bad();
  }
  return out;
}

function parseLiteral(text: string): Json {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.endsWith(t[0])) return unquote(t);
  parsePath(t);
  throw new TemplateError(`unrecognized filter value ${t}`);
}

/**
 * `?(left OP right)` as client-go's parseFilter: OP is the first run of `!<>=`, whatever it
 * spells (an unknown one fails only when the filter runs, as kubectl's); no OP tests existence.
 */
function parseFilter(body: string): Step {
  const m = /^\?\((.*)\)$/s.exec(body);
  if (!m) throw new TemplateError(`invalid filter ${body}`);
  const expr = m[1] ?? '';
  const split = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(expr);
  if (!split) return { kind: 'filter', left: parsePath(expr), op: null, right: null };
  const [, leftText = '', op = '', rightText = ''] = split;
  const left = parsePath(leftText);
  const r = rightText.trim();
  const right: Operand =
    r.startsWith('@') || r.startsWith('$') || r.startsWith('.')
      ? { kind: 'path', steps: parsePath(r) }
      : { kind: 'value', value: parseLiteral(r), float: r.includes('.') && /^-?[\d.]+$/.test(r) };
  return { kind: 'filter', left, op, right };
}

/**
 * `[...]` as client-go's parseArray: a comma makes a union of bracketed parts, `'a.b'` is the path
 * `.a.b`, `*` is the slice `:`, and an index `i` is the slice `i:i+1` (end "derived").
 */
function parseBracket(body: string): Step {
  if (body.startsWith('?')) return parseFilter(body);
  const t = body === '*' ? ':' : body;
  const parts = t.split(',');
  if (parts.length > 1) return { kind: 'union', paths: parts.map((part) => parsePath(`[${part.trim()}]`)) };
  const key = /^'([^']*)'$/.exec(t);
  if (key) return { kind: 'union', paths: [parsePath(`.${key[1] ?? ''}`)] };
  const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(t);
  if (!m) throw new TemplateError(`invalid array index ${t}`);
  const num = (x: string | undefined) => (x === undefined || x === '' ? null : Number(x));
  const start = num(m[1]);
  if (m[2] === undefined) return { kind: 'slice', start, end: (start ?? 0) + 1, derived: true, step: null };
  return { kind: 'slice', start, end: num(m[2].slice(1)), derived: false, step: num(m[3]?.slice(1)) };
}

/** A path such as `.items[*].metadata.labels.kubernetes\.io/hostname` or `@.x`. */
function parsePath(text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const s = text.trim();
  let dots = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '$') {
      steps.push({ kind: 'root' });
      i++;
    } else if (c === '@') {
      steps.push({ kind: 'current' });
      i++;
    } else if (c === '.') {
      let n = 0;
      while (s[i] === '.') {
        n++;
        i++;
      }
      dots = n;
      if (n > 3) throw new TemplateError('invalid multiple recursive descent');
      if (n >= 2) steps.push({ kind: 'recursive' });
      if (s[i] === '*') {
        steps.push({ kind: 'all' });
        i++;
      } else if (i >= s.length && n >= 2) {
        // `{..}`: every value below.
      }
    } else if (c === '[') {
      let j = i + 1;
      let depth = 1;
      let quote: string | null = null;
      for (; j < s.length; j++) {
        const d = s[j] ?? '';
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = null;
        } else if (d === '"' || d === "'") quote = d;
        else if (d === '[' || d === '(') depth++;
        else if (d === ']' || d === ')') {
          depth--;
          if (depth === 0 && d === ']') break;
        }
      }
      if (j >= s.length) throw new TemplateError(s.startsWith('[?(', i) ? 'unterminated filter' : 'unterminated array');
      steps.push(parseBracket(s.slice(i + 1, j)));
      i = j + 1;
    } else if (dots === 0 && /[+\-0-9]/.test(c)) {
      const text = /^[+-]?[\d.]*/.exec(s.slice(i))?.[0] ?? c;
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) throw new TemplateError(`cannot parse number ${text}`);
      steps.push({ kind: 'literal', value: Number(text) });
      i += text.length;
    } else if (/[A-Za-z0-9_\-\\/]/.test(c)) {
      const word = /^[^\s.[]+/.exec(s.slice(i))?.[0] ?? c;
      if (dots === 0 && steps.length === 0 && (word === 'true' || word === 'false')) {
        steps.push({ kind: 'literal', value: word === 'true' });
        i += word.length;
        continue;
      }
      if (dots === 0 && steps.length === 0) throw new TemplateError(`unrecognized identifier ${/^[^\s.[]+/.exec(s.slice(i))?.[0] ?? c}`);
      let name = '';
      while (i < s.length && !/[.[\s]/.test(s[i] ?? '')) {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1];
          i += 2;
        } else {
          name += s[i];
          i++;
        }
      }
      steps.push({ kind: 'field', names: [name] });
      dots = 0;
    } else if (c === ' ') {
      i++;
    } else {
      throw new TemplateError(`unrecognized character in action: ${goRune(s.codePointAt(i) ?? 0)}`);
    }
  }
  return steps;
}

/** Go's %#U: U+002A '*'. */
function goRune(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(code)}'`;
}

/** Parses a template into parts; errors read as kubectl's. */
export function parseTemplate(template: string): Part[] {
  const root: Part[] = [];
  const stack: Part[][] = [root];
  for (const piece of splitActions(template)) {
    const top = stack[stack.length - 1] as Part[];
    if (!piece.action) {
      top.push({ kind: 'text', text: piece.text });
      continue;
    }
    const action = piece.text.trim();
    if (action === 'end') {
      // An execution error in client-go, which meets {end} only when it runs the template.
      if (stack.length === 1) throw new TemplateExecutionError('not in range, nothing to end');
      stack.pop();
    } else if (action.startsWith('range ')) {
      const part: Part = { kind: 'range', steps: parsePath(action.slice(6)), body: [] };
      top.push(part);
      stack.push(part.body);
    } else if (
      (action.startsWith('"') && action.endsWith('"') && action.length >= 2) ||
      (action.startsWith("'") && action.endsWith("'") && action.length >= 2)
    ) {
      top.push({ kind: 'text', text: unquote(action) });
    } else if (action === '') {
      top.push({ kind: 'text', text: '' });
    } else {
      top.push({ kind: 'path', steps: parsePath(action) });
    }
  }
  // A range without {end} runs to the end of the template, and client-go then goes on with the
  // actions after it, so they run once more over the outer value: kubectl prints, not fails.
  for (let body = stack.pop(); body && stack.length > 0; body = stack.pop()) (stack[stack.length - 1] as Part[]).push(...body);
  return root;
}

// --- evaluation ------------------------------------------------------------------------------

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Go type of a value of kubectl's unstructured objects (JSON integers decode to int64). */
function goType(value: Json): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (value === null) return '<nil>';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'map[string]interface {}' : 'string';
}

/**
 * client-go's evalRecursive: a value with children, then theirs; scalars and empty values are left
 * out. Go visits map keys in random order; document order is as good and stable.
 */
function descendants(value: Json): Json[] {
  const children = Array.isArray(value)
    ? value
    : isObject(value)
      ? Object.values(value)
      : typeof value === 'string'
        ? [...new TextEncoder().encode(value)]
        : [];
  return children.length === 0 ? [] : [value, ...children.flatMap(descendants)];
}

/**
 * client-go's evalArray, quirks included: bounds are checked, never clamped; a start after the
 * end is an error; and a slice asking for no elements ends the whole step, dropping the values
 * that later inputs would have given (`{.items[*].l[*]}` prints nothing when the first l is empty).
 */
function slice(step: Extract<Step, { kind: 'slice' }>, inputs: readonly Json[]): Json[] {
  const out: Json[] = [];
  for (const value of inputs) {
    if (value === null) continue;
    if (!Array.isArray(value)) throw new TemplateExecutionError(`${goType(value)} is not array or slice`);
    const n = value.length;
    let start = step.start ?? 0;
    if (start < 0) start += n;
    let end = step.end ?? n;
    if (end < 0 || (end === 0 && step.derived)) end += n;
    if (start === end) return out;
    if (start >= n || start < 0) throw new TemplateExecutionError(`array index out of bounds: index ${start}, length ${n}`);
    if (end > n || end < 0) throw new TemplateExecutionError(`array index out of bounds: index ${end - 1}, length ${n}`);
    if (start > end) throw new TemplateExecutionError(`starting index ${start} is greater than ending index ${end}`);
    if (step.step !== null && step.step <= 0) throw new TemplateExecutionError('step must be > 0');
    for (let i = start; i < end; i += step.step ?? 1) out.push(value[i] as Json);
  }
  return out;
}

type GoKind = 'bool' | 'int' | 'float' | 'string';

/** text/template's basicKind, which client-go's filters compare with: anything else is refused. */
function goKind(value: Json, float: boolean): GoKind {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return float || !Number.isInteger(value) ? 'float' : 'int';
  throw new TemplateExecutionError('invalid type for comparison');
}

/**
 * A filter's comparison as client-go's (its fork of text/template's eq and lt): null, maps and
 * lists cannot be compared, kinds must match (int 80 is not float 80.0), bools only with == and !=.
 */
function compare(a: Json, op: string, b: Json, bFloat: boolean): boolean {
  if (!['==', '!=', '<', '<=', '>', '>='].includes(op)) throw new TemplateExecutionError(`unrecognized filter operator ${op}`);
  const ka = goKind(a, false);
  const kb = goKind(b, bFloat);
  if (ka !== kb) throw new TemplateExecutionError('incompatible types for comparison');
  const eq = a === b;
  if (op === '==') return eq;
  if (op === '!=') return !eq;
  if (ka === 'bool') throw new TemplateExecutionError('invalid type for comparison');
  const lt = (a as number | string) < (b as number | string);
  return op === '<' ? lt : op === '<=' ? lt || eq : op === '>' ? !(lt || eq) : !lt;
}

function walk(steps: readonly Step[], inputs: readonly Json[], root: Json): Json[] {
  let values = [...inputs];
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k] as Step;
    if (step.kind === 'union') {
      values = step.paths.flatMap((path) => walk(path, values, root));
      continue;
    }
    if (step.kind === 'slice') {
      values = slice(step, values);
      continue;
    }
    const next: Json[] = [];
    for (const value of values) {
      switch (step.kind) {
        case 'root':
          next.push(root);
          break;
        case 'current':
          next.push(value);
          break;
        case 'recursive':
          next.push(...descendants(value));
          break;
        case 'literal':
          next.push(step.value);
          break;
        case 'all':
          if (Array.isArray(value)) next.push(...value);
          // Go ranges over a string's bytes: `.*` of "xy" is 120 121.
          else if (typeof value === 'string') next.push(...new TextEncoder().encode(value));
          else if (isObject(value))
            next.push(
              ...Object.keys(value)
                .sort()
                .map((key) => value[key] as Json),
            );
          break;
        case 'field':
          if (isObject(value)) for (const name of step.names) if (name in value) next.push(value[name] as Json);
          break;
        case 'filter': {
          if (!Array.isArray(value)) throw new TemplateExecutionError(`${goValue(value)} is not array or slice and cannot be filtered`);
          for (const item of value) {
            const lefts = walk(step.left, [item], root);
            if (step.op === null || step.right === null) {
              if (lefts.length > 0) next.push(item);
              continue;
            }
            const rights = step.right.kind === 'value' ? [step.right.value] : walk(step.right.steps, [item], root);
            // client-go: a missing side skips the item, several values on a side are an error.
            if (lefts.length === 0 || rights.length === 0) continue;
            if (lefts.length > 1 || rights.length > 1) throw new TemplateExecutionError('can only compare one element at a time');
            const float = step.right.kind === 'value' && step.right.float;
            if (compare(lefts[0] ?? null, step.op, rights[0] ?? null, float)) next.push(item);
          }
          break;
        }
      }
    }
    values = next;
  }
  return values;
}

function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (isObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys(value[k] ?? null)]),
    );
  return value;
}

/**
 * Go's encoding/json, which kubectl's jsonpath printers use: map keys sorted, and <, >, &, U+2028
 * and U+2029 escaped (json.Marshal's HTML-safe default). Those characters only occur inside
 * strings of JSON text, so escaping the whole text is exact.
 */
export function goJson(value: Json, indent?: number): string {
  return JSON.stringify(sortedKeys(value), null, indent)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

export function printValue(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return goJson(value);
}

/**
 * A value as Go's fmt.Sprint prints the unstructured value: kubectl's custom-columns printer
 * (cli-runtime printers/customcolumn.go) does that, so null is `<nil>` and an object is
 * `map[k:v ...]` with sorted keys, unlike the jsonpath printer's JSON.
 */
export function goValue(value: Json): string {
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return goNumber(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  const keys = Object.keys(value).sort();
  return `map[${keys.map((key) => `${key}:${goValue(value[key] ?? null)}`).join(' ')}]`;
}

/** %v of Go: integers (int64 in unstructured) as digits, floats shortest, exponent form below 1e-4 or from 1e21. */
function goNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -4 && exponent < 21) return String(value);
  const [mantissa = '', power = '0'] = value.toExponential().split('e');
  const sign = power.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function execute(parts: readonly Part[], current: Json, root: Json): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'path') out += walk(part.steps, [current], root).map(printValue).join(' ');
    else for (const item of walk(part.steps, [current], root)) out += execute(part.body, item, root);
  }
  return out;
}

/** Runs a kubectl JSONPath template over a JSON document. */
export function runTemplate(template: string, document: unknown): string {
  const data = JSON.parse(JSON.stringify(document ?? null)) as Json;
  return execute(parseTemplate(template), data, data);
}

/** Every value the template's path actions yield, in order: kubectl's jsonpath-as-json. */
export function templateValues(template: string, document: unknown): Json[] {
  const data = JSON.parse(JSON.stringify(document ?? null)) as Json;
  const out: Json[] = [];
  const visit = (parts: readonly Part[], current: Json) => {
    for (const part of parts) {
      if (part.kind === 'path') out.push(...walk(part.steps, [current], data));
      else if (part.kind === 'range') for (const item of walk(part.steps, [current], data)) visit(part.body, item);
    }
  };
  visit(parseTemplate(template), data);
  return out;
}

/** The values of a template's first path action over a document, parsed once; null when the template has none. */
export function firstPath(template: string): ((document: unknown) => Json[]) | null {
  const first = parseTemplate(template).find((p) => p.kind === 'path');
  if (first?.kind !== 'path') return null;
  return (document) => {
    const data = JSON.parse(JSON.stringify(document ?? null)) as Json;
    return walk(first.steps, [data], data);
  };
}
