// `kubectl sticky upgrade-check --to VERSION` and `kubectl sticky migrate --to VERSION`: what an
// operator upgrade changes, and the annotations that keep both versions agreeing, live or in
// manifest files (--local prints, --in-place rewrites only the annotation lines).

import { readFileSync, writeFileSync } from 'node:fs';
import type { ObjectSet, JsonObject } from '../core/objects.ts';
import { profileFor, type Profile } from '../core/semantics.ts';
import { formatBackends, renderBackends } from '../core/render.ts';
import { planMigration, planPrune, upgradeCheck, withAnnotations, type AnnotationChange, type MigrationPlan, type UpgradeRow } from '../core/upgrade.ts';
import { errorLine, ServerError, UserError } from '../errors.ts';
import { SERVICES, voyagerIngresses, NETWORKING_INGRESSES, type Api } from '../kube/api.ts';
import { editManifest } from '../manifests/edit.ts';
import { semanticsLine } from '../output/semantics.ts';
import { changeDiff } from '../output/diff.ts';
import { renderDocument } from '../output/document.ts';
import { planLines, upgradeTable } from '../output/upgrade.ts';
import { warningLines } from '../output/warnings.ts';
import type { MigrateOptions, UpgradeCheckOptions } from './commands.ts';
import { gather, type Gathered } from './gather.ts';
import { printTemplate } from './printers.ts';
import type { Context } from './io.ts';
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
  io.err(`${semanticsLine(gathered.choice)}; compared with ${to.version}`);
  for (const line of warningLines(gathered.notes)) io.err(line);
  const base = {
    source: gathered.choice.source,
    ingressClass: options['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const rows = selectRows(upgradeCheck(inScope(gathered, options.targets), base, from, to), options.targets);
  const document = { apiVersion: 'kubectl-sticky/v1alpha1', kind: 'UpgradeCheck', from: from.version, to: to.version, items: rows };
  const output = options.output;
  if (output?.format === 'json' || output?.format === 'yaml') {
    io.out(renderDocument(document, output.format));
  } else if (output && output.template !== null) {
    io.write(printTemplate(output.format, output.template, document, options['no-headers']));
  } else if (rows.length === 0) {
    io.err(`No backend changes between ${from.version} and ${to.version}.`);
  } else {
    const namespaces = new Set(rows.map((r) => r.ingress.namespace));
    io.out(
      upgradeTable(
        rows,
        { from: from.version, to: to.version },
        { noHeaders: options['no-headers'], allNamespaces: options['all-namespaces'] || namespaces.size > 1 },
      ),
    );
  }
  // As kubectl diff: 0 nothing changes, 1 something does, 2 or more an error.
  return rows.length === 0 ? 0 : 1;
}

function annotationsOf(raw: JsonObject): Record<string, string> {
  const metadata = raw['metadata'];
  const annotations = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata['annotations'] : undefined;
  const out: Record<string, string> = {};
  if (annotations && typeof annotations === 'object' && !Array.isArray(annotations))
    for (const [k, v] of Object.entries(annotations)) if (typeof v === 'string') out[k] = v;
  return out;
}

function applied(annotations: Record<string, string>, change: AnnotationChange): Record<string, string> {
  const out = { ...annotations, ...change.set };
  for (const key of change.remove) delete out[key];
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function showAnnotations(annotations: Record<string, string>): string {
  return Object.entries(annotations)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
    .join('');
}

/** The JSON merge patch of one change: set keys, removed keys as null. */
function patchOf(change: AnnotationChange): JsonObject {
  const annotations: JsonObject = { ...change.set };
  for (const key of change.remove) annotations[key] = null;
  return { metadata: { annotations } };
}

async function writeLive(kube: Api, plan: MigrationPlan, options: MigrateOptions, ctx: Context): Promise<void> {
  const dryRun = options['dry-run'] ?? 'none';
  const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
  const voyager = await kube.voyagerVersion();
  const written: string[] = [];
  for (const [index, change] of plan.changes.entries()) {
    const type =
      change.role === 'service'
        ? SERVICES
        : change.apiVersion?.startsWith('voyager.appscode.com/')
          ? voyagerIngresses(voyager ?? 'v1beta1')
          : NETWORKING_INGRESSES;
    if (dryRun !== 'client') {
      try {
        await kube.mergePatch(type, change.namespace, change.name, patchOf(change), { dryRun: dryRun === 'server', fieldManager: options['field-manager'] });
      } catch (error) {
        const rest = plan.changes.slice(index).map((c) => c.object);
        ctx.io.err(errorLine(error));
        throw new UserError(
          `${written.length > 0 ? `written: ${written.join(', ')}; ` : 'nothing was written; '}not written: ${rest.join(', ')} (run the command again to finish)`,
        );
      }
      if (dryRun === 'none') written.push(change.object);
    }
    ctx.io.out(options.output === 'name' ? change.object : `${change.object} annotated${suffix}`);
  }
}

async function writeFiles(plan: MigrationPlan, options: MigrateOptions, ctx: Context): Promise<void> {
  const { manifestFiles, readManifests } = await import('../manifests/read.ts');
  if (options['in-place']) {
    for (const file of manifestFiles(options.filename)) {
      const text = readFileSync(file, 'utf8');
      const edits = plan.changes.map((c) => ({
        kind: c.role === 'service' ? ('Service' as const) : ('Ingress' as const),
        apiVersion: c.apiVersion,
        namespace: c.namespace,
        name: c.name,
        set: c.set,
        remove: c.remove,
      }));
      const result = editManifest(text, edits, options.namespace || 'default', /\.json$/i.test(file));
      if (result.text !== text) writeFileSync(file, result.text);
      for (const edit of result.applied) ctx.io.out(`${edit.kind === 'Service' ? 'service' : 'ingress'}/${edit.namespace}/${edit.name} annotated (${file})`);
    }
    return;
  }
  // --local: the edited objects, as kubectl annotate --local prints them; the files stay as they are.
  const format = options.output === 'json' ? 'json' : 'yaml';
  for (const raw of readManifests(options.filename, () => ctx.io.stdin())) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const object = raw as JsonObject;
    const metadata = object['metadata'];
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) continue;
    const kind = object['kind'] === 'Service' ? 'service' : object['kind'] === 'Ingress' ? 'ingress' : null;
    const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : options.namespace || 'default';
    const change = plan.changes.find((c) => c.role === kind && c.name === metadata['name'] && c.namespace === namespace);
    if (!change) continue;
    ctx.io.out(renderDocument({ ...object, metadata: { ...metadata, annotations: applied(annotationsOf(object), change) } }, format));
  }
}

