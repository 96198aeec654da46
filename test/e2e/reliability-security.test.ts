// Security on the real control plane: credentials never reach any output (token, client key,
// exec plugin output, -v logs), RBAC refusals write nothing, and terminal escapes from files and
// from the cluster are neutralised on stdout and stderr.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { FaultProxy, PASS, kubeconfigFor } from '../support/fault-proxy.ts';
import { stickyAsync, type TimedResult } from '../support/spawn.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { mustKubectl, sticky, type Result } from './run.ts';

const NS = 'rel-security';
const PKI = resolve(repoRoot, '.cluster/pki');
const VERSION = ['--voyager-version', '3.2.0'];
const STICKY = 'ingress.appscode.com/sticky-session';
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let cluster: Cluster;
/** The cluster's admin token: .cluster/tokens.csv, first column of the first line. */
let token: string;
let dir: string;
/** Every run of this file, for the final count. */
const checked: { what: string; code: number }[] = [];

/** The secret must appear nowhere in the run's output. */
function noLeak(what: string, result: Result | TimedResult, secrets: string[]): void {
  checked.push({ what, code: result.code });
  const all = result.stdout + result.stderr;
  for (const secret of secrets) assert.ok(!all.includes(secret), `${what}: a credential leaked:\n${all}`);
  assert.doesNotMatch(all, /^\s+at .*\(.*:\d+:\d+\)$/m, `${what}: a stack trace`);
}

