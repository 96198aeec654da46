// Property-based tests of the core with fast-check: objectsFrom + computeStatus + renderBackends
// under every profile, for object sets whose every field may have the wrong type, and whose
// names and annotation values carry terminal escapes. The core never throws; what reaches a
// terminal (table, warnings, errors) carries no raw control character; JSON stays exact.
// FUZZ_SEED / FUZZ_SCALE as in fuzz-manifests.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { errorLine, neutralise, safeText, ServerError, UserError } from '../../src/errors.ts';
import { statusTable } from '../../src/output/status.ts';
import { warningLines } from '../../src/output/warnings.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { renderBackends } from '../../src/core/render.ts';
import { profileFor, type Profile } from '../../src/core/semantics.ts';
import { renderDocument } from '../../src/output/document.ts';
import { renderTable } from '../../src/output/table.ts';

const seed = Number(process.env['FUZZ_SEED'] ?? 8);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * scale));

/** Cases run per property, for the README's reliability table (each core case runs all 5 profiles). */
export const CORE_RUNS = { core: runs(3000), table: runs(500), errors: runs(500) };

// Every version boundary the profiles know, including ones that flip cookieHash/podServerNames.
const PROFILES: Profile[] = ['3.2.0', '4.0.0-alpha.1', '4.0.0-rc.0', '4.0.0-rc.2', '5.0.0-rc.11', '6.0.0', '8.0.1', '9.0.0', 'v2021.09.15'].map((v) => {
  const result = profileFor(v);
  if (!result.ok) throw new Error(result.message);
  return result.profile;
});

