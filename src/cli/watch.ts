// `kubectl sticky status --watch`: the status table, then every backend whose row changes, as
// `kubectl get --watch` prints them. One list and one watch per collection status reads
// (Ingresses, Services, and Endpoints and ConfigMaps when it reads them; reflector.ts); events
// update the objects kept (watch-store.ts), and only the Ingresses a changed object touches are
// judged again, with the same plan as the one-shot status (status-plan.ts), their changed rows
// told apart and printed by watch-rows.ts.

import { serviceKey } from '../core/backends.ts';
import type { StickyStatus, Warning } from '../core/effective.ts';
import { emptyObjectSet, objectLabel } from '../core/objects.ts';
import { ServerError, UserError } from '../errors.ts';
import { qualifiedName, type Api } from '../kube/api.ts';
import { semanticsLine } from '../output/semantics.ts';
import { sortItems } from '../output/columns.ts';
import { templated } from '../output/print.ts';
import type { WatchEventType } from '../output/status.ts';
import type { StatusOptions } from './commands.ts';
import { connect, gatherLive, type Gathered } from './gather.ts';
import type { Context } from './io.ts';
import { follow, recording, type Change, type Collection } from './reflector.ts';
import { checkTargetsFound, statusNeeds, statusOf } from './status-plan.ts';
import { RowBook, WatchPrinter } from './watch-rows.ts';
import { kindOf, nameOf, ObjectStore } from './watch-store.ts';

/** Events that arrive together are judged together: a burst costs one pass, not one per event. */
const COALESCE_MS = 50;

/** Ctrl-C (or SIGTERM, SIGHUP) ends the watch with exit 0, as kubectl get --watch does. */
function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, stop);
  const release = () => {
    for (const s of signals) process.off(s, stop);
  };
  return { signal: controller.signal, release };
}

function checkFlags(options: StatusOptions): void {
  const flag = options['watch-only'] ? '--watch-only' : options.watch ? '--watch' : null;
  if (flag === null) throw new UserError('--output-watch-events option can only be used with --watch or --watch-only');
  if (options.filename.length > 0) throw new UserError(`${flag} cannot be used with --filename: only objects in the cluster can be watched`);
}

export async function runWatch(options: StatusOptions, ctx: Context): Promise<number> {
  checkFlags(options);
  const interrupt = ctx.signal ? null : interruptSignal();
  try {
    return await watch(options, ctx, ctx.signal ?? interrupt?.signal ?? new AbortController().signal);
  } finally {
    interrupt?.release();
  }
}

async function watch(options: StatusOptions, ctx: Context, outer: AbortSignal): Promise<number> {
  const { io } = ctx;
  const lists: Listed[] = [];
  const kube = await connect(options, ctx);
  const gathered: Gathered = await gatherLive(options, ctx, statusNeeds(options), options.selector, recording(kube, lists));
  if (outer.aborted) return 0;
  const { status, ingresses } = statusOf(gathered, options);
  checkTargetsFound(options.targets, gathered, ingresses, status.items);

  io.err(semanticsLine(gathered.choice));
  const printer = new WatchPrinter(io, options, status.semantics);
  printer.warnings(status.warnings);
  const book = new RowBook(printer.printedForm());
  printListed(io, options, status, book, printer);

  const store = new ObjectStore(kube.namespace, { deployments: gathered.objects.deployments, events: gathered.objects.events });
  store.seed(gathered.objects);
  const collections = collectionsOf(lists);
  // From here on the store holds the objects: the lists and the gathered set can go.
  lists.length = 0;
  const base: Gathered = { ...gathered, objects: emptyObjectSet(), notes: [] };
  await new Follower(kube, options, { store, book, printer, base }, collections).run(outer);
  return 0;
}

type Listed = Parameters<typeof recording>[1][number];

/** The rows listed at the start (unless --watch-only), as one table. */
function printListed(io: Context['io'], options: StatusOptions, status: StickyStatus, book: RowBook, printer: WatchPrinter): void {
  const listed = book.update([], status.items);
  if (options['sort-by'] !== undefined) {
    io.err(
      `warning: ${options['watch-only'] ? '--watch-only requested, --sort-by will be ignored' : '--watch requested, --sort-by will be ignored for watch events received'}`,
    );
  }
  if (options['watch-only']) return;
  const items =
    options['sort-by'] === undefined ? listed.map((r) => r.item) : templated(() => sortItems(status.items, options['sort-by'] ?? ''), options['sort-by']);
  printer.rows(items.map((item) => ({ type: 'ADDED' satisfies WatchEventType, item })));
}

