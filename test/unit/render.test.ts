// Golden tests of the rendering core (test/golden/render/<case>/), plus the pieces around it:
// hashes, normalisation, drift keys and diffs, and agreement with `status`.
// UPDATE_GOLDEN=1 rewrites expected.cfg files: read every rewritten file against the spec.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { caseNames, loadCase, renderCase } from '../golden/render/cases.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { cookieValue, formatBackends, normaliseConfig, renderBackends, renderIngress } from '../../src/core/render.ts';
import { keyByFor, stickyParts } from '../../src/core/drift.ts';
import { stickyPartsText, unifiedDiff } from '../../src/output/diff.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';

function profile(version: string): Profile {
  const result = profileFor(version);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
}

const REQUIRED = [
  'md5',
  'sha',
  'index-ip-order',
  'named-port',
  'pod-ip-3.2',
  'externalname',
  'tcp-stick',
  'collision',
  'endpointslice',
  'no-endpoints',
  'ssl-passthrough',
  'v1-fields',
  'v1-rewrite-2021.09.15',
];

/** What render --deployed prints: the diff of the sticky lines, deployed to computed. */
function driftDiff(deployed: ReadonlyMap<string, readonly string[]>, computed: ReadonlyMap<string, readonly string[]>): { same: boolean; patch: string } {
  const patch = unifiedDiff({ label: 'deployed', text: stickyPartsText(deployed) }, { label: 'computed', text: stickyPartsText(computed) });
  return { same: patch === '', patch };
}

test('every required golden case exists', () => {
  const names = caseNames();
  for (const name of REQUIRED) assert.ok(names.includes(name), `missing golden case ${name}`);
});

for (const name of caseNames()) {
  test(`golden render: ${name}`, () => {
    const golden = loadCase(name);
    const { text } = renderCase(golden);
    const expectedPath = join(golden.dir, 'expected.cfg');
    if (update || !existsSync(expectedPath)) {
      if (!update) assert.fail(`${expectedPath} missing: run with UPDATE_GOLDEN=1 and check it by hand`);
      writeFileSync(expectedPath, text);
    }
    assert.equal(text, readFileSync(expectedPath, 'utf8'));
  });

  test(`render agrees with status: ${name}`, () => {
    const golden = loadCase(name);
    for (const ingress of golden.objects.ingresses) {
      const status = computeStatus({ ...golden.objects, ingresses: [ingress] }, { profile: golden.profile, source: 'flag', ingressClass: null });
      for (const backend of renderBackends(ingress, golden.objects, golden.profile)) {
        const item = status.items.find(
          (i) =>
            i.backend.type === backend.declared &&
            i.backend.host === backend.host &&
            i.backend.path === backend.path &&
            i.service.name === backend.service.name &&
            i.service.port === backend.service.port,
        );
        assert.ok(item, `no status item for ${backend.name}`);
        assert.equal(backend.sticky, item.sticky === true, backend.name);
        assert.equal(backend.mode, item.mode, backend.name);
        const cookieLine = backend.lines.find((l) => l.startsWith('cookie '));
        const stick = backend.lines.includes('stick on src');
        if (item.mode === 'cookie') {
          assert.equal(cookieLine, `cookie ${item.cookie?.name} insert indirect nocache`, backend.name);
        } else {
          assert.equal(cookieLine, undefined, backend.name);
        }
        assert.equal(stick, item.mode === 'source-ip' && backend.type === 'tcp', backend.name);
      }
    }
  });
}

test('cookie hash values match the spec worked values and openssl', () => {
  assert.equal(cookieValue('pod-web-0', 0, 'md5'), 'YYRcFJ3h0KLF3OI6ExT2MQ==');
  assert.equal(cookieValue('pod-web-1', 1, 'md5'), '+ZGE3osA0W7wPeTPgcmEbA==');
  assert.equal(cookieValue('pod-web-0', 4, 'index'), '5');
  assert.equal(cookieValue('pod-web-0', 0, null), 'pod-web-0');
  assert.equal(cookieValue('pod-web-0', 0, 'sha').length, 88); // base64 of 64 bytes
});

