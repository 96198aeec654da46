// `kubectl sticky enable|disable TARGET...`: one flow for both. Everything is fetched, checked
// and planned before the first write, so bad input changes nothing.

import { applyPatch, cookieHashProblem, effectOf, isEmptyPatch, planChange, withPatches, type AnnotationPatch, type ChangeAction, type ChangeTarget } from '../core/change.ts';
import { objectsFrom, type JsonObject } from '../core/objects.ts';
import { COOKIE_KEYS, STICKY_ON_KEYS } from '../core/semantics.ts';
import type { Kube, ResourceType } from '../kube/client.ts';
import { renderDocument } from '../output/document.ts';
import { unifiedDiff } from '../output/diff.ts';
import { renderTable } from '../output/table.ts';
import { ServerError, UserError, WriteUncertainError, errorLine } from '../errors.ts';
import type { ClusterArgs, SemanticsArgs, SourceArgs } from './flags.ts';
import { checkVersionFlag, connect, gatherLive, type Gathered } from './gather.ts';
import { printNotes, type Io } from './io.ts';
import { parseTarget, targetLabel, type Target } from './targets.ts';
import { stringify } from 'yaml';

export interface MutateArgs extends ClusterArgs, SemanticsArgs {
  targets: string[];
  'dry-run'?: string | undefined;
  'cookie-name'?: string | undefined;
  'cookie-hash'?: string | undefined;
  overwrite: boolean;
  purge: boolean;
  'resource-version'?: string | undefined;
  'field-manager': string;
  output?: string | undefined;
}

type DryRun = 'none' | 'client' | 'server';

interface MutateOptions {
  action: ChangeAction;
  targets: Target[];
  dryRun: DryRun;
  output: '' | 'name' | 'json' | 'yaml';
}

