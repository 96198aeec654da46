// `kubectl sticky enable|disable TARGET...`: one flow for both, live or on manifest files (-f).
// Everything is fetched, checked and planned before the first write, so bad input changes
// nothing; the plan goes to the one writer (write.ts) and its outcome to the one printer.

import { applyPatch, effectOf, planChange, withPatches, type AnnotationPatch, type ChangeTarget, type Effect } from '../core/change.ts';
import { objectsFrom, type JsonObject, type ObjectSet } from '../core/objects.ts';
import type { Annotations, Profile } from '../core/semantics.ts';
import { COOKIE_KEYS, STICKY_ON_KEYS } from '../core/semantics.ts';
import { NETWORKING_INGRESSES, SERVICES, voyagerIngresses, type Api, type ResourceType } from '../kube/api.ts';
import { semanticsLine } from '../output/semantics.ts';
import { outputOf, ResultPrinter } from '../output/print.ts';
import { changeDiff } from '../output/diff.ts';
import { configDiffs, effectLines, purgeHint, refusalMessage } from '../output/effect.ts';
import { warningLines } from '../output/warnings.ts';
import { notFound, UserError } from '../errors.ts';
import type { ChangeOptions } from './commands.ts';
import { connect, findInFiles, gather, gatherForChange, requireKnownVersion, type Gathered } from './gather.ts';
import type { Context, Io } from './io.ts';
import { targetLabel } from './targets.ts';
import { stringify } from 'yaml';
import { dryRunSuffix, objectName, writeLive, writeOnFiles, writtenResult, type ObjectChange, type Written } from './write.ts';

/** Checks the flags cannot make alone: before any request, so bad input costs nothing. */
function validate(options: ChangeOptions): void {
  if (options['resource-version'] !== undefined && options.targets.length !== 1)
    throw new UserError('--resource-version may only be used with a single resource');
  const seen = new Set<string>();
  for (const target of options.targets) {
    const label = targetLabel(target);
    if (seen.has(label)) throw new UserError(`${label} is given twice`);
    seen.add(label);
  }
}

interface Resolved {
  target: ChangeTarget;
  type: ResourceType;
  /** How kubectl names it in `... annotated` lines. */
  label: string;
  raw: JsonObject;
  annotations: Record<string, string>;
}

async function resolveTarget(kube: Api, target: ChangeOptions['targets'][number], voyagerVersion: string | null): Promise<Resolved> {
  const namespace = kube.namespace;
  const make = (type: ResourceType, raw: JsonObject, label: string, changeTarget: ChangeTarget): Resolved => {
    const view = objectsFrom([raw], namespace);
    const meta = view.services[0]?.meta ?? view.ingresses[0]?.meta;
    return { target: changeTarget, type, label, raw, annotations: meta?.annotations ?? {} };
  };
  if (target.kind === 'service') {
    const raw = await kube.get(SERVICES, namespace, target.name);
    if (!raw) throw notFound('services', target.name);
    return make(SERVICES, raw, `service/${target.name}`, { role: 'service', namespace, name: target.name });
  }
  const voyagerType = voyagerVersion ? voyagerIngresses(voyagerVersion) : null;
  const [voyager, networking] = await Promise.all([
    voyagerType && target.flavor !== 'networking' ? kube.get(voyagerType, namespace, target.name) : null,
    target.flavor !== 'voyager' ? kube.get(NETWORKING_INGRESSES, namespace, target.name) : null,
  ]);
  if (voyager && networking) {
    throw new UserError(
      `ingress/${target.name} is ambiguous: both ingresses.voyager.appscode.com/${target.name} and ingresses.networking.k8s.io/${target.name} exist in namespace ${namespace}; name one of them`,
    );
  }
  if (voyager && voyagerType)
    return make(voyagerType, voyager, `ingress.voyager.appscode.com/${target.name}`, { role: 'ingress', flavor: 'voyager', namespace, name: target.name });
  if (networking)
    return make(NETWORKING_INGRESSES, networking, `ingress.networking.k8s.io/${target.name}`, {
      role: 'ingress',
      flavor: 'networking',
      namespace,
      name: target.name,
    });
  const plural = target.flavor === 'voyager' ? 'ingresses.voyager.appscode.com' : target.flavor === 'networking' ? 'ingresses.networking.k8s.io' : 'ingresses';
  throw notFound(plural, target.name);
}