test('md5 golden: HTTP path backend hashes, default backend does not', () => {
  const text = readFileSync(join(loadCase('md5').dir, 'expected.cfg'), 'utf8');
  assert.match(text, /backend default-backend\n\tcookie SERVERID insert indirect nocache\n\tserver pod-web-0 10\.0\.0\.11:8080 cookie pod-web-0\n/);
  assert.match(
    text,
    /server pod-web-0 10\.0\.0\.11:8080 cookie YYRcFJ3h0KLF3OI6ExT2MQ==\n\tserver pod-web-1 10\.0\.0\.12:8080 cookie \+ZGE3osA0W7wPeTPgcmEbA==\n/,
  );
});

test('formatBackends reproduces the spec examples byte for byte', () => {
  const http = formatBackends([
    {
      name: 's1.default:80',
      lines: [
        'cookie SERVERID insert indirect nocache',
        'server pod-web-0 10.0.0.11:8080 cookie pod-web-0',
        'server pod-web-1 10.0.0.12:8080 cookie pod-web-1',
      ],
    },
  ]);
  assert.equal(
    http,
    'backend s1.default:80\n\tcookie SERVERID insert indirect nocache\n\tserver pod-web-0 10.0.0.11:8080 cookie pod-web-0\n\tserver pod-web-1 10.0.0.12:8080 cookie pod-web-1\n',
  );
  const tcp = readFileSync(join(loadCase('tcp-stick').dir, 'expected.cfg'), 'utf8');
  assert.ok(
    tcp.includes(
      'backend tcp-service.default:50077\n\tmode tcp\n\tstick-table type ip size 100k expire 30m\n\tstick on src\n\tserver pod-db-0 10.0.0.31:8080\n',
    ),
  );
});

test('normaliseConfig trims, collapses whitespace and drops empty lines', () => {
  assert.equal(
    normaliseConfig('backend a\n\t  server  x   1.2.3.4:80  cookie  x \n\n   \n\tcookie S insert\r\n'),
    'backend a\nserver x 1.2.3.4:80 cookie x\ncookie S insert',
  );
});

const DEPLOYED_6 = `# HAProxy configuration generated by https://github.com/appscode/voyager
global
	daemon

defaults
	mode http

frontend http-0_0_0_0-80
	bind *:80
	default_backend web.default:80

backend web.default:80
	  cookie SERVERID insert indirect nocache
	server pod-web-0 10.0.0.11:8080  cookie YYRcFJ3h0KLF3OI6ExT2MQ==  check
	server pod-web-1 10.0.0.12:8080  cookie +ZGE3osA0W7wPeTPgcmEbA== 

backend default-backend
	cookie SERVERID insert indirect nocache
	server pod-web-0 10.0.0.11:8080   cookie pod-web-0
	server pod-web-1 10.0.0.12:8080   cookie pod-web-1
`;

test('stickyParts extracts sticky lines by backend name (6.0+)', () => {
  const parts = stickyParts(DEPLOYED_6, 'name');
  assert.deepEqual([...parts.keys()], ['web.default:80', 'default-backend']);
  assert.deepEqual(parts.get('web.default:80'), [
    'cookie SERVERID insert indirect nocache',
    'server pod-web-0 cookie YYRcFJ3h0KLF3OI6ExT2MQ==',
    'server pod-web-1 cookie +ZGE3osA0W7wPeTPgcmEbA==',
  ]);
});

test('drift: deployed equal to computed (whitespace and order aside) is the same', () => {
  const golden = loadCase('md5');
  const { text } = renderCase(golden);
  const keyBy = keyByFor(golden.profile);
  const drift = driftDiff(stickyParts(DEPLOYED_6, keyBy), stickyParts(text, keyBy));
  assert.equal(drift.same, true, drift.patch);
  assert.equal(drift.patch, '');
});

test('drift: a deployed config without the hash shows a patch', () => {
  const golden = loadCase('md5');
  const { text } = renderCase(golden);
  const deployed = DEPLOYED_6.replace('cookie YYRcFJ3h0KLF3OI6ExT2MQ==', 'cookie pod-web-0');
  const drift = driftDiff(stickyParts(deployed, 'name'), stickyParts(text, 'name'));
  assert.equal(drift.same, false);
  assert.match(drift.patch, /^--- deployed/m);
  assert.match(drift.patch, /^-\tserver pod-web-0 cookie pod-web-0$/m);
  assert.match(drift.patch, /^\+\tserver pod-web-0 cookie YYRcFJ3h0KLF3OI6ExT2MQ==$/m);
});

