// `kubectl sticky upgrade-check --to VERSION` and `kubectl sticky migrate --to VERSION`: what an
// operator upgrade changes, and the annotations that keep both versions agreeing, live or in
// manifest files, through the one writer (write.ts) and the one printer.

import { applyPatch, type AnnotationPatch } from '../core/change.ts';
import type { StatusOptions } from '../core/effective.ts';
import { objectLabel, type ObjectSet } from '../core/objects.ts';
import { profileFor, type Profile } from '../core/semantics.ts';
import { formatBackends, renderBackends } from '../core/render.ts';
import { planMigration, planPrune, upgradeCheck, withAnnotations, type AnnotationChange, type MigrationPlan, type UpgradeRow } from '../core/upgrade.ts';
import { notFound, UserError } from '../errors.ts';
import { SERVICES, voyagerIngresses, NETWORKING_INGRESSES, type Api } from '../kube/api.ts';
import { semanticsLine } from '../output/semantics.ts';
import { changeDiff } from '../output/diff.ts';
import { planLines, upgradeTable } from '../output/upgrade.ts';
import { warningLines } from '../output/warnings.ts';
import type { MigrateOptions, UpgradeCheckOptions } from './commands.ts';
import { gather, requireKnownVersion, type Gathered } from './gather.ts';
import { outputOf, ResultPrinter } from '../output/print.ts';
import type { Context } from './io.ts';
import { dryRunSuffix, objectName, writeLive, writeOnFiles, writtenResult, type ObjectChange, type Written } from './write.ts';
import type { Target } from './targets.ts';

function target(version: string): Profile {
  const result = profileFor(version);
  if (!result.ok) throw new UserError(result.message, 2);
  return result.profile;
}

/** The objects in scope: -n or -A live, every file offline; TARGETs narrow to those Ingresses and Services. */
function inScope(gathered: Gathered, targets: readonly Target[]): ObjectSet {
  const objects = gathered.objects;
  const scope = gathered.scope;
  const ingressTargets = targets.filter((t) => t.kind === 'ingress').map((t) => t.name);
  return {
    ...objects,
    ingresses: objects.ingresses.filter(
      (i) => (scope === '' || i.meta.namespace === scope) && (ingressTargets.length === 0 || ingressTargets.includes(i.meta.name)),
    ),
  };
}

function selectRows(rows: UpgradeRow[], targets: readonly Target[]): UpgradeRow[] {
  const services = targets.filter((t) => t.kind === 'service').map((t) => t.name);
  return services.length === 0 ? rows : rows.filter((row) => services.includes(row.service.name));
}

