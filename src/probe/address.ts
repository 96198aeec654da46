// Where the probe sends its requests: --address, else the Service Voyager creates for the Ingress
// (voyager-NAME): its LoadBalancer address, else a NodePort (or HostPort) on a node, as the
// Ingress's ingress.appscode.com/type says. Pure: the Service and Nodes as read in, the address out.

// Light (no value imports but errors.ts): the command's declaration reads --address with parseAddress.
import type { Json, JsonObject } from '../core/objects.ts';
import { UserError } from '../errors.ts';
import type { Address } from './wire.ts';

export const TYPE_KEY = 'ingress.appscode.com/type';

/** kubectl port-forward, for clusters where no address is reachable from here. */
function portForwardHint(ingress: string): string {
  return `kubectl port-forward svc/voyager-${ingress} 8080:80, then --address 127.0.0.1:8080`;
}

/** `HOST:PORT` or `[IPv6]:PORT`; the message when it is not one. */
export function parseAddress(text: string): Address | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined || !(port >= 1 && port <= 65535)) return `invalid --address "${text}": use HOST:PORT, for example 127.0.0.1:8080`;
  return { host, port };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function field(value: Json | undefined, key: string): Json | undefined {
  return isObject(value) ? value[key] : undefined;
}

/** A node's address users reach it at: ExternalIP first, then InternalIP, then its hostname. */
function nodeAddress(nodes: readonly JsonObject[]): string | null {
  for (const type of ['ExternalIP', 'InternalIP', 'Hostname']) {
    for (const node of nodes) {
      const found = list(field(node['status'], 'addresses')).find((a) => a['type'] === type && typeof a['address'] === 'string');
      if (found && typeof found['address'] === 'string') return found['address'];
    }
  }
  return null;
}

export interface FoundAddress {
  address: Address;
  /** Said on stderr: where it came from. */
  source: string;
}

/**
 * The address of `frontendPort` from Service voyager-NAME (null when it does not exist) and the
 * Nodes (read only for NodePort and HostPort). Throws a UserError (exit 2) when none is reachable.
 */
export function serviceAddress(
  ingress: { name: string; namespace: string; type: string },
  service: JsonObject | null,
  nodes: readonly JsonObject[],
  frontendPort: number,
): FoundAddress {
  const name = `service/voyager-${ingress.name}`;
  const fail = (why: string) =>
    new UserError(`no address to probe ingress/${ingress.name}: ${why}; give one with --address (for example ${portForwardHint(ingress.name)})`, 2);
  if (service === null) throw fail(`${name} not found in namespace ${ingress.namespace}`);
  const ports = list(field(service['spec'], 'ports'));
  const port = ports.find((p) => p['port'] === frontendPort);
  if (!port) throw fail(`${name} has no port ${frontendPort}`);
  if (ingress.type === 'HostPort') {
    const host = nodeAddress(nodes);
    if (host === null) throw fail('no node address to reach its host port');
    return { address: { host, port: frontendPort }, source: `host port ${frontendPort} of a node (${TYPE_KEY}: HostPort)` };
  }
  const balancer = list(field(field(service['status'], 'loadBalancer'), 'ingress'))[0];
  const external = balancer?.['ip'] ?? balancer?.['hostname'];
  if (typeof external === 'string' && external !== '' && ingress.type !== 'NodePort') {
    return { address: { host: external, port: frontendPort }, source: `the LoadBalancer address of ${name}` };
  }
  const nodePort = port['nodePort'];
  if (typeof nodePort === 'number' && nodePort > 0) {
    const host = nodeAddress(nodes);
    if (host === null) throw fail(`${name} has node port ${nodePort}, but no node address was found`);
    return { address: { host, port: nodePort }, source: `node port ${nodePort} of ${name} on a node` };
  }
  throw fail(`${name} has no LoadBalancer address and no node port (${TYPE_KEY}: ${ingress.type})`);
}
