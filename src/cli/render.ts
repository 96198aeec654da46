// `kubectl sticky render ingress/NAME [--deployed]`: the HAProxy backend sections Voyager writes
// for the Ingress, from the same core as status; with --deployed, a diff against the config in
// ConfigMap voyager-NAME (exit 0 same, 1 different, >1 error, as kubectl diff).

import { handledByVoyager } from '../core/backends.ts';
import { CONFIG_KEY, configMapName, keyByFor, stickyParts } from '../core/drift.ts';
import { KEY } from '../core/semantics.ts';
import type { IngressView } from '../core/objects.ts';
import { formatBackends, renderIngress } from '../core/render.ts';
import { CONFIGMAPS } from '../kube/api.ts';
import { semanticsLine } from '../output/semantics.ts';
import { stickyPartsText, unifiedDiff } from '../output/diff.ts';
import { warningLines } from '../output/warnings.ts';
import { ServerError, UserError, notFound } from '../errors.ts';
import type { RenderOptions } from './commands.ts';
import { gather, type Gathered } from './gather.ts';
import type { Context } from './io.ts';
import type { Target } from './targets.ts';

function findIngress(gathered: Gathered, target: Target & { kind: 'ingress' }): IngressView {
  const scope = gathered.scope;
  const found = gathered.objects.ingresses.filter(
    (i) => i.meta.name === target.name && (target.flavor === null || i.flavor === target.flavor) && (scope === '' || i.meta.namespace === scope),
  );
  const [only] = found;
  if (!only) throw notFound('ingresses', target.name);
  if (found.length > 1) {
    const forms = found.map(
      (i) => `${i.flavor === 'voyager' ? 'ingresses.voyager.appscode.com' : 'ingresses.networking.k8s.io'}/${i.meta.name} (${i.meta.namespace})`,
    );
    throw new UserError(`ingress/${target.name} is ambiguous: ${forms.join(' and ')}; name one of them${scope === '' ? ' or use -n' : ''}`);
  }
  return only;
}

/** The deployed haproxy.cfg of the Ingress, or null when there is none (or no right to read it). */
export async function deployedConfig(gathered: Gathered, ingress: IngressView): Promise<string | null> {
  const name = configMapName(ingress.meta.name);
  if (gathered.kube) {
    try {
      const configMap = await gathered.kube.get(CONFIGMAPS, ingress.meta.namespace, name);
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

export async function runRender(options: RenderOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const [target] = options.targets;
  if (target?.kind !== 'ingress') throw new UserError('an Ingress is required: kubectl sticky render ingress/NAME');
  const gathered = await gather(options, ctx, { endpoints: true, configMaps: false, pods: true });
  const ingress = findIngress(gathered, target);
  const profile = gathered.choice.profile;
  io.err(semanticsLine(gathered.choice));
  const result = renderIngress(ingress, gathered.objects, profile);
  const object = `ingress/${ingress.meta.namespace}/${ingress.meta.name}`;
  const ingressClass = options['ingress-class'] ?? null;
  const notes = [
    ...(handledByVoyager(ingress, ingressClass)
      ? []
      : [
          {
            object,
            message: `Voyager${ingressClass ? ` run with --ingress-class ${ingressClass}` : ''} does not handle this Ingress (class ${ingress.meta.annotations[KEY.ingressClass] ?? 'none'}): it writes no config for it; shown as it would be`,
          },
        ]),
    ...result.notes.map((message) => ({ object, message })),
    ...result.skipped.map((s) => ({
      object,
      message: `backend for service ${s.service.namespace}/${s.service.name}:${s.service.port} is not written: ${s.reason}`,
    })),
    ...result.backends.flatMap((b) => b.notes.map((message) => ({ object, message: `backend ${b.name}: ${message}` }))),
  ];
  for (const line of warningLines(notes)) io.err(line);
  if (!result.written && result.failure) {
    // HAProxy keeps its last config; --deployed shows what that is.
    throw new UserError(
      `${profile.version === profile.id ? `Voyager ${profile.id}` : `Voyager ${profile.version}`} writes no haproxy.cfg for ${object} (${result.failure.event}): ${result.failure.message}${options.deployed ? '' : '; HAProxy keeps running its last config (see render --deployed)'}`,
      1,
    );
  }
  const computed = formatBackends(result.backends);
  if (!options.deployed) {
    io.out(computed.trimEnd());
    return 0;
  }
  const deployed = await deployedConfig(gathered, ingress);
  if (deployed === null) {
    throw new UserError(
      `no deployed config: ConfigMap ${ingress.meta.namespace}/${configMapName(ingress.meta.name)} with key ${CONFIG_KEY} not found or not readable`,
      2,
    );
  }
  const keyBy = keyByFor(profile);
  const diff = unifiedDiff(
    { label: `deployed/${configMapName(ingress.meta.name)}`, text: stickyPartsText(stickyParts(deployed, keyBy)) },
    { label: `computed/${ingress.meta.name}`, text: stickyPartsText(stickyParts(computed, keyBy)) },
  );
  if (diff === '') {
    io.err(`${object}: the deployed HAProxy config matches the annotations`);
    return 0;
  }
  io.out(diff);
  return 1;
}
