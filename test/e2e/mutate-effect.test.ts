// The effect table, warnings and diffs of enable/disable, through the real kubectl, against
// golden files. The goldens were written by the plugin as it was before enable/disable read
// only the objects a change touches (commit d957a0c, which listed every Ingress, Service and
// Endpoints object of the cluster): they are the oracle that the narrow read changes no output.
// To add a case, write its golden with that build: `git archive d957a0c | tar -x -C DIR`, build
// there, copy DIR/dist/kubectl-sticky over dist/ and run this file with UPDATE_GOLDEN=1.
// One deliberate change since: a change of Ingresses only lists no other Ingresses, so the
// limited user's `enable ingress/...` no longer warns that Ingresses cannot be listed in all
// namespaces (limited-enable-ingress.txt lost that line; its effect table and diffs are the same).

import { after, before, test } from 'node:test';
import { resolve } from 'node:path';
import { EFFECT_OBJECTS, EFFECT_TEAM_A, EFFECT_TEAM_A_NAMES } from './fixtures.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';
import { assertGolden } from '../support/golden.ts';

let cluster: Cluster;
const A = 'e2e-effect-a';
const B = 'e2e-effect-b';
const C = 'e2e-effect-c';
const V12 = ['--voyager-version', 'v12.0.0'];

interface Case {
  name: string;
  args: string[];
  limited?: boolean;
}

// In order: the two real writes (8.0.1) enable then disable svc/app, leaving it as it was.
const CASES: Case[] = [
  { name: 'enable-svc-dry-run-client', args: ['enable', 'svc/app', '-n', A, '--dry-run', ...V12] },
  { name: 'enable-svc-dry-run-server', args: ['enable', 'svc/app', '-n', A, '--dry-run=server', ...V12] },
  { name: 'disable-svc-sticky-ingress', args: ['disable', 'svc/api', '-n', A, '--dry-run=server', ...V12] },
  { name: 'disable-svc-purge-client', args: ['disable', 'svc/api', '-n', A, '--dry-run', '--purge', ...V12] },
  { name: 'enable-svc-cookie-overwrite', args: ['enable', 'svc/api', '-n', A, '--dry-run=server', '--cookie-name', 'SHOP', '--overwrite', ...V12] },
  { name: 'enable-svc-unused', args: ['enable', 'svc/lonely', '-n', A, '--dry-run=server', ...V12] },
  { name: 'enable-svc-cross-namespace', args: ['enable', 'svc/local', '-n', B, '--dry-run=server', ...V12] },
  { name: 'enable-ingress-dry-run-server', args: ['enable', 'ingress/shop', '-n', A, '--dry-run=server', ...V12] },
  { name: 'enable-ingress-missing-backend', args: ['enable', 'ingress/partner', '-n', B, '--dry-run', ...V12] },
  { name: 'disable-ingress-sticky', args: ['disable', 'ingress/sticky-ing', '-n', C, '--dry-run=server', ...V12] },
  { name: 'enable-networking-ingress', args: ['enable', 'ingresses.networking.k8s.io/std', '-n', B, '--dry-run=server', ...V12] },
  { name: 'enable-ingress-many-backends', args: ['enable', 'ingress/wide', '-n', C, '--dry-run=server', ...V12] },
  { name: 'enable-svc-many-backends', args: ['enable', 'svc/wide-00', '-n', C, '--dry-run=server', ...V12] },
  { name: 'enable-two-services', args: ['enable', 'svc/app', 'svc/api', '-n', A, '--dry-run=server', ...V12] },
  { name: 'enable-ingress-and-service', args: ['enable', 'ingress/shop', 'svc/lonely', '-n', A, '--dry-run=server', ...V12] },
  { name: 'enable-svc-5.0', args: ['enable', 'svc/app', '-n', A, '--dry-run=server', '--voyager-version', '5.0.0'] },
  { name: 'enable-svc-3.2', args: ['enable', 'svc/app', '-n', A, '--dry-run', '--voyager-version', '3.2.0'] },
  { name: 'enable-svc-8.0-write', args: ['enable', 'svc/app', '-n', A, '--voyager-version', '8.0.1'] },
  { name: 'disable-svc-8.0-write', args: ['disable', 'svc/app', '-n', A, '--voyager-version', '8.0.1'] },
  { name: 'limited-enable-svc', args: ['enable', 'svc/effect-web', '-n', 'team-a', '--dry-run=server', ...V12], limited: true },
  { name: 'limited-enable-ingress', args: ['enable', 'ingress/effect-shop', '-n', 'team-a', '--dry-run=server', ...V12], limited: true },
];

const STICKY_KEYS = ['ingress.appscode.com/affinity', 'ingress.appscode.com/sticky-session', 'ingress.appscode.com/session-cookie-name'];

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `${EFFECT_OBJECTS}\n---\n${EFFECT_TEAM_A}`);
  // A run cut short between the two writes leaves svc/app sticky: start from the fixture.
  const reset = { metadata: { annotations: Object.fromEntries(STICKY_KEYS.map((key) => [key, null])) } };
  mustKubectl(['patch', 'svc', 'app', '-n', A, '--type', 'merge', '-p', JSON.stringify(reset)], cluster.kubeconfig);
});

// Other tests assert what team-a holds (npm test runs the e2e files one at a time).
after(() => {
  mustKubectl(['delete', ...EFFECT_TEAM_A_NAMES], cluster.kubeconfig);
});

for (const c of CASES) {
  test(`${c.args.slice(0, 2).join(' ')}: ${c.name} prints what it printed before the narrow read`, () => {
    const result = sticky(c.args, { kubeconfig: c.limited ? cluster.limitedKubeconfig : cluster.kubeconfig });
    // The server's own deprecation warning for v1 Endpoints (Kubernetes 1.33+) is printed since
    // the client shows Warning headers, which the build that wrote the goldens did not: it is the
    // server's line, not the effect's, so it is left out of the comparison.
    const stderr = result.stderr.replace(/^Warning: v1 Endpoints is deprecated in v1\.33\+; use discovery\.k8s\.io\/v1 EndpointSlice\n/m, '');
    const text = `$ kubectl sticky ${c.args.join(' ')}${c.limited ? '  # as team-a-user' : ''}\nexit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${stderr}`;
    assertGolden(resolve(repoRoot, 'test/golden/mutate-effect', `${c.name}.txt`), text);
  });
}