export async function runMigrate(options: MigrateOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const offline = options.filename.length > 0;
  if (offline && !options.local && !options['in-place'])
    throw new UserError('migrate -f changes files only with --in-place; --local prints the edited objects instead');
  if (!offline && (options.local || options['in-place'])) throw new UserError('--local and --in-place work on files: give them with -f');
  const to = target(options.to ?? '');
  const gathered = await gather(options, ctx, { endpoints: true, configMaps: false });
  const from = gathered.choice.profile;
  io.err(`${semanticsLine(gathered.choice)}; migrating to ${to.version}`);
  const base = {
    source: gathered.choice.source,
    ingressClass: options['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const objects = inScope(gathered, options.targets);
  // Every TARGET must exist before anything is written.
  for (const t of options.targets) {
    const found =
      t.kind === 'ingress'
        ? objects.ingresses.some((i) => i.meta.name === t.name)
        : gathered.objects.services.some((s) => s.meta.name === t.name && (gathered.scope === '' || s.meta.namespace === gathered.scope));
    if (!found)
      throw new ServerError(404, 'NotFound', `Error from server (NotFound): ${t.kind === 'ingress' ? 'ingresses' : 'services'} "${t.name}" not found`);
  }
  const plan: MigrationPlan = options.prune
    ? { changes: planPrune(objects, from, to), impossible: [], kept: [] }
    : planMigration(objects, base, from, to, { force: options.force });
  const lines = planLines(plan);
  for (const line of warningLines(lines.err.map((message) => ({ object: 'migrate', message })))) io.err(line);
  if (plan.changes.length === 0) {
    io.out('unchanged');
    return plan.impossible.length > 0 ? 1 : 0;
  }
  if (offline) await writeFiles(plan, options, ctx);
  else if (gathered.kube) await writeLive(gathered.kube, plan, options, ctx);
  if ((options['dry-run'] ?? 'none') !== 'none' || options.local) {
    for (const change of plan.changes) {
      const raw =
        change.role === 'service'
          ? gathered.objects.services.find((s) => s.meta.namespace === change.namespace && s.meta.name === change.name)?.meta.annotations
          : gathered.objects.ingresses.find((i) => i.meta.namespace === change.namespace && i.meta.name === change.name)?.meta.annotations;
      const before = { ...(raw ?? {}) };
      const diff = changeDiff(
        `${change.object} annotations`,
        showAnnotations(Object.fromEntries(Object.entries(before).sort())),
        showAnnotations(applied(before, change)),
      );
      if (diff) io.err(diff);
    }
    // What the target operator writes for each Ingress in scope, without and with the migration.
    const after = withAnnotations(objects, plan.changes);
    for (const ingress of objects.ingresses) {
      const migrated = after.ingresses.find(
        (i) => i.apiVersion === ingress.apiVersion && i.meta.namespace === ingress.meta.namespace && i.meta.name === ingress.meta.name,
      );
      if (!migrated) continue;
      const diff = changeDiff(
        `haproxy.cfg of ingress ${ingress.meta.namespace}/${ingress.meta.name} under ${to.version}`,
        formatBackends(renderBackends(ingress, objects, to)),
        formatBackends(renderBackends(migrated, after, to)),
      );
      if (diff) io.err(diff);
    }
  }
  return 0;
}
