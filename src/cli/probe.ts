// `kubectl sticky probe ingress/NAME`: stickiness checked on the wire beside what status predicts,
// from the same gathered state. Exit 0 when the wire agrees (or cannot tell), 1 when it disagrees,
// 2 on errors, as kubectl diff.

import { analyse, type StatusItem } from '../core/effective.ts';
import type { IngressView, JsonObject } from '../core/objects.ts';
import { judge, probeBackends, probeExitCode, type ProbeBackend, type ProbeItem, type StickyProbe } from '../core/probe.ts';
import { SERVICES, type Api, type ResourceType } from '../kube/api.ts';
import { renderDocument } from '../output/document.ts';
import { probeTable } from '../output/probe.ts';
import { semanticsLine } from '../output/semantics.ts';
import { warningLines } from '../output/warnings.ts';
import { serviceAddress, TYPE_KEY, type FoundAddress } from '../probe/address.ts';
import { addressText, observe, targetText, type WireTarget } from '../probe/wire.ts';
import { ServerError, UserError } from '../errors.ts';
import type { ProbeOptions } from './commands.ts';
import { gather, type Gathered } from './gather.ts';
import type { Context } from './io.ts';

const NODES: ResourceType = { group: '', version: 'v1', plural: 'nodes', kind: 'Node' };
/** The probe's bound per request when --request-timeout is 0 (the API client's own default is longer). */
const PROBE_TIMEOUT_MS = 5_000;

function findIngress(gathered: Gathered, name: string, flavor: IngressView['flavor'] | null): IngressView {
  const found = gathered.objects.ingresses.filter(
    (i) => i.meta.name === name && (flavor === null || i.flavor === flavor) && (gathered.scope === '' || i.meta.namespace === gathered.scope),
  );
  const [only] = found;
  if (!only) throw new ServerError(404, 'NotFound', `Error from server (NotFound): ingresses "${name}" not found`);
  if (found.length > 1) throw new UserError(`ingress/${name} is ambiguous: it exists in ${found.map((i) => i.meta.namespace).join(' and ')}; use -n`);
  return only;
}

function isForbidden(error: unknown): boolean {
  return error instanceof ServerError && error.code === 403;
}

/**
 * Where each frontend port is reached: --address for the HTTP rules, its host and the rule's port
 * for TCP rules; else from Service voyager-NAME.
 */
async function addressesFor(
  options: ProbeOptions,
  gathered: Gathered,
  ingress: IngressView,
  backends: readonly ProbeBackend[],
): Promise<Map<number, FoundAddress>> {
  const ports = [...new Set(backends.map((b) => b.frontendPort))];
  const given = options.address;
  if (given !== undefined) {
    const tcpPorts = new Set(backends.filter((b) => b.item.backend.type === 'tcp').map((b) => b.frontendPort));
    return new Map(
      ports.map((port) => [
        port,
        tcpPorts.has(port) ? { address: { host: given.host, port }, source: "--address's host, the TCP rule's port" } : { address: given, source: '--address' },
      ]),
    );
  }
  const kube: Api | null = gathered.kube;
  if (kube === null) throw new UserError('with -f there is no cluster to find the Ingress address in: give it with --address HOST:PORT', 2);
  const service: JsonObject | null = await kube.get(SERVICES, ingress.meta.namespace, `voyager-${ingress.meta.name}`);
  let nodes: JsonObject[] = [];
  try {
    nodes = await kube.list(NODES, '');
  } catch (error) {
    if (!isForbidden(error)) throw error;
  }
  const type = ingress.meta.annotations[TYPE_KEY] ?? 'LoadBalancer';
  const where = { name: ingress.meta.name, namespace: ingress.meta.namespace, type };
  return new Map(ports.map((port) => [port, serviceAddress(where, service, nodes, port)]));
}