before(async () => {
  cluster = await ensureCluster();
  token = (readFileSync(resolve(repoRoot, '.cluster/tokens.csv'), 'utf8').split('\n')[0] ?? '').split(',')[0] ?? '';
  assert.ok(token.length >= 16);
  dir = mkdtempSync(join(tmpdir(), 'sticky-security-'));
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec: {ports: [{port: 80}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: front, namespace: ${NS}}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - backend: {serviceName: web, servicePort: '80'}
`,
  );
});

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function execUser(command: string): Record<string, unknown> {
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never' } };
}

test('the admin token never appears in the output of succeeding runs, -v=9 included; -v=8 masks Authorization', async () => {
  const admin = cluster.kubeconfig;
  const runs: [string, string[]][] = [
    ['status -v=9', ['status', '-n', NS, '-v=9']],
    ['status -o json --v=8', ['status', '-n', NS, '-o', 'json', '--v=8']],
    ['enable --dry-run=server -v=9', ['enable', 'svc/web', '-n', NS, ...VERSION, '--dry-run=server', '-v=9']],
    ['enable + disable -v=8', ['enable', 'svc/web', '-n', NS, ...VERSION, '-v=8']],
    ['disable -v=8', ['disable', 'svc/web', '-n', NS, ...VERSION, '-v=8']],
  ];
  for (const [what, args] of runs) {
    const result = sticky(args, { kubeconfig: admin });
    assert.equal(result.code, 0, `${what}: ${result.stderr}`);
    noLeak(what, result, [token]);
    assert.match(result.stderr, /^ {4}Authorization: Bearer <masked>$/m, what);
    assert.match(result.stderr, /^GET https:\/\/127\.0\.0\.1:\d+\/\S+ 200 in \d+ms$/m, what);
  }
  const six = sticky(['status', '-n', NS, '-v=6'], { kubeconfig: admin });
  assert.match(six.stderr, /^GET https:\/\/\S+\/apis\/voyager\.appscode\.com 200 in \d+ms$/m);
  assert.doesNotMatch(six.stderr, /Authorization/, '-v=6 logs no headers');
  noLeak('status -v=6', six, [token]);
});

test('failing runs with the admin token: refused, unreachable, a server that echoes the token back', async () => {
  const refused = kubeconfigFor('https://127.0.0.1:9', PKI, { token });
  noLeak('connection refused -v=8', await stickyAsync(['status', '-v=8', '--request-timeout', '3s'], { kubeconfig: refused }), [token]);

  // A hostile or broken server that puts the request's Authorization header into its answer.
  const proxy = new FaultProxy(cluster.server, PKI, (r) =>
    r.method === 'GET' && r.path === '/apis/voyager.appscode.com'
      ? {
          kind: 'status',
          status: 500,
          body: JSON.stringify({ kind: 'Status', code: 500, message: `denied ${r.authorization} (token ${r.authorization.replace('Bearer ', '')})` }),
        }
      : PASS,
  );
  const url = await proxy.start();
  try {
    const echoed = await stickyAsync(['status', '-v=8'], { kubeconfig: kubeconfigFor(url, PKI, { token }, { namespace: NS }) });
    assert.equal(echoed.code, 1);
    assert.match(echoed.stderr, /^Error from server \(InternalError\): denied Bearer <masked> \(token <masked>\)$/m);
    noLeak('server echoes the token', echoed, [token]);
    const write = await stickyAsync(['enable', 'svc/web', ...VERSION, '-v=9'], { kubeconfig: kubeconfigFor(url, PKI, { token }, { namespace: NS }) });
    noLeak('enable against the echoing server', write, [token]);
  } finally {
    await proxy.stop();
  }

  // A kubeconfig that is not YAML, with the token on the broken line and the ones around it.
  const broken = join(dir, 'broken-config');
  writeFileSync(broken, `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: ${token}, : [\n    ${token}\n`);
  const parse = sticky(['status', '--kubeconfig', broken], {});
  assert.equal(parse.code, 1);
  assert.match(parse.stderr.trim(), /^error: error loading config file ".*broken-config": .+$/);
  assert.equal(parse.stderr.trim().split('\n').length, 1);
  noLeak('unparsable kubeconfig', parse, [token]);
});

test('exec credential plugins: a token they print never appears, whether the plugin works or not', async () => {
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } });
  const good = script('good-plugin', `echo '${credential}'`);
  const ok = sticky(['status', '-n', NS, '-v=8'], { kubeconfig: kubeconfigFor(cluster.server, PKI, execUser(good)) });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /^ {4}Authorization: Bearer <masked>$/m);
  noLeak('exec plugin, working', ok, [token]);

  // Prints the bare token instead of an ExecCredential: V8's JSON.parse error would quote it.
  const plain = script('plain-plugin', `echo '${token}'`);
  const notJson = sticky(['status', '-n', NS], { kubeconfig: kubeconfigFor(cluster.server, PKI, execUser(plain)) });
  assert.equal(notJson.code, 1);
  assert.equal(notJson.stderr.trim(), 'error: getting credentials: the exec credential plugin printed something that is not an ExecCredential (JSON)');
  noLeak('exec plugin printing a bare token', notJson, [token]);

  // Prints the credential, then fails.
  const failing = script('failing-plugin', `echo '${credential}'\necho 'plugin: login required' >&2\nexit 1`);
  const failed = sticky(['status', '-n', NS], { kubeconfig: kubeconfigFor(cluster.server, PKI, execUser(failing)) });
  assert.equal(failed.code, 1);
  assert.equal(failed.stderr.trim(), 'error: getting credentials: plugin: login required');
  noLeak('exec plugin failing after printing a token', failed, [token]);

  // Prints JSON that is not an ExecCredential but holds the token.
  const odd = script('odd-plugin', `echo '{"token": "${token}"}'`);
  const oddRun = sticky(['status', '-n', NS], { kubeconfig: kubeconfigFor(cluster.server, PKI, execUser(odd)) });
  assert.equal(oddRun.code, 1);
  noLeak('exec plugin printing other JSON', oddRun, [token]);
});

test('client key kubeconfigs: the key never appears, whether TLS works or fails', () => {
  const make = (name: string) => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.crt`),
        '-subj',
        `/CN=${name}`,
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.crt`), 'utf8') };
  };
  const one = make('one');
  const two = make('two');
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  // The secrets: the key's PEM body lines, and its base64 as written in the kubeconfig.
  const keySecrets = (key: string) => [...key.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')), b64(key).slice(20, 80)];

  // Works: a client certificate and key (which this apiserver does not ask for) plus the token.
  const withKey = kubeconfigFor(cluster.server, PKI, { token, 'client-certificate-data': b64(one.cert), 'client-key-data': b64(one.key) });
  const ok = sticky(['status', '-n', NS, '-v=8'], { kubeconfig: withKey });
  assert.equal(ok.code, 0, ok.stderr);
  noLeak('client key, working', ok, [token, ...keySecrets(one.key)]);

  // Fails: the key does not match the certificate.
  const mismatched = kubeconfigFor(cluster.server, PKI, { token, 'client-certificate-data': b64(one.cert), 'client-key-data': b64(two.key) });
  const bad = sticky(['status', '-n', NS, '-v=8'], { kubeconfig: mismatched });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim().split('\n').at(-1), 'error: tls: private key does not match public key');
  noLeak('client key not matching the certificate', bad, [token, ...keySecrets(two.key), ...keySecrets(one.key)]);

  // Fails: the key is not a key at all (its text is still secret).
  const garbage = `-----BEGIN EC PRIVATE KEY-----\n${b64('not really a key but secret text '.repeat(3))}\n-----END EC PRIVATE KEY-----\n`;
  const broken = kubeconfigFor(cluster.server, PKI, { 'client-certificate-data': b64(one.cert), 'client-key-data': b64(garbage) });
  const brokenRun = sticky(['status', '-n', NS], { kubeconfig: broken });
  assert.equal(brokenRun.code, 1);
  noLeak('client key that is not a key', brokenRun, keySecrets(garbage));
});

test('RBAC: every command as the limited user outside its namespace is Forbidden and writes nothing', () => {
  mustKubectl(
    ['apply', '-f', '-'],
    cluster.kubeconfig,
    `apiVersion: v1\nkind: Service\nmetadata: {name: rel-rbac, namespace: default, annotations: {${STICKY}: 'true'}}\nspec: {ports: [{port: 80}]}\n`,
  );
  const before = mustKubectl(['get', 'svc', 'rel-rbac', '-n', 'default', '-o', 'json'], cluster.kubeconfig);
  const runs: [string, string[]][] = [
    ['status', ['status', '-n', 'default']],
    ['status svc', ['status', 'svc/rel-rbac', '-n', 'default', '-o', 'wide']],
    ['enable', ['enable', 'svc/rel-rbac', '-n', 'default', ...VERSION, '--overwrite']],
    ['disable', ['disable', 'svc/rel-rbac', '-n', 'default', ...VERSION, '--purge']],
    ['disable (no version flag)', ['disable', 'svc/rel-rbac', '-n', 'default']],
  ];
  for (const [what, args] of runs) {
    const result = sticky(args, { kubeconfig: cluster.limitedKubeconfig });
    assert.equal(result.code, 1, `${what}: ${result.stderr}`);
    assert.equal(result.stdout, '', what);
    assert.match(
      result.stderr,
      /^Error from server \(Forbidden\): .+ is forbidden: User "team-a-user" cannot (get|list) resource "[a-z]+"/m,
      `${what}: ${result.stderr}`,
    );
    assert.equal(result.stderr.split('\n').filter((l) => /^(error|Error from server)/.test(l)).length, 1, `${what}: one error line\n${result.stderr}`);
    noLeak(`limited: ${what}`, result, [token]);
  }
  assert.equal(
    mustKubectl(['get', 'svc', 'rel-rbac', '-n', 'default', '-o', 'json'], cluster.kubeconfig),
    before,
    'the object is unchanged (resourceVersion included)',
  );

  const all = sticky(['status', '-A'], { kubeconfig: cluster.limitedKubeconfig });
  assert.equal(all.code, 1);
  const lines = all.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Semantics') && !l.startsWith('Warning'));
  assert.equal(lines.length, 1, all.stderr);
  assert.match(
    lines[0] ?? '',
    /^Error from server \(Forbidden\): .*cannot list resource "ingresses" in API group "voyager\.appscode\.com" at the cluster scope.*try -n NAMESPACE$/,
  );
});

const HOSTILE = `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: "evil\\e[2J\\e[Hname"
  namespace: "ns\\e]0;owned\\a"
  annotations:
    ingress.appscode.com/sticky-session: "\\e[31mtrue"
    ingress.kubernetes.io/session-cookie-name: "SID\\x9b2J\\u202e"
    ingress.appscode.com/affinity: "cookie\\e[8m"
spec:
  backend: {serviceName: "svc\\e[5m", servicePort: 80}
  rules:
  - host: "host\\e[1m.example.com"
    http:
      paths:
      - backend: {serviceName: "svc\\e[5m", servicePort: "\\e[4mhttp"}
---
apiVersion: v1
kind: Service
metadata:
  name: "svc\\e[5m"
  namespace: "ns\\e]0;owned\\a"
  annotations: {ingress.appscode.com/sticky-session: "yes\\e[0m"}
spec: {ports: [{port: 80, name: "\\e[4mhttp"}]}
`;

test('status -f with terminal escapes in names and annotations prints no raw ESC or C1 byte, in any format', () => {
  for (const output of [[], ['-o', 'wide'], ['-o', 'json'], ['-o', 'yaml']]) {
    for (const version of ['3.2.0', '5.0.0', 'v12.0.0']) {
      const result = sticky(['status', '-f', '-', '--voyager-version', version, ...output], { input: HOSTILE });
      const what = `status ${output.join(' ')} ${version}`;
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      assert.ok(!result.stdout.includes('\x1b') && !result.stderr.includes('\x1b'), `${what}: raw ESC`);
      assert.doesNotMatch(result.stdout + result.stderr, RAW_CONTROL, what);
      assert.match(result.stdout, /evil\\x1b\[2J\\x1b\[Hname|evil\\u001b\[2J|evil\\e\[2J/, what);
      if (output[1] === 'json')
        assert.equal((JSON.parse(result.stdout) as { items: { ingress: { name: string } }[] }).items[0]?.ingress.name, 'evil\x1b[2J\x1b[Hname');
    }
  }
  // A file that is not YAML at all, with escapes: one error line, escaped.
  const broken = sticky(['status', '-f', '-'], { input: 'kind: "\\e[31m\n  - [' });
  assert.equal(broken.code, 1);
  assert.doesNotMatch(broken.stdout + broken.stderr, RAW_CONTROL);
  assert.equal(broken.stderr.trim().split('\n').length, 1);
});

test('terminal escapes in live annotation values: status warnings and dry-run diffs show them escaped', () => {
  mustKubectl(['annotate', 'svc', 'web', '-n', NS, '--overwrite', `${STICKY}=\x1b[31myes\x1b]0;owned\x07`], cluster.kubeconfig);
  try {
    const status = sticky(['status', '-n', NS, '--voyager-version', '3.2.0', '-o', 'wide'], { kubeconfig: cluster.kubeconfig });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stderr, /^Warning: service\/rel-security\/web: ingress\.appscode\.com\/sticky-session is "\\x1b\[31myes\\x1b\]0;owned\\x07"/m);
    const dry = sticky(['disable', 'svc/web', '-n', NS, ...VERSION, '--dry-run'], { kubeconfig: cluster.kubeconfig });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\\e\[31myes|\\x1b\[31myes/);
    for (const result of [status, dry]) assert.doesNotMatch(result.stdout + result.stderr, RAW_CONTROL);
  } finally {
    mustKubectl(['annotate', 'svc', 'web', '-n', NS, `${STICKY}-`], cluster.kubeconfig);
  }
});

after(() => {
  process.stderr.write(
    `reliability-security: ${checked.length} runs grepped for credentials (${checked.filter((c) => c.code !== 0).length} failing, ${checked.filter((c) => c.code === 0).length} succeeding)\n`,
  );
});
