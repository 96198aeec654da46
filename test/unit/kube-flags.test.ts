// The connection flags over the kubeconfig, with client-go's override rules (no server is
// contacted): what the loaded configuration holds, and kubectl's errors.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { status } from '../../src/cli/commands.ts';
import { parseCommand } from '../../src/cli/spec.ts';
import { redact } from '../../src/errors.ts';
import { loadConfig } from '../../src/kube/config.ts';
import { Transport } from '../../src/kube/transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'sticky-flags-'));
const CA = join(dir, 'ca.crt');
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nnot parsed here\n-----END CERTIFICATE-----\n');

function kubeconfig(cluster: string, user: string): string {
  const file = join(mkdtempSync(join(dir, 'kc-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: ${cluster}}]\nusers: [{name: u, user: ${user}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return file;
}

/** The configuration `status WORDS` connects with. */
function loaded(words: string[]) {
  const config = loadConfig(parseCommand(status.declaration, words).options);
  return { ...config, cluster: config.kubeConfig.getCurrentCluster(), user: config.kubeConfig.getCurrentUser() };
}

test('--certificate-authority replaces the kubeconfig CA and its insecure setting; --insecure-skip-tls-verify drops its CA; both are an error', () => {
  const insecure = kubeconfig("{server: 'https://10.0.0.1:6443', insecure-skip-tls-verify: true}", '{token: abcdefghijkl}');
  const withCa = loaded(['--kubeconfig', insecure, '--certificate-authority', CA]);
  assert.equal(withCa.cluster?.skipTLSVerify, false);
  assert.equal(withCa.cluster?.caFile, CA);

  const pinned = kubeconfig("{server: 'https://10.0.0.1:6443', certificate-authority-data: Y2E=}", '{token: abcdefghijkl}');
  const skipped = loaded(['--kubeconfig', pinned, '--insecure-skip-tls-verify']);
  assert.equal(skipped.cluster?.skipTLSVerify, true);
  assert.equal(skipped.cluster?.caData, undefined);

  assert.throws(
    () => loaded(['--kubeconfig', pinned, '--insecure-skip-tls-verify', '--certificate-authority', CA]),
    /^UserError: specifying a root certificates file with the insecure flag is not allowed$/,
  );
  assert.throws(
    () => loaded(['--kubeconfig', pinned, '--certificate-authority', join(dir, 'nope.crt')]),
    (error: Error) =>
      error.message === `unable to read certificate-authority ${join(dir, 'nope.crt')} for c due to open ${join(dir, 'nope.crt')}: no such file or directory`,
  );
});

test('-s drops the kubeconfig tls-server-name unless --tls-server-name is given; plain http needs no TLS settings', () => {
  const named = kubeconfig("{server: 'https://10.0.0.1:6443', tls-server-name: api.internal}", '{token: abcdefghijkl}');
  assert.equal(loaded(['--kubeconfig', named]).cluster?.tlsServerName, 'api.internal');
  assert.equal(loaded(['--kubeconfig', named, '-s', 'https://10.0.0.2:6443']).cluster?.tlsServerName, undefined);
  assert.equal(loaded(['--kubeconfig', named, '-s', 'https://10.0.0.2:6443', '--tls-server-name', 'other']).cluster?.tlsServerName, 'other');
  assert.equal(loaded(['--kubeconfig', named, '-s', 'http://127.0.0.1:8080']).server, 'http://127.0.0.1:8080');
});

test('--token replaces the kubeconfig credentials (exec plugin); a client certificate stays', () => {
  const exec = kubeconfig(
    "{server: 'https://10.0.0.1:6443'}",
    '{client-certificate-data: Y2VydA==, client-key-data: a2V5, exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false, interactiveMode: Never}}',
  );
  const user = loaded(['--kubeconfig', exec, '--token', 'flag-token-123456']).user;
  assert.equal(user?.token, 'flag-token-123456');
  assert.equal(user?.exec, undefined);
  assert.equal(user?.certData, 'Y2VydA==');
  assert.equal(user?.keyData, 'a2V5');
  assert.ok(loaded(['--kubeconfig', exec]).user?.exec, 'without --token the exec plugin stays');
});

test('impersonation: --as, repeated --as-group (commas kept), --as-uid; the kubeconfig `as` applies too; groups without a user are an error', () => {
  const plain = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl}');
  assert.equal(loaded(['--kubeconfig', plain]).impersonate, null);
  assert.deepEqual(loaded(['--kubeconfig', plain, '--as', 'jane', '--as-group', 'a,b', '--as-group', 'c', '--as-uid', '42']).impersonate, {
    user: 'jane',
    uid: '42',
    groups: ['a,b', 'c'],
    extra: {},
  });
  const as = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl, as: kube-user}');
  assert.deepEqual(loaded(['--kubeconfig', as, '--as-group', 'g']).impersonate, { user: 'kube-user', uid: '', groups: ['g'], extra: {} });
  assert.equal(loaded(['--kubeconfig', as]).user?.impersonateUser, undefined, 'the client sends Impersonate-User itself');
  assert.throws(
    () => loaded(['--kubeconfig', plain, '--as-group', 'g']),
    /^UserError: requesting uid, groups or user-extra for u without impersonating a user$/,
  );
});

test('-s works with no kubeconfig at all (an empty file is an empty configuration); without it, kubectl asks for one', () => {
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const alone = loaded(['--kubeconfig', empty, '-s', 'https://10.0.0.9:6443', '--token', 'abcdefghijkl', '-n', 'x']);
  assert.equal(alone.server, 'https://10.0.0.9:6443');
  assert.equal(alone.namespace, 'x');
  assert.equal(alone.user?.token, 'abcdefghijkl');
  assert.throws(() => loaded(['--kubeconfig', empty]), /no configuration has been provided/);
  assert.equal(alone.compression, true);
  assert.equal(loaded(['--kubeconfig', empty, '-s', 'https://10.0.0.9:6443', '--disable-compression']).compression, false);
});

test('--token and the --client-key file are credentials: masked in anything printed', () => {
  const plain = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{}');
  const key = join(dir, 'client.key');
  const body = 'MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49';
  writeFileSync(key, `-----BEGIN EC PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----\n`);
  loaded(['--kubeconfig', plain, '--token', 'command-line-token-42', '--client-certificate', CA, '--client-key', key]);
  assert.equal(redact(`token command-line-token-42 and key ${body}`), 'token <masked> and key <masked>');
});

// client-go's getAuthInfo merges the flags over the kubeconfig user field by field (a non-empty
// string or list replaces, user extras merge key by key) and then validates the result.
test('impersonation from the kubeconfig (as, as-uid, as-groups, as-user-extra), the flags over it', () => {
  const kc = kubeconfig(
    "{server: 'https://10.0.0.1:6443'}",
    '{token: abcdefghijkl, as: kube-user, as-uid: kube-uid, as-groups: [k1, k2], as-user-extra: {scopes: [view, edit], team: [a]}}',
  );
  assert.deepEqual(loaded(['--kubeconfig', kc]).impersonate, {
    user: 'kube-user',
    uid: 'kube-uid',
    groups: ['k1', 'k2'],
    extra: { scopes: ['view', 'edit'], team: ['a'] },
  });
  const words = [
    '--as',
    'jane',
    '--as-uid',
    '7',
    '--as-group',
    'g',
    '--as-user-extra',
    'team=b',
    '--as-user-extra',
    'team=c=d',
    '--as-user-extra',
    'no-equals',
  ];
  assert.deepEqual(loaded(['--kubeconfig', kc, ...words]).impersonate, {
    user: 'jane',
    uid: '7',
    groups: ['g'],
    extra: { scopes: ['view', 'edit'], team: ['b', 'c=d'] },
  });
  const plain = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl}');
  assert.throws(
    () => loaded(['--kubeconfig', plain, '--as-user-extra', 'a=b']),
    /^UserError: requesting uid, groups or user-extra for u without impersonating a user$/,
  );
  const groupsOnly = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl, as-groups: [g]}');
  assert.throws(() => loaded(['--kubeconfig', groupsOnly]), /without impersonating a user$/);
  assert.equal(loaded(['--kubeconfig', groupsOnly, '--as', 'x']).impersonate?.user, 'x');
});

