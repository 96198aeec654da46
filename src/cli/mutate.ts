// `kubectl sticky enable|disable TARGET...`: one flow for both. Everything is fetched, checked
// and planned before the first write, so bad input changes nothing.

import { applyPatch, effectOf, isEmptyPatch, planChange, withPatches, type AnnotationPatch, type ChangeAction, type ChangeTarget } from '../core/change.ts';
import { isObject, objectsFrom, type JsonObject } from '../core/objects.ts';
import { COOKIE_KEYS, STICKY_ON_KEYS } from '../core/semantics.ts';
import { NETWORKING_INGRESSES, SERVICES, voyagerIngresses, type Api, type ResourceType } from '../kube/api.ts';
import { semanticsLine } from '../output/semantics.ts';
import { renderDocument } from '../output/document.ts';
import { changeDiff } from '../output/diff.ts';
import { configDiffs, effectLines, purgeHint, refusalMessage } from '../output/effect.ts';
import { warningLines } from '../output/warnings.ts';
import { ServerError, UserError, WriteUncertainError, errorLine } from '../errors.ts';
import type { ChangeOptions } from './commands.ts';
import { connect, gatherForChange } from './gather.ts';
import type { Context } from './io.ts';
import { targetLabel } from './targets.ts';
import { stringify } from 'yaml';

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
    if (!raw) throw new ServerError(404, 'NotFound', `Error from server (NotFound): services "${target.name}" not found`);
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
  throw new ServerError(404, 'NotFound', `Error from server (NotFound): ${plural} "${target.name}" not found`);
}

/** Every target, read at once; the first bad one in the order given is the error. */
async function resolveAll(kube: Api, targets: ChangeOptions['targets'], voyagerVersion: string | null): Promise<Resolved[]> {
  const settled = await Promise.allSettled(targets.map((target) => resolveTarget(kube, target, voyagerVersion)));
  return settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

function objectDiff(resolved: Resolved, patch: AnnotationPatch): string {
  const before = resolved.annotations;
  const after = applyPatch(before, patch);
  // Only the keys a sticky change can touch: the patch never writes others.
  const relevant = (annotations: Record<string, string>) =>
    Object.fromEntries(Object.entries(annotations).filter(([key]) => [...STICKY_ON_KEYS, ...COOKIE_KEYS].includes(key) || key in patch));
  const show = (annotations: Record<string, string>) => stringify({ metadata: { annotations: sortKeys(relevant(annotations)) } }, { lineWidth: 0 });
  return changeDiff(`${resolved.label} (${resolved.target.namespace})`, show(before), show(after));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function runMutate(args: ChangeOptions, ctx: Context): Promise<number> {
  validate(args);
  if (args.filename.length > 0) return (await import('./offline.ts')).runOfflineChange(args, ctx);
  if (args.local || args['in-place']) throw new UserError('--local and --in-place work on files: give them with -f');
  const { io } = ctx;
  const action: ChangeAction = args.action;
  const options = { targets: args.targets, dryRun: args['dry-run'] ?? 'none', output: args.output };
  const kube = await connect(args, ctx);
  const voyagerVersion = await kube.voyagerVersion();
  const targets = resolveAll(kube, options.targets, voyagerVersion);
  const gathered = await gatherForChange(args, ctx, kube, {
    targets: targets.then((all) => all.map((r) => r.raw)),
    services: options.targets.flatMap((t) => (t.kind === 'service' ? [{ namespace: kube.namespace, name: t.name }] : [])),
    diffs: options.dryRun !== 'none',
  });
  const resolved = await targets;
  const profile = gathered.choice.profile;
  io.err(semanticsLine(gathered.choice));

  const changes = resolved.map((r) => {
    const plan = planChange(profile, r.annotations, {
      action,
      role: r.target.role,
      cookieName: args['cookie-name'] ?? null,
      cookieHash: args['cookie-hash'] ?? null,
      overwrite: args.overwrite,
      purge: args.purge,
    });
    if (!plan.ok) throw new UserError(`${r.label}: ${refusalMessage(plan.refusal)}`);
    return { resolved: r, target: r.target, patch: plan.patch };
  });

  const suffix = options.dryRun === 'client' ? ' (dry run)' : options.dryRun === 'server' ? ' (server dry run)' : '';
  const written: string[] = [];
  for (const [index, change] of changes.entries()) {
    const { resolved: r, patch } = change;
    let result: JsonObject = r.raw;
    if (!isEmptyPatch(patch) && options.dryRun !== 'client') {
      const metadata: JsonObject = { annotations: patch };
      if (args['resource-version'] !== undefined) metadata['resourceVersion'] = args['resource-version'];
      try {
        result = await kube.mergePatch(
          r.type,
          r.target.namespace,
          r.target.name,
          { metadata },
          { dryRun: options.dryRun === 'server', fieldManager: args['field-manager'] },
        );
      } catch (error) {
        // A write cut off after it was sent may have been applied: name it apart, not as "not written".
        const uncertain = error instanceof WriteUncertainError;
        const notWritten = changes.slice(uncertain ? index + 1 : index).map((c) => c.resolved.label);
        const summary = [
          written.length > 0 ? `written: ${written.join(', ')}` : uncertain ? '' : 'nothing was written',
          uncertain ? `maybe written: ${r.label}` : '',
          notWritten.length > 0 ? `not written: ${notWritten.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
        io.err(errorLine(error));
        throw new UserError(`${summary} (run the command again to finish)`);
      }
      if (options.dryRun === 'none') written.push(r.label);
    } else if (!isEmptyPatch(patch)) {
      result = { ...r.raw, metadata: { ...(isObject(r.raw['metadata']) ? r.raw['metadata'] : {}), annotations: applyPatch(r.annotations, patch) } };
    }
    if (options.output === 'json' || options.output === 'yaml') io.out(renderDocument(result, options.output));
    else if (options.output === 'name') io.out(r.label);
    else io.out(`${r.label} ${isEmptyPatch(patch) ? 'unchanged' : 'annotated'}${isEmptyPatch(patch) ? '' : suffix}`);
  }

  const statusOptions = {
    profile,
    source: gathered.choice.source,
    ingressClass: args['ingress-class'] ?? null,
    unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
  };
  const after = withPatches(gathered.objects, changes);
  const effect = effectOf(
    gathered.objects,
    after,
    changes.map((c) => c.target),
    statusOptions,
    action,
  );
  for (const line of [...warningLines(effect.warnings), ...purgeHint(effect)]) io.err(line);
  const report = options.output === undefined ? io.out : io.err;
  for (const line of effectLines(effect)) report(line);
  if (options.dryRun !== 'none') {
    for (const change of changes) {
      const diff = objectDiff(change.resolved, change.patch);
      if (diff) report(diff);
    }
    for (const diff of configDiffs(effect)) report(diff);
  }
  return 0;
}
