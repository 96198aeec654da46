// Kubeconfig loading with kubectl's rules, which differ from client-node's loadFromDefault:
// with several KUBECONFIG files the FIRST definition of a name (and the first current-context)
// wins, and missing files are skipped.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { UserError, redact, registerSecret } from '../errors.ts';
import type { CLUSTER_FLAGS } from '../cli/flags.ts';
import type { ValuesOf } from '../cli/spec.ts';

/**
 * kubectl's connection flags (cli-runtime's ConfigFlags), by their flag names; undefined when not
 * given. Derived from their declarations so the two cannot drift; the import is of types only.
 * --cache-dir is accepted and unused, --request-timeout is the client's (ConnectOptions.timeoutMs).
 */
export type ConfigFlags = Partial<Omit<ValuesOf<typeof CLUSTER_FLAGS>, 'cache-dir' | 'request-timeout'>>;

/** Who the requests act as (the Impersonate-* headers); null when nobody is impersonated. */
export interface Impersonation {
  user: string;
  uid: string;
  groups: readonly string[];
  /** Impersonate-Extra-KEY headers, one per value. */
  extra: Readonly<Record<string, readonly string[]>>;
}

/** Basic authentication (--username/--password, or the kubeconfig's); either may be empty, as in client-go. */
export interface BasicAuth {
  username: string;
  password: string;
}

/**
 * kubeconfig fields that client-node does not read (it knows `as`, not the rest of the
 * impersonation, nor a cluster's disable-compression), read from the file's own text.
 */
interface RawUser {
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface LoadedConfig {
  kubeConfig: KubeConfig;
  /** -n, else the context's namespace, else default. */
  namespace: string;
  server: string;
  impersonate: Impersonation | null;
  basicAuth: BasicAuth | null;
  /** Ask for gzip responses (kubectl does, unless --disable-compression or the cluster's disable-compression). */
  compression: boolean;
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

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The named entries of a kubeconfig list (`users`, `clusters`), each its inner mapping. */
function entries(config: Record<string, unknown>, list: string, field: string): [string, Record<string, unknown>][] {
  const items = Array.isArray(config[list]) ? (config[list] as unknown[]) : [];
  return items.map((item) => [String(record(item)['name'] ?? ''), record(record(item)[field])]);
}

/** The impersonation fields of each user, and the clusters with disable-compression: true. */
function rawFields(text: string, users: Map<string, RawUser>, uncompressed: Map<string, boolean>): void {
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { uniqueKeys: false });
  } catch {
    return; // client-node accepted the file; should this parser not, its fields above go unread
  }
  const config = record(parsed);
  for (const [name, user] of entries(config, 'users', 'user')) {
    if (users.has(name)) continue;
    const extra = Object.fromEntries(Object.entries(record(user['as-user-extra'])).map(([key, values]) => [key, strings(values)]));
    users.set(name, { uid: typeof user['as-uid'] === 'string' ? user['as-uid'] : '', groups: strings(user['as-groups']), extra });
  }
  for (const [name, cluster] of entries(config, 'clusters', 'cluster'))
    if (!uncompressed.has(name)) uncompressed.set(name, cluster['disable-compression'] === true);
}

export function loadConfig(flags: ConfigFlags): LoadedConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  const rawUsers = new Map<string, RawUser>();
  const uncompressed = new Map<string, boolean>();
  let currentContext = '';
  for (const file of configFiles(flags)) {
    const text = readFileSync(file, 'utf8');
    // An empty file is an empty configuration to kubectl (client-node rejects it).
    if (text.trim() === '') continue;
    const one = new KubeConfig();
    try {
      one.loadFromString(text);
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
    rawFields(text, rawUsers, uncompressed);
    one.makePathsAbsolute(dirname(resolve(file)));
    firstByName(clusters, one.getClusters());
    firstByName(users, one.getUsers());
    firstByName(contexts, one.getContexts());
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const contextName = flags.context || currentContext;
  if (flags.context && !contexts.has(flags.context)) throw new UserError(`context "${flags.context}" does not exist`);
  const base = contextName ? contexts.get(contextName) : undefined;
  // With --server, kubectl needs no kubeconfig at all (the flags say where and who).
  if (contexts.size === 0 && !flags.cluster && !flags.server) {
    throw new UserError('no configuration has been provided, try setting KUBECONFIG or --kubeconfig');
  }
  if (contextName && !base && !flags.cluster) throw new UserError(`context "${contextName}" does not exist`);
  const clusterName = flags.cluster || base?.cluster || '';
  const userName = flags.user || base?.user || '';
  const named = clusters.get(clusterName);
  if (!named && !(flags.server && !flags.cluster)) throw new UserError(`cluster "${clusterName}" does not exist in the kubeconfig`);
  if (flags.user && !users.has(flags.user)) throw new UserError(`user "${flags.user}" does not exist in the kubeconfig`);
  const cluster = clusterWithFlags(named ?? { name: clusterName, server: '', skipTLSVerify: false }, flags);
  const { user, impersonate, basicAuth } = userWithFlags(users.get(userName) ?? { name: userName }, rawUsers.get(userName), flags);
  const context: Context = { name: 'kubectl-sticky', cluster: cluster.name, user: user.name, namespace: base?.namespace ?? '' };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: context.name });
  return {
    kubeConfig,
    namespace: flags.namespace || base?.namespace || 'default',
    server: cluster.server,
    impersonate,
    basicAuth,
    // client-go merges the flag over the cluster's field, where false never overrides true.
    compression: !flags['disable-compression'] && !(named && uncompressed.get(named.name)),
  };
}

