// What enable/disable does to every backend that uses the changed objects.

import type { Effect } from '../core/change.ts';
import { stickyWord } from './status.ts';
import { changeDiff } from './diff.ts';
import { renderTable } from './table.ts';

/** The `Effect:` lines: a table of sticky before and after, or why there is none. */
export function effectLines(effect: Pick<Effect, 'backends'>): string[] {
  if (effect.backends.length === 0) return ['Effect: no Voyager Ingress uses these objects'];
  const table = renderTable(
    ['namespace', 'ingress', 'backend', 'service', 'sticky before', 'sticky after'],
    effect.backends.map((b) => [
      b.ingress.namespace,
      b.ingress.name,
      b.backend,
      `${b.service.name}.${b.service.namespace}`,
      stickyWord(b.before),
      stickyWord(b.after),
    ]),
    { noHeaders: false },
  );
  return ['Effect:', table];
}

/** The haproxy.cfg diff of every Ingress the change touches (the same for live and file changes). */
export function configDiffs(effect: Pick<Effect, 'configs'>): string[] {
  return effect.configs.map((config) => changeDiff(`haproxy.cfg of ingress ${config.ingress}`, config.before, config.after)).filter((diff) => diff !== '');
}
