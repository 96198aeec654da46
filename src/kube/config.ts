// Kubeconfig loading with kubectl's rules, which differ from client-node's loadFromDefault:
// with several KUBECONFIG files the FIRST definition of a name (and the first current-context)
// wins, and missing files are skipped.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { UserError, redact, registerSecret } from '../errors.ts';

export interface ConfigFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  namespace?: string | undefined;
  /** kubectl's --server: the API server's address, instead of the cluster's. */
  server?: string | undefined;
}

export interface LoadedConfig {
  kubeConfig: KubeConfig;
  /** -n, else the context's namespace, else default. */
  namespace: string;
  server: string;
}

function configFiles(flags: ConfigFlags): string[] {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig)) throw new UserError(`stat ${flags.kubeconfig}: no such file or directory`);
    return [flags.kubeconfig];
  }
  const env = process.env['KUBECONFIG'];
  if (env) return env.split(delimiter).filter((file) => file !== '' && existsSync(file));
  const home = resolve(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

function firstByName<T extends { name: string }>(target: Map<string, T>, items: readonly T[]): void {
  for (const item of items) if (!target.has(item.name)) target.set(item.name, item);
}

export function loadConfig(flags: ConfigFlags): LoadedConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const file of configFiles(flags)) {
    const one = new KubeConfig();
    try {
      one.loadFromString(readFileSync(file, 'utf8'));
    } catch (error) {
      // The first line of a YAML error names the problem and its position; the lines after it
      // quote the file, which may hold tokens and keys.
      throw new UserError(`error loading config file "${file}": ${redact(String((error as Error)?.message ?? error).split('\n')[0] ?? '')}`);
    }
    for (const user of one.getUsers()) {
      registerSecret(user.token);
      registerSecret(user.password);
      registerSecret(user.keyData);
      if (typeof user.username === 'string' && typeof user.password === 'string')
        registerSecret(Buffer.from(`${user.username}:${user.password}`).toString('base64'));
    }
    one.makePathsAbsolute(dirname(resolve(file)));
    firstByName(clusters, one.getClusters());
    firstByName(users, one.getUsers());
    firstByName(contexts, one.getContexts());
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const contextName = flags.context || currentContext;
  if (flags.context && !contexts.has(flags.context)) throw new UserError(`context "${flags.context}" does not exist`);
  const base = contextName ? contexts.get(contextName) : undefined;
  if (contexts.size === 0 && !flags.cluster) {
    throw new UserError('no configuration has been provided, try setting KUBECONFIG or --kubeconfig');
  }
  if (contextName && !base && !flags.cluster) throw new UserError(`context "${contextName}" does not exist`);
  const clusterName = flags.cluster || base?.cluster || '';
  const userName = flags.user || base?.user || '';
  const named = clusters.get(clusterName);
  const withServer = named && flags.server ? { ...named, server: flags.server } : named;
  if (!withServer) throw new UserError(`cluster "${clusterName}" does not exist in the kubeconfig`);
  // client-node refuses a plain http:// server unless TLS verification is off; kubectl does not,
  // and TLS settings mean nothing there.
  const cluster = withServer.server.startsWith('http:') ? { ...withServer, skipTLSVerify: true } : withServer;
  const user = users.get(userName) ?? { name: userName || 'anonymous' };
  if (flags.user && !users.has(flags.user)) throw new UserError(`user "${flags.user}" does not exist in the kubeconfig`);
  const context: Context = { name: 'kubectl-sticky', cluster: cluster.name, user: user.name, namespace: base?.namespace ?? '' };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: context.name });
  return {
    kubeConfig,
    namespace: flags.namespace || base?.namespace || 'default',
    server: cluster.server,
  };
}