/** Raw terminal controls: C0 but tab/newline, DEL, C1 and bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const hostile = fc.constantFrom(
  '\x1b[31mred\x1b[0m',
  '\x1b]0;owned\x07',
  '\x1b[2J\x1b[H',
  '\x9b2J',
  'a\rb',
  'a\nb',
  '\u202eevil',
  '\x00',
  '\x7f',
  '\x08\x08\x08ok',
  '',
);
const text = fc.oneof(fc.string({ maxLength: 8 }), hostile, fc.string({ unit: 'binary', maxLength: 6 }));
// Wrong types for any field.
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  text,
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
  fc.anything({ maxDepth: 2 }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });

const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('s1', 's2', 'web', 's1.other', 'ing', 'voyager-ing') }, { weight: 2, arbitrary: text });
const namespace = fc.constantFrom('default', 'other', '\x1b[31mns');
const port = fc.oneof(fc.integer({ min: -1, max: 70_000 }), fc.constantFrom('80', 'http', '8080', '', 'x\x1b'));
const KEYS = [
  'ingress.appscode.com/sticky-session',
  'ingress.appscode.com/affinity',
  'ingress.appscode.com/session-cookie-name',
  'ingress.appscode.com/session-cookie-hash',
  'ingress.kubernetes.io/affinity',
  'ingress.kubernetes.io/session-cookie-name',
  'ingress.kubernetes.io/session-cookie-hash',
  'ingress.appscode.com/stickySession',
  'ingress.appscode.com/ssl-passthrough',
  'kubernetes.io/ingress.class',
];
const value = fc.oneof(
  fc.constantFrom('true', 'True', 'false', '1', 'yes', 'cookie', 'Cookie', 'md5', 'sha', 'index', 'sha1', 'voyager', 'JSESSIONID', ''),
  text,
);
const annotations = maybe(
  fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: text }), maybe(value), { maxKeys: 6 }),
);
const metadata = maybe(fc.record({ name: maybe(name), namespace: maybe(namespace), annotations, labels: annotations }, { requiredKeys: [] }));

const backendV1beta1 = maybe(fc.record({ serviceName: maybe(name), servicePort: maybe(port), name: maybe(text) }, { requiredKeys: [] }));
const backendV1 = maybe(
  fc.record(
    {
      service: maybe(
        fc.record({ name: maybe(name), port: maybe(fc.record({ number: maybe(port), name: maybe(text) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
      ),
    },
    { requiredKeys: [] },
  ),
);
const rules = (backend: fc.Arbitrary<unknown>) =>
  maybe(
    fc.array(
      maybe(
        fc.record(
          {
            host: maybe(text),
            http: maybe(
              fc.record(
                { port: maybe(port), paths: maybe(fc.array(maybe(fc.record({ path: maybe(text), backend }, { requiredKeys: [] })), { maxLength: 3 })) },
                { requiredKeys: [] },
              ),
            ),
            tcp: maybe(fc.record({ port: maybe(port), backend }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
      ),
      { maxLength: 3 },
    ),
  );

const ingress = fc.oneof(
  fc.record({
    apiVersion: fc.constant('voyager.appscode.com/v1beta1'),
    kind: fc.constant('Ingress'),
    metadata,
    spec: maybe(fc.record({ backend: backendV1beta1, rules: rules(backendV1beta1) }, { requiredKeys: [] })),
  }),
  fc.record({
    apiVersion: fc.constant('voyager.appscode.com/v1'),
    kind: fc.constant('Ingress'),
    metadata,
    spec: maybe(fc.record({ defaultBackend: backendV1, rules: rules(backendV1) }, { requiredKeys: [] })),
  }),
  fc.record({
    apiVersion: fc.constant('networking.k8s.io/v1'),
    kind: fc.constant('Ingress'),
    metadata,
    spec: maybe(fc.record({ defaultBackend: backendV1, rules: rules(backendV1) }, { requiredKeys: [] })),
  }),
  fc.record({
    apiVersion: fc.constantFrom('extensions/v1beta1', 'networking.k8s.io/v1beta1'),
    kind: fc.constant('Ingress'),
    metadata,
    spec: maybe(fc.record({ backend: backendV1beta1, rules: rules(backendV1beta1) }, { requiredKeys: [] })),
  }),
);
const service = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Service'),
  metadata,
  spec: maybe(
    fc.record(
      {
        type: maybe(fc.constantFrom('ClusterIP', 'NodePort', 'ExternalName', 'LoadBalancer')),
        externalName: maybe(text),
        sessionAffinity: maybe(fc.constantFrom('ClientIP', 'None')),
        ports: maybe(
          fc.array(
            maybe(
              fc.record(
                { name: maybe(text), port: maybe(port), targetPort: maybe(port), protocol: maybe(fc.constantFrom('TCP', 'UDP')) },
                { requiredKeys: [] },
              ),
            ),
            { maxLength: 3 },
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
});
const address = maybe(
  fc.record(
    {
      ip: maybe(fc.constantFrom('10.0.0.1', '10.0.0.2', '::1', 'x\x1b')),
      targetRef: maybe(fc.record({ kind: maybe(fc.constant('Pod')), name: maybe(text) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
);
const endpointPorts = maybe(fc.array(maybe(fc.record({ name: maybe(text), port: maybe(port) }, { requiredKeys: [] })), { maxLength: 3 }));
const endpoints = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Endpoints'),
  metadata,
  subsets: maybe(
    fc.array(maybe(fc.record({ addresses: maybe(fc.array(address, { maxLength: 3 })), ports: endpointPorts }, { requiredKeys: [] })), { maxLength: 2 }),
  ),
});
const slice = fc.record({
  apiVersion: fc.constant('discovery.k8s.io/v1'),
  kind: fc.constant('EndpointSlice'),
  metadata: maybe(
    fc.record(
      { name: maybe(name), namespace: maybe(namespace), labels: maybe(fc.record({ 'kubernetes.io/service-name': maybe(name) })) },
      { requiredKeys: [] },
    ),
  ),
  endpoints: maybe(
    fc.array(
      maybe(
        fc.record(
          {
            addresses: maybe(fc.array(maybe(fc.constantFrom('10.0.0.3', 'x')), { maxLength: 2 })),
            conditions: maybe(fc.record({ ready: maybe(fc.boolean()) })),
            targetRef: maybe(fc.record({ kind: fc.constant('Pod'), name: maybe(text) })),
          },
          { requiredKeys: [] },
        ),
      ),
      { maxLength: 3 },
    ),
  ),
  ports: endpointPorts,
});
const configMap = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('ConfigMap'),
  metadata,
  data: maybe(fc.dictionary(fc.constantFrom('haproxy.cfg', 'x'), maybe(text), { maxKeys: 2 })),
});
const deployment = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constant('Deployment'),
  metadata,
  spec: maybe(
    fc.record({
      template: maybe(
        fc.record({
          spec: maybe(
            fc.record({
              containers: maybe(
                fc.array(maybe(fc.record({ image: maybe(fc.constantFrom('appscode/voyager:3.2.0', 'voyager:v12.0.0', 'x:\x1b[31m')) })), { maxLength: 2 }),
              ),
            }),
          ),
        }),
      ),
    }),
  ),
});
const list = (item: fc.Arbitrary<unknown>) =>
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('List'), items: maybe(fc.array(item, { maxLength: 3 })) });
const anyObject = fc.oneof(ingress, ingress, service, service, endpoints, slice, configMap, deployment, list(fc.oneof(ingress, service)), junk);
const objectSet = fc.array(anyObject, { maxLength: 8 });

/** Everything the status path prints for one profile, as a terminal would get it (before io's safeText). */
function printed(raws: unknown[], profile: Profile, ingressClass: string | null): { terminal: string[]; json: string } {
  const objects = objectsFrom(raws, 'default');
  const status = computeStatus(objects, { profile, source: 'flag', ingressClass, unreadableServiceNamespaces: ['other'] });
  for (const ing of objects.ingresses) {
    for (const backend of renderBackends(ing, objects, profile)) {
      assert.ok(Array.isArray(backend.lines));
      for (const line of backend.lines) assert.equal(typeof line, 'string');
    }
  }
  const lines: string[] = warningLines(status.warnings);
  for (const wide of [false, true]) lines.push(statusTable(status.items, { wide, allNamespaces: true, noHeaders: false }));
  return { terminal: lines, json: renderDocument(status, 'json') };
}