/** The lists the gather made, as collections to follow from where each list was. */
function collectionsOf(lists: readonly Listed[]): Collection[] {
  const collections = new Map<string, Collection>();
  for (const list of lists) {
    if (kindOf(list.type) === null) continue;
    const seen = new Map<string, string>();
    for (const raw of list.items) {
      const id = nameOf(raw);
      seen.set(serviceKey(id.namespace, id.name), id.resourceVersion);
    }
    const key = `${qualifiedName(list.type)} ${list.namespace} ${JSON.stringify(list.query)}`;
    collections.set(key, { type: list.type, namespace: list.namespace, query: list.query, seen, resourceVersion: list.resourceVersion });
  }
  return [...collections.values()];
}

interface Kept {
  store: ObjectStore;
  book: RowBook;
  printer: WatchPrinter;
  /** The gathered context without its objects (the store has them). */
  base: Gathered;
}

/** Follows every collection, judging again the Ingresses their changes touch, until stopped or failed. */
class Follower {
  private readonly kube: Api;
  private readonly options: StatusOptions;
  private readonly kept: Kept;
  private readonly collections: readonly Collection[];
  /** Ended from outside (Ctrl-C), or by a collection that cannot be followed any more. */
  private readonly controller = new AbortController();
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** With -n, Services (and Endpoints) in the namespaces backends name are followed too. */
  private readonly followed: Set<string>;
  private readonly alongside: Collection[];
  private fail: (error: unknown) => void = () => {};

  constructor(kube: Api, options: StatusOptions, kept: Kept, collections: readonly Collection[]) {
    this.kube = kube;
    this.options = options;
    this.kept = kept;
    this.collections = collections;
    // Those named at the start came with the gather; one named later gets its own list and watch.
    this.followed = new Set(collections.map((c) => `${qualifiedName(c.type)} ${c.namespace}`));
    this.alongside = collections.filter((c) => c.namespace === kept.base.scope && (kindOf(c.type) === 'service' || kindOf(c.type) === 'endpoints'));
  }

  async run(outer: AbortSignal): Promise<void> {
    const stop = () => this.controller.abort();
    outer.addEventListener('abort', stop);
    if (outer.aborted) stop();
    const failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    failed.catch(() => {});
    try {
      // Until Ctrl-C, or a collection that cannot be followed any more.
      const interrupted = new Promise<void>((resolve) => {
        if (this.controller.signal.aborted) resolve();
        this.controller.signal.addEventListener('abort', () => resolve());
      });
      for (const c of this.collections) this.start(c, false);
      await Promise.race([failed, interrupted]);
    } finally {
      outer.removeEventListener('abort', stop);
      if (this.timer) clearTimeout(this.timer);
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    this.timer = null;
    const keys = this.pending;
    this.pending = new Set();
    const { store, book, printer, base } = this.kept;
    const objects = store.objectsFor(keys);
    const { status: now } = statusOf({ ...base, objects }, this.options);
    const rows = book.update(keys, now.items);
    // The warnings about what was judged again: the Ingresses, their rows, objects read anew.
    const mark = (w: Warning) => `${w.object}\n${w.message}`;
    const labels = new Set([...keys].map((k) => objectLabel('ingress', ...namespaceAndName(k))));
    const related = new Set([...rows.flatMap((r) => r.item.warnings), ...objects.issues].map(mark));
    printer.warnings(now.warnings.filter((w) => labels.has(w.object) || related.has(mark(w))));
    printer.rows(rows);
  }

  private start(c: Collection, listFirst: boolean): void {
    follow(this.kube, c, (type, key, raw) => this.change(type, key, raw), this.controller.signal, listFirst).catch((error: unknown) => {
      if (listFirst && error instanceof ServerError && error.code === 403) {
        // As the gather does: Services that cannot be read leave their backends unknown.
        if (kindOf(c.type) === 'service') this.kept.base.unreadableServiceNamespaces.push(c.namespace);
        this.kept.printer.warnings([
          { object: qualifiedName(c.type), message: `cannot list ${qualifiedName(c.type)} in namespace ${c.namespace} (forbidden); they are left out` },
        ]);
        for (const k of this.kept.store.usersIn(c.namespace)) this.pending.add(k);
        this.schedule();
        return;
      }
      // Rejected before the abort settles the race in run, so the error is what the run ends with.
      this.fail(error);
      this.controller.abort();
    });
  }

  private change: Change = (type, key, raw) => {
    for (const k of this.kept.store.apply(type, key, raw)) {
      this.pending.add(k);
      if (this.kept.base.scope === '' || kindOf(type) !== 'ingress') continue;
      for (const namespace of this.kept.store.serviceNamespaces(k)) {
        for (const like of this.alongside) {
          if (this.followed.has(`${qualifiedName(like.type)} ${namespace}`)) continue;
          this.followed.add(`${qualifiedName(like.type)} ${namespace}`);
          this.start({ type: like.type, namespace, query: like.query, seen: new Map(), resourceVersion: '' }, true);
        }
      }
    }
    this.schedule();
  };
}

function namespaceAndName(key: string): [string, string] {
  const parts = key.split('/');
  const name = parts.pop() ?? '';
  return [parts.pop() ?? '', name];
}
