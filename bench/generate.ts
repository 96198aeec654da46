// The synthetic cluster of the benchmark: deterministic, so a seeded control plane can be
// reused (bench/seed.ts stores a hash of this file in the marker ConfigMap). One namespace at a
// time: INGRESSES_PER_NAMESPACE Voyager Ingresses with BACKENDS_PER_INGRESS backends each, and
// SERVICES_PER_NAMESPACE Services (+ Endpoints) whose annotations cover every variety the
// plugin judges. Only erasable TypeScript syntax (Node runs this file directly).

export const INGRESSES_PER_NAMESPACE = 20;
export const BACKENDS_PER_INGRESS = 10;
export const SERVICES_PER_NAMESPACE = 200;

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const svcName = (i: number) => `svc-${pad(i, 3)}`;

/** Service annotations, by variety (index modulo the list's length). */
const SERVICE_VARIETIES: Record<string, string>[] = [
  { 'ingress.appscode.com/sticky-session': 'true' },
  { 'ingress.appscode.com/sticky-session': 'yes' },
  { 'ingress.appscode.com/sticky-session': 'false' },
  { 'ingress.appscode.com/affinity': 'cookie' },
  { 'ingress.appscode.com/affinity': 'true' },
  { 'ingress.appscode.com/affinity': 'Cookie' },
  { 'ingress.kubernetes.io/affinity': 'cookie' },
  { 'ingress.appscode.com/affinity': 'cookie', 'ingress.appscode.com/session-cookie-name': 'ROUTE', 'ingress.appscode.com/session-cookie-hash': 'sha1' },
  { 'ingress.appscode.com/sticky-session': 'true', 'ingress.appscode.com/session-cookie-name': 'SRV', 'ingress.appscode.com/session-cookie-hash': 'md5' },
  { 'ingress.appscode.com/stickySession': 'true' },
  {},
  { 'ingress.appscode.com/sticky-session': 'true', 'ingress.appscode.com/affinity': 'cookie', 'ingress.kubernetes.io/affinity': 'cookie' },
  { 'ingress.appscode.com/session-cookie-name': 'ONLYNAME' },
  {},
];

/** Every 20th Service is an ExternalName (no Endpoints); the rest are headless (the test
 * plane's service CIDR is a /24, too small for 10,000 ClusterIPs). */
const isExternalName = (i: number) => i % 20 === 19;

export function service(namespace: string, i: number): Obj {
  const annotations = { ...SERVICE_VARIETIES[i % SERVICE_VARIETIES.length], 'bench.kubectl-sticky/owner': 'bench' };
  const ports = [
    { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
    { name: 'tcp', protocol: 'TCP', port: 5000 + (i % 50), targetPort: 9000 },
  ];
  const spec = isExternalName(i)
    ? { type: 'ExternalName', externalName: `${svcName(i)}.example.internal`, ports }
    : { clusterIP: 'None', selector: { app: svcName(i) }, ports };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: svcName(i), namespace, labels: { app: svcName(i), 'bench.kubectl-sticky/set': 'bench' }, annotations },
    spec,
  };
}

export function endpoints(namespace: string, i: number): Obj | null {
  if (isExternalName(i)) return null;
  const base = (i % 250) + 1;
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svcName(i), namespace, labels: { app: svcName(i) } },
    subsets: [
      {
        addresses: [{ ip: `10.244.${base % 250}.${(i % 200) + 2}` }, { ip: `10.245.${base % 250}.${(i % 200) + 2}` }],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'tcp', port: 9000, protocol: 'TCP' },
        ],
      },
    ],
  };
}

/**
 * Backend j of ingress k in namespace number nsIndex of nsCount: mostly a Service of the same
 * namespace; every 17th a `name.namespace` reference to the next namespace; every 29th a Service
 * that does not exist.
 */
function backendRef(nsIndex: number, nsCount: number, prefix: string, k: number, j: number): { serviceName: string; servicePort: string } {
  const n = k * BACKENDS_PER_INGRESS + j;
  const i = n % SERVICES_PER_NAMESPACE;
  const port = j < 8 ? '80' : String(5000 + (i % 50));
  if (n % 29 === 28) return { serviceName: `missing-${pad(n, 4)}`, servicePort: port };
  if (n % 17 === 16) return { serviceName: `${svcName(i)}.${prefix}${pad((nsIndex + 1) % nsCount, 2)}`, servicePort: port };
  return { serviceName: svcName(i), servicePort: port };
}

/** 10 backends: 2 hosts with 4 paths each, and 2 TCP rules. Some ingresses are sticky as a whole. */
export function ingress(apiVersion: string, nsIndex: number, nsCount: number, prefix: string, k: number): Obj {
  const namespace = `${prefix}${pad(nsIndex, 2)}`;
  const ref = (j: number) => backendRef(nsIndex, nsCount, prefix, k, j);
  const annotations: Record<string, string> = { 'bench.kubectl-sticky/owner': 'bench' };
  if (k % 5 === 0) annotations['ingress.appscode.com/sticky-session'] = 'true';
  if (k % 7 === 3) annotations['ingress.appscode.com/affinity'] = 'cookie';
  if (k % 11 === 5) Object.assign(annotations, { 'ingress.appscode.com/session-cookie-name': 'ING', 'ingress.appscode.com/session-cookie-hash': 'sha1' });
  const rules: unknown[] = [0, 1].map((h) => ({
    host: `h${h}.ing-${pad(k, 3)}.${namespace}.example.com`,
    http: { paths: [0, 1, 2, 3].map((p) => ({ path: `/p${p}`, backend: ref(h * 4 + p) })) },
  }));
  rules.push(...[8, 9].map((j) => ({ host: `tcp${j}.ing-${pad(k, 3)}.${namespace}.example.com`, tcp: { port: String(7000 + j), backend: ref(j) } })));
  return {
    apiVersion: `voyager.appscode.com/${apiVersion}`,
    kind: 'Ingress',
    metadata: { name: `ing-${pad(k, 3)}`, namespace, labels: { 'bench.kubectl-sticky/set': 'bench', tier: k % 2 ? 'odd' : 'even' }, annotations },
    spec: { rules },
  };
}

/** Everything in one namespace, Services and Endpoints first. */
export function namespaceObjects(apiVersion: string, nsIndex: number, nsCount: number, prefix: string): Obj[] {
  const namespace = `${prefix}${pad(nsIndex, 2)}`;
  const out: Obj[] = [];
  for (let i = 0; i < SERVICES_PER_NAMESPACE; i++) {
    out.push(service(namespace, i));
    const ep = endpoints(namespace, i);
    if (ep) out.push(ep);
  }
  for (let k = 0; k < INGRESSES_PER_NAMESPACE; k++) out.push(ingress(apiVersion, nsIndex, nsCount, prefix, k));
  return out;
}

export const namespaceName = (prefix: string, nsIndex: number) => `${prefix}${pad(nsIndex, 2)}`;