test('--username/--password over the kubeconfig basic auth, each on its own; with a token either is an error', () => {
  const basic = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{username: bob, password: kubeconfig-password}');
  assert.deepEqual(loaded(['--kubeconfig', basic]).basicAuth, { username: 'bob', password: 'kubeconfig-password' });
  assert.deepEqual(loaded(['--kubeconfig', basic, '--password', 'flag-password-1']).basicAuth, { username: 'bob', password: 'flag-password-1' });
  const none = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{}');
  assert.deepEqual(loaded(['--kubeconfig', none, '--username', 'amy']).basicAuth, { username: 'amy', password: '' });
  assert.equal(loaded(['--kubeconfig', none]).basicAuth, null);
  const token = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl}');
  const conflict = /^UserError: more than one authentication method found for u; found \[token basicAuth\], only one is allowed$/;
  assert.throws(() => loaded(['--kubeconfig', token, '--username', 'amy', '--password', 'p']), conflict);
  assert.throws(() => loaded(['--kubeconfig', basic, '--token', 'flag-token-123456']), conflict);
  assert.equal(redact('flag-password-1 kubeconfig-password'), '<masked> <masked>');
});

test("the cluster's disable-compression turns compression off; --disable-compression=false does not turn it back on", () => {
  const off = kubeconfig("{server: 'https://10.0.0.1:6443', disable-compression: true}", '{token: abcdefghijkl}');
  assert.equal(loaded(['--kubeconfig', off]).compression, false);
  assert.equal(loaded(['--kubeconfig', off, '--disable-compression=false']).compression, false);
  const on = kubeconfig("{server: 'https://10.0.0.1:6443'}", '{token: abcdefghijkl}');
  assert.equal(loaded(['--kubeconfig', on]).compression, true);
  assert.equal(loaded(['--kubeconfig', on, '--disable-compression']).compression, false);
});

