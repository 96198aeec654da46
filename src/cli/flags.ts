// Flags shared by the commands, with kubectl's names and meanings. This module is loaded for
// --help, so it must stay free of heavy imports.

import type { Argv } from 'yargs';
import { UserError } from '../errors.ts';

export interface ClusterArgs {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  namespace?: string | undefined;
  'request-timeout': string;
  /** kubectl's -v log level (global flag). */
  v?: number | undefined;
}

export interface SemanticsArgs {
  'voyager-version'?: string | undefined;
  'ingress-class'?: string | undefined;
}

export interface SourceArgs extends ClusterArgs, SemanticsArgs {
  'all-namespaces': boolean;
  filename: string[];
}

export function clusterOptions<T>(y: Argv<T>): Argv<T & ClusterArgs> {
  return y
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file to use', group: 'Cluster:' })
    .option('context', { type: 'string', describe: 'The name of the kubeconfig context to use', group: 'Cluster:' })
    .option('cluster', { type: 'string', describe: 'The name of the kubeconfig cluster to use', group: 'Cluster:' })
    .option('user', { type: 'string', describe: 'The name of the kubeconfig user to use', group: 'Cluster:' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'The namespace scope for this request', group: 'Cluster:' })
    .option('request-timeout', {
      type: 'string',
      default: '0',
      describe: 'How long to wait for one server request (1s, 2m, 3h; a bare number is seconds; 0 means a default of 60s per request)',
      group: 'Cluster:',
    }) as Argv<T & ClusterArgs>;
}

export function semanticsOptions<T>(y: Argv<T>): Argv<T & SemanticsArgs> {
  return y
    .option('voyager-version', {
      type: 'string',
      describe: 'The Voyager operator version whose semantics apply (3.2.0, 5.0.0, 8.0.1, v12.0.0, v2021.09.15). Default: detected from the operator Deployment, then API discovery, else 3.2',
      group: 'Semantics:',
    })
    .option('ingress-class', {
      type: 'string',
      describe: "The operator's --ingress-class: only Ingresses with this kubernetes.io/ingress.class annotation are handled",
      group: 'Semantics:',
    }) as Argv<T & SemanticsArgs>;
}

export function sourceOptions<T>(y: Argv<T>): Argv<T & SourceArgs> {
  return semanticsOptions(clusterOptions(y))
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'List across all namespaces' })
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Read objects from files, folders (recursive) or - (stdin) instead of the cluster',
    }) as Argv<T & SourceArgs>;
}

/** kubectl's --request-timeout: a bare number is seconds; units s, m, h; 0 is "no timeout". */
export function parseTimeout(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UserError(`invalid --request-timeout "${text}": use a duration such as 5s, 1m or 0`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  return Math.round(value * factor);
}
