// node bench/printing.ts — what printing the status of 10,000 backends costs in process, per
// printer (-o json, the table, -o wide): the table must cost no more than -o json (issue 21,
// item 17). The live row `status -A` in bench/run.ts measures the whole command; this isolates
// the printer. Prints its numbers; writes nothing.

import { namespaceObjects } from './generate.ts';
import { computeStatus } from '../src/core/effective.ts';
import { objectsFrom } from '../src/core/objects.ts';
import { profileFor } from '../src/core/semantics.ts';
import { ResultPrinter } from '../src/output/print.ts';
import { statusTable } from '../src/output/status.ts';

const raws = Array.from({ length: 50 }, (_, n) => namespaceObjects('v1beta1', n, 50, 'bench-')).flat();
const profile = profileFor('v12.0.0');
if (!profile.ok) throw new Error(profile.message);
const status = computeStatus(objectsFrom(raws, 'default'), { profile: profile.profile, source: 'flag', ingressClass: null });
let bytes = 0;
const sink = {
  out: (t: string) => {
    bytes += t.length + 1;
  },
  write: (t: string) => {
    bytes += t.length;
  },
  err: () => {},
};

/** The median of `runs` timings of `run`, in ms. */
function median(run: () => void, runs = 7): number {
  const times = Array.from({ length: runs }, () => {
    const started = performance.now();
    run();
    return performance.now() - started;
  }).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? Number.NaN;
}

const json = median(() =>
  new ResultPrinter(sink, { format: 'json', template: null }, { noHeaders: false }).print({ document: status, table: () => '', names: () => [], empty: null }),
);
const table = median(() => sink.out(statusTable(status.items, { wide: false, allNamespaces: true, noHeaders: false })));
const wide = median(() => sink.out(statusTable(status.items, { wide: true, allNamespaces: true, noHeaders: false })));
const verdict = table <= json ? 'PASS' : 'MISS';
console.log(
  `${verdict}  printing ${status.items.length} backends (median of 7): -o json ${json.toFixed(0)} ms, table ${table.toFixed(0)} ms (${(table / json).toFixed(2)}x, budget <= 1x), -o wide ${wide.toFixed(0)} ms; ${bytes} bytes in all`,
);
