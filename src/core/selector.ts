// Label selectors as kubectl's -l understands them: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
// `a in (x,y)`, `a notin (x,y)`, joined by commas.

export type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'absent'; key: string };

export type SelectorResult = { ok: true; requirements: Requirement[] } | { ok: false; message: string };

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

export function parseSelector(text: string): SelectorResult {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    let match: RegExpExecArray | null;
    let requirement: Requirement | null = null;
    if ((match = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      requirement = {
        op: match[2] as 'in' | 'notin',
        key: match[1] ?? '',
        values: (match[3] ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      };
    } else if ((match = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      requirement = { op: match[2] === '!=' ? 'neq' : 'eq', key: match[1] ?? '', value: match[3] ?? '' };
    } else if ((match = /^!\s*(\S+)$/.exec(part))) {
      requirement = { op: 'absent', key: match[1] ?? '' };
    } else if (KEY.test(part)) {
      requirement = { op: 'exists', key: part };
    }
    if (!requirement || !KEY.test(requirement.key)) return { ok: false, message: `unable to parse requirement: "${part}"` };
    requirements.push(requirement);
  }
  return { ok: true, requirements };
}

export function matchesSelector(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const value = labels[r.key];
    switch (r.op) {
      case 'eq':
        return value === r.value;
      case 'neq':
        return value !== r.value;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
    }
  });
}
