// The flags commands share, with kubectl's names and meanings, declared once: a command spreads a
// group into its declaration and gets parsing, --help, completion and the typed option from it.
// Loaded for --help: no heavy imports.

import { UserError } from '../errors.ts';
import { parseDuration } from '../timeout.ts';
import { profileFor } from '../core/semantics.ts';
import { parseSelector } from '../core/selector.ts';
import { bool, choice, GLOBAL_FLAGS, list, string, value, type Flag, type FlagBase, type Flags, type GlobalOptions, type ValuesOf } from './spec.ts';

/** kubectl's --request-timeout: a bare number is seconds; units ms, s, m, h. */
export function parseTimeout(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new UserError(`invalid --request-timeout "${text}": use a duration such as 5s, 1m or 0`);
  return ms;
}

/** A string flag whose value `check` judges while parsing (null: fine, else the message). */
function checkedString(options: FlagBase, check: (value: string) => string | null): Flag<string | undefined> {
  return value(options, (text) => {
    const problem = text === undefined ? null : check(text);
    if (problem) throw new UserError(problem);
    return text;
  });
}

const CLUSTER = 'Cluster';
const SEMANTICS = 'Semantics';

/** How to reach the API server, as kubectl's ConfigFlags. */
export const CLUSTER_FLAGS = {
  kubeconfig: string({ describe: 'Path to the kubeconfig file to use', group: CLUSTER, complete: 'files' }),
  context: string({ describe: 'The name of the kubeconfig context to use', group: CLUSTER, complete: 'contexts' }),
  cluster: string({ describe: 'The name of the kubeconfig cluster to use', group: CLUSTER, complete: 'clusters' }),
  user: string({ describe: 'The name of the kubeconfig user to use', group: CLUSTER, complete: 'users' }),
  server: string({ short: 's', describe: 'The address and port of the Kubernetes API server', group: CLUSTER }),
  namespace: string({ short: 'n', describe: 'The namespace scope for this request', group: CLUSTER, complete: 'namespaces' }),
  token: string({ describe: 'Bearer token for authentication to the API server', group: CLUSTER }),
  username: string({ describe: 'Username for basic authentication to the API server', group: CLUSTER }),
  password: string({ describe: 'Password for basic authentication to the API server', group: CLUSTER }),
  as: string({
    describe: 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.',
    group: CLUSTER,
  }),
  // pflag's StringArray: one group per occurrence, commas kept (unlike -f's StringSlice).
  'as-group': {
    ...list({ describe: 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.', group: CLUSTER }),
    read: (texts: readonly string[]) => [...texts],
  },
  'as-uid': string({ describe: 'UID to impersonate for the operation.', group: CLUSTER }),
  // A StringArray of key=value, as kubectl's (cli-runtime 0.35 and later); kube/config.ts groups them by key.
  'as-user-extra': {
    ...list({
      describe: 'User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.',
      group: CLUSTER,
    }),
    read: (texts: readonly string[]) => [...texts],
  },
  'certificate-authority': string({ describe: 'Path to a cert file for the certificate authority', group: CLUSTER, complete: 'files' }),
  'client-certificate': string({ describe: 'Path to a client certificate file for TLS', group: CLUSTER, complete: 'files' }),
  'client-key': string({ describe: 'Path to a client key file for TLS', group: CLUSTER, complete: 'files' }),
  'insecure-skip-tls-verify': bool({
    describe: "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
    group: CLUSTER,
  }),
  'tls-server-name': string({
    describe: 'Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used',
    group: CLUSTER,
  }),
  'disable-compression': bool({ describe: 'If true, opt-out of response compression for all requests to the server', group: CLUSTER }),
  'cache-dir': string({ describe: "Accepted for kubectl's sake and unused: the plugin keeps no discovery cache", group: CLUSTER, complete: 'files' }),
  /** Milliseconds; 0 is the client's default bound. */
  'request-timeout': value(
    { describe: 'How long to wait for one server request (1s, 2m, 3h; a bare number is seconds; 0 means a default of 60s per request)', group: CLUSTER },
    (text) => parseTimeout(text ?? '0'),
  ),
} satisfies Flags;

/** Which Voyager's behaviour applies. */
export const SEMANTICS_FLAGS = {
  'voyager-version': checkedString(
    {
      describe:
        'The Voyager operator version whose semantics apply (3.2.0, 5.0.0, 8.0.1, v12.0.0, v2021.09.15); the environment variable KUBECTL_STICKY_VOYAGER_VERSION sets it too. Default: detected from the operator Deployment, then API discovery; else 3.2 is assumed and enable, disable and migrate refuse to write',
      group: SEMANTICS,
      suggest: ['3.2.0', '5.0.0', '8.0.1', 'v12.0.0', 'v2021.09.15'],
    },
    (value) => {
      const result = profileFor(value);
      return result.ok ? null : result.message;
    },
  ),
  'ingress-class': string({
    describe: "The operator's --ingress-class: only Ingresses with this kubernetes.io/ingress.class annotation are handled",
    group: SEMANTICS,
  }),
} satisfies Flags;

/** Flags of the root (before a command's name): kubectl's global ones, as `kubectl -n NS get`, and --version (app.ts reads them
 * at every start, completion.ts when completing). */
export const ROOT_FLAGS = {
  ...GLOBAL_FLAGS,
  ...CLUSTER_FLAGS,
  ...SEMANTICS_FLAGS,
  version: { kind: 'bool', describe: 'Show the version', read: (texts: readonly string[]) => texts.length > 0 },
} satisfies Flags;

/** Where the objects come from: the cluster (a namespace or all), or files. */
export const SOURCE_FLAGS = {
  ...CLUSTER_FLAGS,
  ...SEMANTICS_FLAGS,
  'all-namespaces': bool({ short: 'A', describe: 'List across all namespaces' }),
  filename: list({ short: 'f', describe: 'Read objects from files, folders (recursive), http(s) URLs or - (stdin) instead of the cluster', complete: 'files' }),
} satisfies Flags;

export const SELECTOR_FLAG = checkedString({ short: 'l', describe: 'Only Ingresses with these labels (a=b,c!=d)' }, (value) => {
  const parsed = parseSelector(value);
  return parsed.ok ? null : parsed.message;
});

/** kubectl's -o: the formats are listed once, for help, completion and the error. */
export function outputFlag<const V extends readonly string[]>(formats: V) {
  return choice(formats, {
    short: 'o',
    describe: `Output format: ${formats.join(', ')}`,
    invalid: (value, allowed) => `unable to match a printer suitable for the output format "${value}", allowed formats are: ${[...allowed].sort().join(',')}`,
  });
}

/** kubectl's template printers: `-o jsonpath=TEMPLATE` and the others that carry a text after `=`. */
export const TEMPLATE_PRINTERS = ['jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'custom-columns', 'custom-columns-file'] as const;
export type TemplatePrinter = (typeof TEMPLATE_PRINTERS)[number];
export type Printer<V extends string> = { format: V; template: null } | { format: TemplatePrinter; template: string };

/** -o with kubectl's named formats and its template printers, listed once for help, completion and the error. */
export function printerFlag<const V extends readonly string[]>(formats: V): Flag<Printer<V[number]> | undefined> {
  const all = [...formats, ...TEMPLATE_PRINTERS.map((p) => `${p}=`)];
  const flag = value({ short: 'o', describe: `Output format: ${formats.join(', ')}, or ${TEMPLATE_PRINTERS.map((p) => `${p}=...`).join(', ')}` }, (text) => {
    if (text === undefined) return undefined;
    const named = formats.find((f) => f === text);
    if (named !== undefined) return { format: named, template: null };
    const at = text.indexOf('=');
    const kind = TEMPLATE_PRINTERS.find((p) => p === text.slice(0, at));
    if (at > 0 && kind !== undefined) return { format: kind, template: text.slice(at + 1) };
    throw new UserError(`unable to match a printer suitable for the output format "${text}", allowed formats are: ${[...all].sort().join(',')}`);
  });
  // Listed for help and completion as the fixed formats are.
  return { ...flag, values: all };
}

export type ClusterOptions = ValuesOf<typeof CLUSTER_FLAGS> & GlobalOptions;
export type SourceOptions = ValuesOf<typeof SOURCE_FLAGS> & GlobalOptions;