test('on the wire: one Impersonate-Extra-KEY line per value (key escaped as client-go does), Basic auth, masked at -v=8', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) seen.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const empty = join(dir, 'empty-for-wire');
    writeFileSync(empty, '');
    const server_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const words = ['--kubeconfig', empty, '-s', server_, '--username', 'amy', '--password', 'wire-password-9'];
    const extras = ['--as', 'jane', '--as-user-extra', 'scopes=view', '--as-user-extra', 'scopes=edit', '--as-user-extra', 'example.com/team%x=a b'];
    const lines: string[] = [];
    const transport = new Transport(loadConfig(parseCommand(status.declaration, [...words, ...extras]).options), {
      timeoutMs: 5000,
      verbosity: 8,
      log: (line) => lines.push(line),
    });
    assert.equal((await transport.read('/x')).status, 200);
    const basic = `Basic ${Buffer.from('amy:wire-password-9').toString('base64')}`;
    assert.deepEqual(
      seen.filter((h) => /^(Impersonate-|Authorization)/.test(h)),
      [
        `Authorization: ${basic}`,
        'Impersonate-User: jane',
        'Impersonate-Extra-Scopes: view',
        'Impersonate-Extra-Scopes: edit',
        'Impersonate-Extra-Example.com%2fteam%25x: a b',
      ],
    );
    assert.ok(lines.includes('    Authorization: Basic <masked>'), lines.join('\n'));
    assert.ok(!lines.join('\n').includes('wire-password-9') && !lines.join('\n').includes(basic.slice(6)));
  } finally {
    server.close();
  }
});
