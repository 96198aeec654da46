// `kubectl sticky render ingress/NAME [--deployed]`: the HAProxy backend sections Voyager writes
// for the Ingress, from the same core as status; with --deployed, a diff against the config in
// ConfigMap voyager-NAME (exit 0 same, 1 different, >1 error, as kubectl diff).

import { handledByVoyager } from '../core/backends.ts';
import { driftDiff, keyByFor, stickyParts } from '../core/drift.ts';
import { KEY } from '../core/semantics.ts';
import type { IngressView } from '../core/objects.ts';
import { formatBackends, renderIngress } from '../core/render.ts';
import { ServerError, UserError } from '../errors.ts';
import type { SourceArgs } from './flags.ts';
import { gather, type Gathered } from './gather.ts';
import { printNotes, type Io } from './io.ts';
import { parseTarget, type Target } from './targets.ts';

export interface RenderArgs extends SourceArgs {
  target: string;
  deployed: boolean;
}

export const CONFIG_KEY = 'haproxy.cfg';

export function configMapName(ingress: string): string {
  return `voyager-${ingress}`;
}

function findIngress(gathered: Gathered, target: Target & { kind: 'ingress' }): IngressView {
  const scope = gathered.scope;
  const found = gathered.objects.ingresses.filter(
    (i) => i.meta.name === target.name && (target.flavor === null || i.flavor === target.flavor) && (scope === '' || i.meta.namespace === scope),
  );
  if (found.length === 0) throw new ServerError(404, 'NotFound', `Error from server (NotFound): ingresses "${target.name}" not found`);
  if (found.length > 1) {
    const forms = found.map((i) => `${i.flavor === 'voyager' ? 'ingresses.voyager.appscode.com' : 'ingresses.networking.k8s.io'}/${i.meta.name} (${i.meta.namespace})`);
    throw new UserError(`ingress/${target.name} is ambiguous: ${forms.join(' and ')}; name one of them${scope === '' ? ' or use -n' : ''}`);
  }
  return found[0] as IngressView;
}

/** The deployed haproxy.cfg of the Ingress, or null when there is none (or no right to read it). */
export async function deployedConfig(gathered: Gathered, ingress: IngressView): Promise<string | null> {
  const name = configMapName(ingress.meta.name);
  if (gathered.kube) {
    const client = await import('../kube/client.ts');
    try {
      const configMap = await gathered.kube.get(client.CONFIGMAPS, ingress.meta.namespace, name);
      const data = configMap?.['data'];
      const text = data && typeof data === 'object' && !Array.isArray(data) ? data[CONFIG_KEY] : undefined;
      return typeof text === 'string' ? text : null;
    } catch (error) {
      if (error instanceof ServerError && error.code === 403) return null;
      throw error;
    }
  }
  const configMap = gathered.objects.configMaps.find((c) => c.meta.namespace === ingress.meta.namespace && c.meta.name === name);
  return configMap?.data[CONFIG_KEY] ?? null;
}

export async function runRender(args: RenderArgs, io: Io): Promise<number> {
  const target = parseTarget(args.target);
  if (target.kind !== 'ingress') throw new UserError(`render works on an Ingress (ingress/NAME), not ${args.target}`);
  const gathered = await gather(args, { endpoints: true, configMaps: false });
  const ingress = findIngress(gathered, target);
  const profile = gathered.choice.profile;
  io.err(`Semantics: ${gathered.choice.reason}`);
  const result = renderIngress(ingress, gathered.objects, profile);
  const object = `ingress/${ingress.meta.namespace}/${ingress.meta.name}`;
  const ingressClass = args['ingress-class'] ?? null;
  printNotes(io, [
    ...(handledByVoyager(ingress, ingressClass)
      ? []
      : [{ object, message: `Voyager${ingressClass ? ` run with --ingress-class ${ingressClass}` : ''} does not handle this Ingress (class ${ingress.meta.annotations[KEY.ingressClass] ?? 'none'}): it writes no config for it; shown as it would be` }]),
    ...result.notes.map((message) => ({ object, message })),
    ...result.skipped.map((s) => ({ object, message: `backend for service ${s.service.namespace}/${s.service.name}:${s.service.port} is not written: ${s.reason}` })),
    ...result.backends.flatMap((b) => b.notes.map((message) => ({ object, message: `backend ${b.name}: ${message}` }))),
  ]);
  if (!result.written && result.failure) {
    // HAProxy keeps its last config; --deployed shows what that is.
    throw new UserError(`${profile.version === profile.id ? `Voyager ${profile.id}` : `Voyager ${profile.version}`} writes no haproxy.cfg for ${object} (${result.failure.event}): ${result.failure.message}${args.deployed ? '' : '; HAProxy keeps running its last config (see render --deployed)'}`, 1);
  }
  const computed = formatBackends(result.backends);
  if (!args.deployed) {
    io.out(computed.trimEnd());
    return 0;
  }
  const deployed = await deployedConfig(gathered, ingress);
  if (deployed === null) {
    throw new UserError(`no deployed config: ConfigMap ${ingress.meta.namespace}/${configMapName(ingress.meta.name)} with key ${CONFIG_KEY} not found or not readable`, 2);
  }
  const keyBy = keyByFor(profile);
  const drift = driftDiff(stickyParts(deployed, keyBy), stickyParts(computed, keyBy), {
    deployed: `deployed/${configMapName(ingress.meta.name)}`,
    computed: `computed/${ingress.meta.name}`,
  });
  if (drift.same) {
    io.err(`${object}: the deployed HAProxy config matches the annotations`);
    return 0;
  }
  io.out(drift.patch.trimEnd());
  return 1;
}