test(`core: ${CORE_RUNS.core} object sets with wrong types everywhere, under all ${PROFILES.length} profiles: no throw, no raw control character in table or warnings`, () => {
  fc.assert(
    fc.property(objectSet, fc.constantFrom(null, 'voyager', 'other'), (raws, ingressClass) => {
      for (const profile of PROFILES) {
        const { terminal, json } = printed(raws, profile, ingressClass);
        for (const line of terminal) assert.doesNotMatch(line, RAW_CONTROL, JSON.stringify(line));
        // What processIo does to JSON output keeps it the same JSON (C1 and bidi become \u escapes).
        assert.deepEqual(JSON.parse(safeText(json)), JSON.parse(json));
        assert.doesNotMatch(safeText(json), RAW_CONTROL);
      }
    }),
    { seed, numRuns: CORE_RUNS.core },
  );
});

test(`table: ${CORE_RUNS.table} tables of hostile cells have no raw control character`, () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.oneof(text, fc.string({ unit: 'binary' })), { minLength: 3, maxLength: 3 }), { maxLength: 5 }), (cells) => {
      const table = renderTable(['a', 'b', 'c'], cells, { noHeaders: false });
      assert.doesNotMatch(table, RAW_CONTROL);
    }),
    { seed, numRuns: CORE_RUNS.table },
  );
});

test(`errors: ${CORE_RUNS.errors} hostile error messages print as one neutral line`, () => {
  fc.assert(
    fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), fc.constantFrom('user', 'server', 'plain', 'string'), (message, kind) => {
      const error =
        kind === 'user'
          ? new UserError(message)
          : kind === 'server'
            ? new ServerError(500, 'InternalError', message)
            : kind === 'plain'
              ? new Error(message)
              : message;
      const line = errorLine(error);
      assert.doesNotMatch(line, RAW_CONTROL);
      assert.doesNotMatch(line, /\n/);
      assert.equal(neutralise(line), line);
    }),
    { seed, numRuns: CORE_RUNS.errors },
  );
});

test('errorLine never prints the message of an ApiException-like error (it holds response headers)', () => {
  const apiException = Object.assign(
    new Error('HTTP-Code: 401\nMessage: Unknown API Status Code!\nBody: "x"\nHeaders: {"authorization":"Bearer sekrit-token-123456"}'),
    { code: 401, body: 'x', headers: { authorization: 'Bearer sekrit-token-123456' } },
  );
  assert.equal(errorLine(apiException), 'error: the server answered 401');
  assert.equal(errorLine(new Error('sent Authorization: Bearer sekrit-token-123456')), 'error: sent Authorization: Bearer <masked>');
});