export async function runUpgradeCheck(options: UpgradeCheckOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const to = target(options.to ?? '');
  const gathered = await gather(options, ctx, { endpoints: true, configMaps: false });
  const from = gathered.choice.profile;
  io.err(semanticsLine(gathered.choice, `; compared with ${to.version}`));
  for (const line of warningLines(gathered.notes)) io.err(line);
  const base = {
    source: gathered.choice.source,
    ingressClass: options['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const rows = selectRows(upgradeCheck(inScope(gathered, options.targets), base, from, to), options.targets);
  const document = { apiVersion: 'kubectl-sticky/v1alpha1', kind: 'UpgradeCheck', from: from.version, to: to.version, items: rows };
  new ResultPrinter(io, outputOf(options.output), { noHeaders: options['no-headers'] }).print({
    document,
    table: () => {
      const namespaces = new Set(rows.map((r) => r.ingress.namespace));
      const allNamespaces = options['all-namespaces'] || namespaces.size > 1;
      return upgradeTable(rows, { from: from.version, to: to.version }, { noHeaders: options['no-headers'], allNamespaces });
    },
    names: () => [...new Set(rows.map((r) => `service/${r.service.name}`))],
    empty: `No backend changes between ${from.version} and ${to.version}.`,
  });
  // As kubectl diff: 0 nothing changes, 1 something does, 2 or more an error.
  return rows.length === 0 ? 0 : 1;
}

/** The JSON merge patch of one planned change: set keys, removed keys as null. */
function patchOf(change: AnnotationChange): AnnotationPatch {
  const patch: AnnotationPatch = { ...change.set };
  for (const key of change.remove) patch[key] = null;
  return patch;
}

/** Flags that cannot go together, before any request. */
function validateMigrate(options: MigrateOptions): void {
  const offline = options.filename.length > 0;
  if (offline && !options.local && !options['in-place'])
    throw new UserError('migrate -f changes files only with --in-place; --local prints the edited objects instead');
  if (!offline && (options.local || options['in-place'])) throw new UserError('--local and --in-place work on files: give them with -f');
  if (offline && options['dry-run'] === 'server') throw new UserError('--dry-run=server needs a cluster; with -f use --local');
}

/** Every TARGET must exist before anything is written. */
function checkMigrateTargets(gathered: Gathered, objects: ObjectSet, targets: readonly Target[]): void {
  for (const t of targets) {
    const found =
      t.kind === 'ingress'
        ? objects.ingresses.some((i) => i.meta.name === t.name)
        : gathered.objects.services.some((s) => s.meta.name === t.name && (gathered.scope === '' || s.meta.namespace === gathered.scope));
    if (!found) throw notFound(t.kind === 'ingress' ? 'ingresses' : 'services', t.name);
  }
}

/**
 * The plan, narrowed to the TARGETs' objects: the Ingresses and Services of the backends
 * upgrade-check lists for them. Other objects in scope are never touched.
 */
function migrationFor(options: MigrateOptions, objects: ObjectSet, base: Omit<StatusOptions, 'profile'>, from: Profile, to: Profile): MigrationPlan {
  const plan: MigrationPlan = options.prune
    ? { changes: planPrune(objects, from, to), impossible: [], kept: [] }
    : planMigration(objects, base, from, to, { force: options.force });
  if (options.targets.length === 0) return plan;
  const services = options.targets.filter((t) => t.kind === 'service').map((t) => t.name);
  if (services.length === 0) return plan;
  const rows = selectRows(upgradeCheck(objects, base, from, to), options.targets);
  const allowed = new Set(
    rows.flatMap((row) => [objectLabel('ingress', row.ingress.namespace, row.ingress.name), objectLabel('service', row.service.namespace, row.service.name)]),
  );
  const isTarget = (c: AnnotationChange) => allowed.has(c.object) || (c.role === 'service' && services.includes(c.name));
  return {
    changes: plan.changes.filter(isTarget),
    impossible: plan.impossible.filter(({ row }) => services.includes(row.service.name)),
    kept: plan.kept.filter((k) => allowed.has(k.object) || k.backends.some((row) => services.includes(row.service.name))),
  };
}

/** A planned change as the writer takes it. */
function objectChange(change: AnnotationChange, gathered: Gathered, voyager: string | null): ObjectChange {
  const view =
    change.role === 'service'
      ? gathered.objects.services.find((s) => s.meta.namespace === change.namespace && s.meta.name === change.name)
      : gathered.objects.ingresses.find((i) => i.meta.namespace === change.namespace && i.meta.name === change.name && i.apiVersion === change.apiVersion);
  const type =
    gathered.kube === null
      ? null
      : change.role === 'service'
        ? SERVICES
        : change.apiVersion?.startsWith('voyager.appscode.com/')
          ? voyagerIngresses(voyager ?? 'v1beta1')
          : NETWORKING_INGRESSES;
  return {
    role: change.role,
    type,
    apiVersion: change.apiVersion,
    namespace: change.namespace,
    name: change.name,
    label: objectName(change.role, change.apiVersion, change.name),
    patch: patchOf(change),
    raw: null,
    annotations: view?.meta.annotations ?? {},
  };
}

/** A client dry run printing objects reads them first: it shows them whole, as they would be. */
async function withObjects(kube: Api, changes: ObjectChange[], options: MigrateOptions): Promise<ObjectChange[]> {
  const documents = options.output === 'json' || options.output === 'yaml';
  if (!documents || options['dry-run'] !== 'client') return changes;
  return Promise.all(changes.map(async (c) => ({ ...c, raw: c.type ? await kube.get(c.type, c.namespace, c.name) : null })));
}

/** The dry-run diffs: each object's annotations, then what the target operator writes for each Ingress in scope. */
function migrationDiffs(changes: readonly ObjectChange[], plan: MigrationPlan, objects: ObjectSet, to: Profile): string[] {
  const sorted = (a: Record<string, string>) => Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const out = changes.map((c) =>
    changeDiff(`${c.label} (${c.namespace})`, showAnnotations(sorted(c.annotations)), showAnnotations(sorted(applyPatch(c.annotations, c.patch)))),
  );
  const after = withAnnotations(objects, plan.changes);
  for (const ingress of objects.ingresses) {
    const migrated = after.ingresses.find(
      (i) => i.apiVersion === ingress.apiVersion && i.meta.namespace === ingress.meta.namespace && i.meta.name === ingress.meta.name,
    );
    if (!migrated) continue;
    out.push(
      changeDiff(
        `haproxy.cfg of ingress ${ingress.meta.namespace}/${ingress.meta.name} under ${to.version}`,
        formatBackends(renderBackends(ingress, objects, to)),
        formatBackends(renderBackends(migrated, after, to)),
      ),
    );
  }
  return out.filter(Boolean);
}

function showAnnotations(annotations: Record<string, string>): string {
  return Object.entries(annotations)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
    .join('');
}

export async function runMigrate(options: MigrateOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  validateMigrate(options);
  const to = target(options.to ?? '');
  const gathered = await gather(options, ctx, { endpoints: true, configMaps: false });
  const from = gathered.choice.profile;
  io.err(semanticsLine(gathered.choice, `; migrating to ${to.version}`));
  requireKnownVersion(gathered.choice, options.local || options['dry-run'] !== 'none', ctx);
  const base = {
    source: gathered.choice.source,
    ingressClass: options['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const objects = inScope(gathered, options.targets);
  checkMigrateTargets(gathered, objects, options.targets);
  const plan = migrationFor(options, objects, base, from, to);
  const lines = planLines(plan);
  for (const line of warningLines(lines.err.map((message) => ({ object: 'migrate', message })))) io.err(line);
  if (plan.changes.length === 0) {
    io.out('unchanged');
    return plan.impossible.length > 0 ? 1 : 0;
  }
  const dryRun = options['dry-run'];
  const kube = gathered.kube;
  const voyager = kube ? await kube.voyagerVersion() : null;
  const planned = plan.changes.map((c) => objectChange(c, gathered, voyager));
  if (kube === null) await writeOnFiles(io, options, planned, options.namespace || 'default', dryRun);
  else {
    const changes = await withObjects(kube, planned, options);
    const printer = new ResultPrinter(io, outputOf(options.output), { noHeaders: false, each: true });
    const line = (w: Written) => `${w.change.label} annotated${dryRunSuffix(dryRun)}`;
    await writeLive(kube, changes, { dryRun, fieldManager: options['field-manager'] }, (w) => printer.print(writtenResult(w, line(w))), io.err);
  }
  if (dryRun !== 'none' || options.local) for (const diff of migrationDiffs(planned, plan, objects, to)) io.err(diff);
  return 0;
}