function wireTarget(backend: ProbeBackend, found: FoundAddress, options: ProbeOptions): WireTarget {
  const standard = backend.frontendPort === (backend.tls ? 443 : 80);
  const name = backend.host ?? found.address.host;
  return {
    address: found.address,
    tls: backend.tls,
    host: standard ? name : `${name}:${backend.frontendPort}`,
    path: backend.path,
    timeoutMs: options['request-timeout'] || PROBE_TIMEOUT_MS,
    insecure: options['insecure-skip-tls-verify'],
    serverHeader: options['server-header']?.toLowerCase() ?? null,
  };
}

function probeItem(ingress: IngressView, backend: ProbeBackend, target: WireTarget, judgement: ReturnType<typeof judge>): ProbeItem {
  const item: StatusItem = backend.item;
  return {
    ingress: { namespace: ingress.meta.namespace, name: ingress.meta.name },
    backend: { host: item.backend.host, path: item.backend.path, port: backend.frontendPort },
    service: { namespace: item.service.namespace, name: item.service.name, port: item.service.port },
    address: addressText(target.address),
    url: targetText(target),
    predicted: backend.predicted,
    ...judgement,
  };
}

function print(probe: StickyProbe, options: ProbeOptions, ctx: Context): void {
  const format = options.output;
  if (format !== undefined) {
    ctx.io.out(renderDocument(probe, format));
    return;
  }
  ctx.io.out(probeTable(probe.items));
  for (const item of probe.items) {
    if (item.verdict !== 'agrees') ctx.io.err(`${item.verdict === 'disagrees' ? 'Disagrees' : 'Unobservable'}: ${item.url}: ${item.reason}`);
  }
}

export async function runProbe(options: ProbeOptions, ctx: Context): Promise<number> {
  const [target] = options.targets;
  if (target?.kind !== 'ingress') throw new UserError('an Ingress is required: kubectl sticky probe ingress/NAME', 2);
  const requests = options.requests;
  const gathered = await gather(options, ctx, { endpoints: true, configMaps: false });
  const ingress = findIngress(gathered, target.name, target.flavor);
  const { status, configs } = analyse(
    { ...gathered.objects, ingresses: [ingress] },
    {
      profile: gathered.choice.profile,
      source: gathered.choice.source,
      ingressClass: options['ingress-class'] ?? null,
      unreadableServiceNamespaces: gathered.unreadableServiceNamespaces,
    },
  );
  const backends = probeBackends(ingress, status.items, configs.get(ingress), { host: options.host, path: options.path });
  if (typeof backends === 'string') throw new UserError(backends, 2);
  const addresses = await addressesFor(options, gathered, ingress, backends);

  ctx.io.err(semanticsLine(gathered.choice));
  const warnings = [...gathered.notes, ...status.warnings];
  for (const line of warningLines(warnings)) ctx.io.err(line);
  const used = [...new Set([...addresses.values()].map((a) => `${addressText(a.address)} (from ${a.source})`))];
  ctx.io.err(
    `Probing ${backends.length} backend${backends.length === 1 ? '' : 's'} of ingress/${ingress.meta.name} at ${used.join(', ')}: ${requests} requests each without a cookie, then ${requests} with the cookie HAProxy sets, each on a new connection`,
  );
  const items: ProbeItem[] = [];
  for (const backend of backends) {
    const found = addresses.get(backend.frontendPort);
    if (!found) continue;
    const wire = wireTarget(backend, found, options);
    // Source-IP stickiness shows only through a header naming the server: without one nothing is sent.
    const blind = backend.predicted.mode === 'source-ip' && wire.serverHeader === null;
    const observation = blind ? { requests, fresh: [], sent: null, withCookie: [] } : await observe(wire, requests, backend.predicted.cookie?.name ?? null);
    items.push(probeItem(ingress, backend, wire, judge(backend.predicted, observation, wire.serverHeader)));
  }
  const probe: StickyProbe = { apiVersion: 'kubectl-sticky/v1alpha1', kind: 'StickyProbe', semantics: status.semantics, items, warnings };
  print(probe, options, ctx);
  return probeExitCode(probe);
}