/** Fails as kubectl does when a file the configuration names cannot be read. */
function mustRead(what: string, file: string, owner: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UserError(`unable to read ${what} ${file} for ${owner} due to open ${file}: ${why}`);
  }
}

/** client-go's getCluster overrides: the flags win over the kubeconfig's cluster. */
function clusterWithFlags(named: Cluster, flags: ConfigFlags): Cluster {
  let caFile = named.caFile;
  let caData = named.caData;
  let skipTLSVerify = named.skipTLSVerify;
  // --insecure-skip-tls-verify drops the kubeconfig's CA, --certificate-authority its insecure
  // setting: only both on the command line (or both in the kubeconfig) conflict.
  const ca = flags['certificate-authority'];
  if (ca || flags['insecure-skip-tls-verify']) {
    caFile = ca || undefined;
    caData = undefined;
    skipTLSVerify = flags['insecure-skip-tls-verify'] === true;
  }
  const server = flags.server || named.server;
  // A --server on the command line drops the kubeconfig's tls-server-name too (it named another host).
  const tlsServerName = flags['tls-server-name'] !== undefined || flags.server ? flags['tls-server-name'] || undefined : named.tlsServerName;
  if (skipTLSVerify && (caFile || caData) && server.startsWith('https:')) {
    throw new UserError('specifying a root certificates file with the insecure flag is not allowed');
  }
  if (caFile) mustRead('certificate-authority', caFile, named.name);
  const cluster: Cluster = {
    name: named.name,
    server,
    // client-node refuses a plain http:// server unless TLS verification is off; kubectl does
    // not, and TLS settings mean nothing there.
    skipTLSVerify: skipTLSVerify || server.startsWith('http:'),
    ...(caFile ? { caFile } : {}),
    ...(caData ? { caData } : {}),
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(named.proxyUrl ? { proxyUrl: named.proxyUrl } : {}),
  };
  return cluster;
}

/** --as-user-extra's key=value texts by key, as cli-runtime reads them (a text without `=` is skipped). */
function extrasOf(texts: readonly string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const text of texts) {
    const at = text.indexOf('=');
    if (at < 0) continue;
    const key = text.slice(0, at);
    extra[key] = [...(extra[key] ?? []), text.slice(at + 1)];
  }
  return extra;
}

/**
 * client-go's getAuthInfo: the flags merged over the kubeconfig user field by field (a non-empty
 * string or list replaces, user extras merge key by key), then its validation.
 */
function userWithFlags(
  named: User,
  raw: RawUser | undefined,
  flags: ConfigFlags,
): { user: User; impersonate: Impersonation | null; basicAuth: BasicAuth | null } {
  const token = flags.token || named.token || '';
  const username = flags.username || named.username || '';
  const password = flags.password || named.password || '';
  registerSecret(flags.token);
  registerSecret(flags.password);
  if (token && (username || password)) {
    throw new UserError(`more than one authentication method found for ${named.name}; found [token basicAuth], only one is allowed`);
  }
  const basicAuth = username || password ? { username, password } : null;
  if (basicAuth) registerSecret(Buffer.from(`${username}:${password}`).toString('base64'));
  // --token is the credential: the kubeconfig's exec plugin and auth provider are not used, as
  // client-go skips an exec plugin when a token is given. Basic auth goes out as its own header.
  const credentials: Partial<User> = flags.token
    ? { token }
    : {
        ...(token ? { token } : {}),
        ...(named.exec ? { exec: named.exec } : {}),
        ...(named.authProvider ? { authProvider: named.authProvider } : {}),
      };
  const certFile = flags['client-certificate'];
  const keyFile = flags['client-key'];
  const cert = certFile ? { certFile } : { ...(named.certFile ? { certFile: named.certFile } : {}), ...(named.certData ? { certData: named.certData } : {}) };
  const key = keyFile ? { keyFile } : { ...(named.keyFile ? { keyFile: named.keyFile } : {}), ...(named.keyData ? { keyData: named.keyData } : {}) };
  if (certFile) mustRead('client-cert', certFile, named.name);
  for (const file of [key.keyFile].filter((f) => f !== undefined)) {
    // The key is a credential: masked wherever it could be printed, line by line as a PEM is.
    const pem = mustRead('client-key', file, named.name).toString('utf8');
    registerSecret(pem);
    for (const line of pem.split('\n')) if (!line.startsWith('-----')) registerSecret(line);
  }
  const impersonate = impersonationOf(named, raw, flags);
  // The client sends all Impersonate-* headers itself; client-node would add only the user.
  const user: User = { name: named.name || 'anonymous', ...credentials, ...cert, ...key };
  return { user, impersonate, basicAuth };
}

/** The merged as, as-uid, as-groups and as-user-extra; uid, groups or extras without a user are client-go's error. */
function impersonationOf(named: User, raw: RawUser | undefined, flags: ConfigFlags): Impersonation | null {
  const user = flags.as || named.impersonateUser || '';
  const uid = flags['as-uid'] || raw?.uid || '';
  const flagGroups = flags['as-group'] ?? [];
  const groups = flagGroups.length > 0 ? [...flagGroups] : (raw?.groups ?? []);
  const extra = { ...raw?.extra, ...extrasOf(flags['as-user-extra'] ?? []) };
  if (!user && (groups.length > 0 || uid || Object.keys(extra).length > 0)) {
    throw new UserError(`requesting uid, groups or user-extra for ${named.name} without impersonating a user`);
  }
  return user ? { user, uid, groups, extra } : null;
}