test('drift: a backend missing on one side shows up', () => {
  const drift = driftDiff(
    new Map([['a', ['stick on src']]]),
    new Map([
      ['a', ['stick on src']],
      ['b', []],
    ]),
  );
  assert.equal(drift.same, false);
  assert.match(drift.patch, /^\+backend b$/m);
});

test('drift before 6.0: random names (3.x backend-xxxxx, 5.x svc.ns:port-xxxxxx) match by servers', () => {
  const golden = loadCase('pod-ip-3.2');
  const { text } = renderCase(golden);
  const keyBy = keyByFor(golden.profile);
  assert.equal(keyBy, 'servers');
  const deployed32 = `frontend http-80
	default_backend default-backend
backend backend-k3x9q
	cookie SERVERID insert indirect nocache
	server pod-10.0.0.11 10.0.0.11:8080 cookie pod-10.0.0.11
	server pod-10.0.0.12 10.0.0.12:8080 cookie pod-10.0.0.12
backend default-backend
	cookie SERVERID insert indirect nocache
	server pod-10.0.0.11 10.0.0.11:8080 cookie pod-10.0.0.11
	server pod-10.0.0.12 10.0.0.12:8080 cookie pod-10.0.0.12
`;
  assert.equal(driftDiff(stickyParts(deployed32, keyBy), stickyParts(text, keyBy)).same, true);
  const deployed5 = deployed32.replace('backend backend-k3x9q', 'backend web.default:80-a1b2c3');
  assert.equal(driftDiff(stickyParts(deployed5, keyBy), stickyParts(text, keyBy)).same, true);
  const notSticky = deployed32.replace(
    /\tcookie SERVERID insert indirect nocache\n\tserver pod-10.0.0.11 10.0.0.11:8080 cookie pod-10.0.0.11\n\tserver pod-10.0.0.12 10.0.0.12:8080 cookie pod-10.0.0.12\nbackend default/,
    '\tserver pod-10.0.0.11 10.0.0.11:8080\n\tserver pod-10.0.0.12 10.0.0.12:8080\nbackend default',
  );
  const drift = driftDiff(stickyParts(notSticky, keyBy), stickyParts(text, keyBy));
  assert.equal(drift.same, false);
  assert.match(drift.patch, /^ backend servers 10\.0\.0\.11:8080,10\.0\.0\.12:8080$/m);
});

test('keyByFor: names from 6.0 on', () => {
  assert.equal(keyByFor(profile('6.0.0')), 'name');
  assert.equal(keyByFor(profile('v2021.09.15')), 'name');
  assert.equal(keyByFor(profile('5.0.0')), 'servers');
  assert.equal(keyByFor(profile('4.0.0')), 'servers');
});

// Before 9.0 the validator runs strconv.Atoi on servicePort (6.0.0 apis/voyager/v1beta1/validator.go:179,
// 319; the real 8.0.1 and 5.0.0 operators record IngressInvalid); 9.0.0 getSpecifiedPort matches p.Name.
test('a named service port makes the Ingress invalid before 9.0 and names a port from 9.0', () => {
  const golden = loadCase('named-port');
  const ingress = golden.objects.ingresses[0];
  assert.ok(ingress);
  for (const version of ['5.0.0', '8.0.1']) {
    const result = renderIngress(ingress, golden.objects, profile(version));
    assert.equal(result.written, false, version);
    assert.equal(result.failure?.event, 'IngressInvalid', version);
  }
  assert.equal(renderBackends(ingress, golden.objects, profile('9.0.0'))[0]?.name, 'site.default:0');
});

test('pre-6.0 names are stand-ins and explicit names are not honoured', () => {
  const golden = loadCase('collision');
  const ingress = golden.objects.ingresses[0];
  assert.ok(ingress);
  const names = renderBackends(ingress, golden.objects, profile('5.0.0')).map((b) => [b.name, b.nameStable]);
  // haproxy.cfg order: the :80 frontend's paths /b then /a, then the :8443 frontend.
  assert.deepEqual(names, [
    ['s1.default:80', false],
    ['s1.default:80', false],
    ['s2.other:80', false],
  ]);
});