/** Every target, read at once; the first bad one in the order given is the error. */
async function resolveAll(kube: Api, targets: ChangeOptions['targets'], voyagerVersion: string | null): Promise<Resolved[]> {
  const settled = await Promise.allSettled(targets.map((target) => resolveTarget(kube, target, voyagerVersion)));
  return settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

function objectDiff(change: ObjectChange): string {
  const { patch } = change;
  const before = change.annotations;
  const after = applyPatch(before, patch);
  // Only the keys a sticky change can touch: the patch never writes others.
  const relevant = (annotations: Record<string, string>) =>
    Object.fromEntries(Object.entries(annotations).filter(([key]) => [...STICKY_ON_KEYS, ...COOKIE_KEYS].includes(key) || key in patch));
  const show = (annotations: Record<string, string>) => stringify({ metadata: { annotations: sortKeys(relevant(annotations)) } }, { lineWidth: 0 });
  return changeDiff(`${change.label} (${change.namespace})`, show(before), show(after));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The patch for one object, or the refusal as a kubectl-style error naming it. */
function planFor(args: ChangeOptions, profile: Profile, role: ChangeTarget['role'], annotations: Annotations, label: string): AnnotationPatch {
  const plan = planChange(profile, annotations, {
    action: args.action,
    role,
    cookieName: args['cookie-name'] ?? null,
    cookieHash: args['cookie-hash'] ?? null,
    overwrite: args.overwrite,
    purge: args.purge,
  });
  if (!plan.ok) throw new UserError(`${label}: ${refusalMessage(plan.refusal)}`);
  return plan.patch;
}

/** The backends the changes touch, before and after: the effect table's data. */
function effectFor(args: ChangeOptions, gathered: Gathered, changes: readonly (ObjectChange & { target: ChangeTarget })[]): Effect {
  const statusOptions = {
    profile: gathered.choice.profile,
    source: gathered.choice.source,
    ingressClass: args['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const after: ObjectSet = withPatches(gathered.objects, changes);
  return effectOf(
    gathered.objects,
    after,
    changes.map((c) => c.target),
    statusOptions,
    args.action,
  );
}

function printEffect(io: Io, effect: Effect, report: (line: string) => void, objectDiffs: readonly string[]): void {
  for (const line of [...warningLines(effect.warnings), ...purgeHint(effect)]) io.err(line);
  for (const line of effectLines(effect)) report(line);
  for (const diff of objectDiffs) if (diff) report(diff);
}

export async function runMutate(args: ChangeOptions, ctx: Context): Promise<number> {
  validate(args);
  if (args.filename.length > 0) return runOnFiles(args, ctx);
  if (args.local || args['in-place']) throw new UserError('--local and --in-place work on files: give them with -f');
  const { io } = ctx;
  const dryRun = args['dry-run'];
  const kube = await connect(args, ctx);
  const voyagerVersion = await kube.voyagerVersion();
  const targets = resolveAll(kube, args.targets, voyagerVersion);
  const gathered = await gatherForChange(args, ctx, kube, {
    targets: targets.then((all) => all.map((r) => r.raw)),
    services: args.targets.flatMap((t) => (t.kind === 'service' ? [{ namespace: kube.namespace, name: t.name }] : [])),
    diffs: dryRun !== 'none',
  });
  const resolved = await targets;
  io.err(semanticsLine(gathered.choice));
  requireKnownVersion(gathered.choice, dryRun !== 'none', ctx);

  const changes = resolved.map((r) => ({
    ...r.target,
    target: r.target,
    role: r.target.role,
    type: r.type,
    apiVersion: null,
    label: r.label,
    patch: planFor(args, gathered.choice.profile, r.target.role, r.annotations, r.label),
    raw: r.raw,
    annotations: r.annotations,
  }));
  const printer = new ResultPrinter(io, outputOf(args.output), { noHeaders: false, each: true });
  const line = (w: Written) => `${w.change.label} ${w.changed ? `annotated${dryRunSuffix(dryRun)}` : 'unchanged'}`;
  await writeLive(
    kube,
    changes,
    { dryRun, fieldManager: args['field-manager'], resourceVersion: args['resource-version'] },
    (w) => printer.print(writtenResult(w, line(w))),
    io.err,
  );

  const effect = effectFor(args, gathered, changes);
  const diffs = dryRun === 'none' ? [] : [...changes.map(objectDiff), ...configDiffs(effect)];
  printEffect(io, effect, args.output === undefined ? io.out : io.err, diffs);
  return 0;
}

/** The TARGETs in the files, planned: an object a TARGET names that no file holds is an error. */
function planOnFiles(args: ChangeOptions, gathered: Gathered): (ObjectChange & { target: ChangeTarget })[] {
  return args.targets.map((t) => {
    const ingress =
      t.kind === 'ingress'
        ? findInFiles(
            gathered.objects.ingresses.filter((i) => t.flavor === null || i.flavor === t.flavor),
            t.name,
            gathered.scope,
          )
        : undefined;
    const service = t.kind === 'service' ? findInFiles(gathered.objects.services, t.name, gathered.scope) : undefined;
    const object = ingress ?? service;
    if (!object)
      throw new UserError(`${t.kind === 'ingress' ? 'ingress' : 'service'} ${gathered.scope ? `${gathered.scope}/` : ''}${t.name} is not in the files`);
    // The object's own namespace (kubectl -f): -n only narrows where a TARGET is looked for.
    const { namespace } = object.meta;
    const target: ChangeTarget = ingress ? { role: 'ingress', flavor: ingress.flavor, namespace, name: t.name } : { role: 'service', namespace, name: t.name };
    const apiVersion = ingress ? ingress.apiVersion : null;
    const label = objectName(target.role, apiVersion, t.name);
    const patch = planFor(args, gathered.choice.profile, target.role, object.meta.annotations, `${target.role}/${namespace}/${t.name}`);
    return { target, role: target.role, type: null, apiVersion, namespace, name: t.name, label, patch, raw: null, annotations: object.meta.annotations };
  });
}

/**
 * enable/disable on manifest files: --local prints the edited objects, --in-place rewrites the
 * files changing only the annotation lines (with --dry-run: their diffs, the files untouched), as
 * `kubectl annotate --local` and an editor would. The plan and effect are those of a live change.
 */
async function runOnFiles(args: ChangeOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  if (!args.local && !args['in-place']) throw new UserError(`${args.action} -f changes files only with --in-place; --local prints the edited objects instead`);
  const dryRun = args['dry-run'];
  if (dryRun === 'server') throw new UserError('--dry-run=server needs a cluster; with -f use --local');
  const gathered = await gather({ ...args, 'all-namespaces': false }, ctx, { endpoints: true, configMaps: false });
  io.err(semanticsLine(gathered.choice));
  requireKnownVersion(gathered.choice, args.local || dryRun !== 'none', ctx);
  const namespace = args.namespace || 'default';
  const changes = planOnFiles(args, gathered);
  await writeOnFiles(io, args, changes, namespace, dryRun);
  for (const c of changes) if (Object.keys(c.patch).length === 0) io.err(`${c.role}/${c.name} unchanged`);
  const effect = effectFor(args, gathered, changes);
  printEffect(io, effect, io.err, configDiffs(effect));
  return 0;
}