function complete(action: ChangeAction, args: MutateArgs): MutateOptions {
  if (args.targets.length === 0) throw new UserError(`you must specify one or more resources as svc/NAME or ingress/NAME (kubectl sticky ${action} svc/s1)`);
  const dry = args['dry-run'];
  let dryRun: DryRun = 'none';
  if (dry !== undefined) {
    const value = dry === '' || dry === 'true' ? 'client' : dry === 'false' ? 'none' : dry;
    if (value !== 'none' && value !== 'client' && value !== 'server') throw new UserError(`Invalid dry-run value (${dry}). Must be "none", "server", or "client".`);
    dryRun = value;
  }
  const output = args.output ?? '';
  if (!['', 'name', 'json', 'yaml'].includes(output)) {
    throw new UserError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,yaml`);
  }
  if (args['resource-version'] !== undefined && args.targets.length !== 1) throw new UserError('--resource-version may only be used with a single resource');
  if (action === 'enable' && args.purge) throw new UserError('--purge goes with disable');
  if (action === 'disable' && (args['cookie-name'] !== undefined || args['cookie-hash'] !== undefined)) {
    throw new UserError('--cookie-name and --cookie-hash go with enable; disable --purge removes them');
  }
  const hash = args['cookie-hash'];
  const badHash = hash === undefined ? null : cookieHashProblem(hash);
  if (badHash) throw new UserError(badHash);
  checkVersionFlag(args['voyager-version']);
  const targets = args.targets.map(parseTarget);
  const seen = new Set<string>();
  for (const target of targets) {
    const label = targetLabel(target);
    if (seen.has(label)) throw new UserError(`${label} is given twice`);
    seen.add(label);
  }
  return { action, targets, dryRun, output: output as MutateOptions['output'] };
}

interface Resolved {
  target: ChangeTarget;
  type: ResourceType;
  /** How kubectl names it in `... annotated` lines. */
  label: string;
  raw: JsonObject;
  annotations: Record<string, string>;
}

async function resolveTarget(kube: Kube, target: Target, voyagerVersion: string | null): Promise<Resolved> {
  const client = await import('../kube/client.ts');
  const namespace = kube.namespace;
  const make = (type: ResourceType, raw: JsonObject, label: string, changeTarget: ChangeTarget): Resolved => {
    const view = objectsFrom([raw], namespace);
    const meta = view.services[0]?.meta ?? view.ingresses[0]?.meta;
    return { target: changeTarget, type, label, raw, annotations: meta?.annotations ?? {} };
  };
  if (target.kind === 'service') {
    const raw = await kube.get(client.SERVICES, namespace, target.name);
    if (!raw) throw new ServerError(404, 'NotFound', `Error from server (NotFound): services "${target.name}" not found`);
    return make(client.SERVICES, raw, `service/${target.name}`, { role: 'service', namespace, name: target.name });
  }
  const voyagerType = voyagerVersion ? client.voyagerIngresses(voyagerVersion) : null;
  const [voyager, networking] = await Promise.all([
    voyagerType && target.flavor !== 'networking' ? kube.get(voyagerType, namespace, target.name) : null,
    target.flavor !== 'voyager' ? kube.get(client.NETWORKING_INGRESSES, namespace, target.name) : null,
  ]);
  if (voyager && networking) {
    throw new UserError(
      `ingress/${target.name} is ambiguous: both ingresses.voyager.appscode.com/${target.name} and ingresses.networking.k8s.io/${target.name} exist in namespace ${namespace}; name one of them`,
    );
  }
  if (voyager && voyagerType) return make(voyagerType, voyager, `ingress.voyager.appscode.com/${target.name}`, { role: 'ingress', flavor: 'voyager', namespace, name: target.name });
  if (networking) return make(client.NETWORKING_INGRESSES, networking, `ingress.networking.k8s.io/${target.name}`, { role: 'ingress', flavor: 'networking', namespace, name: target.name });
  const plural = target.flavor === 'voyager' ? 'ingresses.voyager.appscode.com' : target.flavor === 'networking' ? 'ingresses.networking.k8s.io' : 'ingresses';
  throw new ServerError(404, 'NotFound', `Error from server (NotFound): ${plural} "${target.name}" not found`);
}

/** Every Ingress in every namespace, since a Service can be used as `name.namespace` anywhere. */
async function gatherEverywhere(args: MutateArgs, kube: Kube, endpoints: boolean, io: Io): Promise<Gathered> {
  const source: SourceArgs = { ...args, filename: [], 'all-namespaces': true };
  try {
    return await gatherLive(source, { endpoints, configMaps: false }, undefined, kube);
  } catch (error) {
    if (!(error instanceof ServerError) || error.code !== 403) throw error;
    io.err(`Warning: cannot list Ingresses in all namespaces (forbidden): effects outside namespace ${kube.namespace} are not shown`);
    return gatherLive({ ...source, 'all-namespaces': false }, { endpoints, configMaps: false }, undefined, kube);
  }
}

function objectDiff(resolved: Resolved, patch: AnnotationPatch): string {
  const before = resolved.annotations;
  const after = applyPatch(before, patch);
  // Only the keys a sticky change can touch: the patch never writes others.
  const relevant = (annotations: Record<string, string>) =>
    Object.fromEntries(Object.entries(annotations).filter(([key]) => [...STICKY_ON_KEYS, ...COOKIE_KEYS].includes(key) || key in patch));
  const show = (annotations: Record<string, string>) => stringify({ metadata: { annotations: sortKeys(relevant(annotations)) } }, { lineWidth: 0 });
  return unifiedDiff(`${resolved.label} (${resolved.target.namespace})`, show(before), show(after));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function stickyWord(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

export async function runMutate(action: ChangeAction, args: MutateArgs, io: Io): Promise<number> {
  const options = complete(action, args);
  const kube = await connect({ ...args, filename: [], 'all-namespaces': false });
  const voyagerVersion = await kube.voyagerVersion();
  const resolved: Resolved[] = [];
  for (const target of options.targets) resolved.push(await resolveTarget(kube, target, voyagerVersion));

  const gathered = await gatherEverywhere(args, kube, options.dryRun !== 'none', io);
  const profile = gathered.choice.profile;
  io.err(`Semantics: ${gathered.choice.reason}`);

  const changes = resolved.map((r) => {
    const plan = planChange(profile, r.annotations, {
      action,
      role: r.target.role,
      cookieName: args['cookie-name'] ?? null,
      cookieHash: args['cookie-hash'] ?? null,
      overwrite: args.overwrite,
      purge: args.purge,
    });
    if (!plan.ok) throw new UserError(`${r.label}: ${plan.message}`);
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
        result = await kube.mergePatch(r.type, r.target.namespace, r.target.name, { metadata }, { dryRun: options.dryRun === 'server', fieldManager: args['field-manager'] });
      } catch (error) {
        // A write cut off after it was sent may have been applied: name it apart, not as "not written".
        const uncertain = error instanceof WriteUncertainError;
        const notWritten = changes.slice(uncertain ? index + 1 : index).map((c) => c.resolved.label);
        const summary = [
          written.length > 0 ? `written: ${written.join(', ')}` : uncertain ? '' : 'nothing was written',
          uncertain ? `maybe written: ${r.label}` : '',
          notWritten.length > 0 ? `not written: ${notWritten.join(', ')}` : '',
        ].filter(Boolean).join('; ');
        io.err(errorLine(error));
        throw new UserError(`${summary} (run the command again to finish)`);
      }
      if (options.dryRun === 'none') written.push(r.label);
    } else if (!isEmptyPatch(patch)) {
      result = { ...r.raw, metadata: { ...(r.raw['metadata'] as JsonObject), annotations: applyPatch(r.annotations, patch) } };
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
  const effect = effectOf(gathered.objects, after, changes.map((c) => c.target), statusOptions, action);
  printNotes(io, effect.warnings);
  const report = options.output === '' ? io.out : io.err;
  if (effect.backends.length === 0) {
    report('Effect: no Voyager Ingress uses these objects');
  } else {
    report('Effect:');
    report(
      renderTable(
        ['namespace', 'ingress', 'backend', 'service', 'sticky before', 'sticky after'],
        effect.backends.map((b) => [b.ingress.namespace, b.ingress.name, b.backend, `${b.service.name}.${b.service.namespace}`, stickyWord(b.before), stickyWord(b.after)]),
        { noHeaders: false },
      ),
    );
  }
  if (options.dryRun !== 'none') {
    for (const change of changes) {
      const diff = objectDiff(change.resolved, change.patch);
      if (diff) report(diff);
    }
    for (const config of effect.configs) {
      const diff = unifiedDiff(`haproxy.cfg of ingress ${config.ingress}`, config.before, config.after);
      if (diff) report(diff);
    }
  }
  return 0;
}
