// status --watch, its pure parts: the objects kept from events and which Ingresses a change
// touches, the rows that changed, and how they print. The loop itself runs against the real
// control plane in test/e2e/watch.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status as statusCommand } from '../../src/cli/commands.ts';
import type { Gathered } from '../../src/cli/gather.ts';
import type { Io } from '../../src/cli/io.ts';
import { listedChanges } from '../../src/cli/reflector.ts';
import { statusOf } from '../../src/cli/status-plan.ts';
import { RowBook, WatchPrinter, changedRows, rowsOf } from '../../src/cli/watch-rows.ts';
import { ingressKey, ObjectStore } from '../../src/cli/watch-store.ts';
import { parseCommand } from '../../src/cli/spec.ts';
import type { StatusItem } from '../../src/core/effective.ts';
import { objectsFrom, type JsonObject } from '../../src/core/objects.ts';
import { chooseSemantics } from '../../src/core/semantics.ts';
import { CONFIGMAPS, ENDPOINTS, SERVICES, voyagerIngresses, type ResourceType } from '../../src/kube/api.ts';
import { runSticky } from '../support/inprocess.ts';

const VOYAGER = voyagerIngresses('v1beta1');

function ingress(namespace: string, name: string, services: string[], annotations: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'voyager.appscode.com/v1beta1',
    kind: 'Ingress',
    metadata: { name, namespace, annotations, resourceVersion: '1' },
    spec: {
      rules: [{ host: `${name}.example.com`, http: { paths: services.map((s, i) => ({ path: `/p${i}`, backend: { serviceName: s, servicePort: '80' } })) } }],
    },
  };
}

function service(namespace: string, name: string, annotations: Record<string, string> = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, annotations, resourceVersion: '1' }, spec: { ports: [{ port: 80 }] } };
}

const id = (raw: JsonObject) => {
  const metadata = raw['metadata'] as { name: string; namespace: string };
  return { namespace: metadata.namespace, name: metadata.name };
};

function storeOf(objects: [ResourceType, JsonObject][]): ObjectStore {
  const store = new ObjectStore('default', { deployments: [], events: [] });
  for (const [type, raw] of objects) store.apply(type, id(raw), raw);
  return store;
}

const WEB = ingressKey({ apiVersion: 'voyager.appscode.com/v1beta1', namespace: 'shop', name: 'web' });
const API = ingressKey({ apiVersion: 'voyager.appscode.com/v1beta1', namespace: 'shop', name: 'api' });

test('a change to a Service, its Endpoints or an Ingress ConfigMap touches exactly the Ingresses that use them', () => {
  const store = storeOf([
    [VOYAGER, ingress('shop', 'web', ['cart', 'pay.billing'])],
    [VOYAGER, ingress('shop', 'api', ['cart'])],
    [SERVICES, service('shop', 'cart')],
  ]);
  assert.deepEqual([...store.apply(SERVICES, { namespace: 'shop', name: 'cart' }, service('shop', 'cart', { a: 'b' }))].sort(), [API, WEB]);
  // `pay.billing` is Service pay in namespace billing.
  assert.deepEqual([...store.apply(SERVICES, { namespace: 'billing', name: 'pay' }, service('billing', 'pay'))], [WEB]);
  assert.deepEqual([...store.apply(ENDPOINTS, { namespace: 'billing', name: 'pay' }, null)], [WEB]);
  assert.deepEqual([...store.apply(SERVICES, { namespace: 'shop', name: 'other' }, service('shop', 'other'))], []);
  const cm: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'voyager-api', namespace: 'shop' }, data: { 'haproxy.cfg': '' } };
  assert.deepEqual([...store.apply(CONFIGMAPS, { namespace: 'shop', name: 'voyager-api' }, cm)], [API]);
  assert.deepEqual(store.objectsFor([API]).configMaps.length, 1);
  assert.deepEqual(store.objectsFor([WEB]).configMaps.length, 0);

  // web moves off `cart`: a later change to cart no longer touches it; deleting web touches web.
  assert.deepEqual([...store.apply(VOYAGER, { namespace: 'shop', name: 'web' }, ingress('shop', 'web', ['pay.billing']))], [WEB]);
  assert.deepEqual([...store.apply(SERVICES, { namespace: 'shop', name: 'cart' }, service('shop', 'cart'))], [API]);
  assert.deepEqual([...store.apply(VOYAGER, { namespace: 'shop', name: 'web' }, null)], [WEB]);
  assert.deepEqual([...store.apply(SERVICES, { namespace: 'billing', name: 'pay' }, null)], []);
  assert.deepEqual(
    store.ingressKeys().map((k) => k.split('/').pop()),
    ['api'],
  );
});

test('an object the API server would refuse is kept as a read issue, and dropped when it is fixed', () => {
  const store = storeOf([[VOYAGER, ingress('shop', 'web', ['cart'])]]);
  const bad: JsonObject = { ...service('shop', 'cart'), metadata: { name: 'cart', namespace: 'shop', annotations: { 'ingress.appscode.com/affinity': 7 } } };
  store.apply(SERVICES, { namespace: 'shop', name: 'cart' }, bad);
  assert.equal(store.objectsFor([WEB]).services.length, 0);
  assert.match(store.objectsFor([WEB]).issues[0]?.message ?? '', /has a number value/);
  store.apply(SERVICES, { namespace: 'shop', name: 'cart' }, service('shop', 'cart'));
  assert.deepEqual(store.objectsFor([WEB]).issues, []);
});

test('listing again after 410 Gone: what changed, appeared or went away meanwhile', () => {
  const seen = new Map([
    ['shop/a', '10'],
    ['shop/b', '11'],
    ['shop/c', '12'],
  ]);
  const at = (name: string, resourceVersion: string): JsonObject => ({ metadata: { name, namespace: 'shop', resourceVersion } });
  const result = listedChanges(seen, [at('a', '10'), at('b', '20'), at('d', '21')]);
  assert.deepEqual(
    result.changed.map((raw) => (raw['metadata'] as { name: string }).name),
    ['b', 'd'],
  );
  assert.deepEqual(result.gone, [{ namespace: 'shop', name: 'c' }]);
  assert.deepEqual(
    [...result.seen],
    [
      ['shop/a', '10'],
      ['shop/b', '20'],
      ['shop/d', '21'],
    ],
  );
});

function item(name: string, sticky: boolean, path = '/p0'): StatusItem {
  return {
    ingress: { apiVersion: 'voyager.appscode.com/v1beta1', namespace: 'shop', name },
    backend: { type: 'http', host: `${name}.example.com`, path, port: null },
    service: { namespace: 'shop', name: 'cart', port: '80', found: true },
    sticky,
    sources: sticky ? ['service'] : [],
    mode: sticky ? 'cookie' : null,
    cookie: null,
    warnings: [],
  };
}

test('changed rows: new and different ones, then the ones gone; the same backend twice keeps two rows', () => {
  const printed = (i: StatusItem) => String(i.sticky);
  const before = rowsOf([item('web', false, '/a'), item('web', false, '/b'), item('web', false, '/c')], printed);
  const after = rowsOf([item('web', true, '/a'), item('web', false, '/b'), item('web', false, '/d')], printed);
  assert.deepEqual(
    changedRows(before, after).map((r) => [r.type, r.item.backend.path]),
    [
      ['MODIFIED', '/a'],
      ['ADDED', '/d'],
      ['DELETED', '/c'],
    ],
  );
  const twice = rowsOf([item('web', false), item('web', true)], printed);
  assert.deepEqual(
    twice.map((r) => r.id.endsWith('#1')),
    [false, true],
  );
  assert.deepEqual(changedRows(twice, twice), []);
});

test('the row book: an Ingress judged again with no items any more has its rows deleted; others stay', () => {
  const book = new RowBook((i) => JSON.stringify(i));
  assert.equal(book.update([], [item('web', false), item('api', false)]).length, 2);
  assert.deepEqual(
    book.update([WEB, API], [item('web', false), item('api', true)]).map((r) => [r.type, r.item.ingress.name]),
    [['MODIFIED', 'api']],
  );
  assert.deepEqual(
    book.update([WEB], []).map((r) => [r.type, r.item.ingress.name]),
    [['DELETED', 'web']],
  );
  assert.deepEqual(book.update([WEB, API], [item('api', true)]), []);
});

function options(words: string[]) {
  return parseCommand(statusCommand.declaration, words).options;
}

function recorder(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => void out.push(t), write: (t) => void out.push(t.replace(/\n$/, '')), err: (t) => void err.push(t), stdin: () => '' }, out, err };
}

test('the table prints its header once; later rows line up under it; --output-watch-events adds EVENT', () => {
  const rec = recorder();
  const printer = new WatchPrinter(rec.io, options(['-w']), { voyagerVersion: '9.0', profile: '9.0', source: 'flag' });
  printer.rows([{ type: 'ADDED', item: item('web', false) }]);
  printer.rows([{ type: 'MODIFIED', item: item('web', true) }]);
  printer.rows([{ type: 'ADDED', item: item('a', true) }]);
  assert.deepEqual(rec.out.join('\n').split('\n'), [
    'INGRESS   BACKEND              SERVICE   STICKY   SOURCE',
    'web       web.example.com/p0   cart:80   no       <none>',
    'web       web.example.com/p0   cart:80   yes      service',
    'a         a.example.com/p0     cart:80   yes      service',
  ]);
  const events = recorder();
  const withEvents = new WatchPrinter(events.io, options(['-w', '--output-watch-events', '-A']), { voyagerVersion: '9.0', profile: '9.0', source: 'flag' });
  withEvents.rows([{ type: 'ADDED', item: item('web', false) }]);
  withEvents.rows([{ type: 'MODIFIED', item: item('web', true) }]);
  assert.deepEqual(events.out.join('\n').split('\n'), [
    'EVENT      NAMESPACE   INGRESS   BACKEND              SERVICE   STICKY   SOURCE',
    'ADDED      shop        web       web.example.com/p0   cart:80   no       <none>',
    'MODIFIED   shop        web       web.example.com/p0   cart:80   yes      service',
  ]);
});

test('JSON: one document per row, {type, object} with --output-watch-events; YAML documents are separated by ---', () => {
  const json = recorder();
  new WatchPrinter(json.io, options(['-w', '-o', 'json', '--output-watch-events']), { voyagerVersion: '9.0', profile: '9.0', source: 'flag' }).rows([
    { type: 'ADDED', item: item('web', false) },
    { type: 'MODIFIED', item: item('web', true) },
  ]);
  assert.deepEqual(
    json.out.map((d) => [JSON.parse(d).type, JSON.parse(d).object.sticky]),
    [
      ['ADDED', false],
      ['MODIFIED', true],
    ],
  );
  const yaml = recorder();
  const printer = new WatchPrinter(yaml.io, options(['-w', '-o', 'yaml']), { voyagerVersion: '9.0', profile: '9.0', source: 'flag' });
  printer.rows([{ type: 'ADDED', item: item('web', false) }]);
  printer.rows([{ type: 'MODIFIED', item: item('web', true) }]);
  assert.deepEqual(
    yaml.out.map((d) => d.split('\n')[0]),
    ['ingress:', '---', 'ingress:'],
  );
});

test('custom-columns prints its header once (each batch laid out alone, as kubectl flushes per event); a warning is printed once', () => {
  const rec = recorder();
  const printer = new WatchPrinter(rec.io, options(['-w', '-o', 'custom-columns=NAME:.ingress.name,STICKY:.sticky']), {
    voyagerVersion: '9.0',
    profile: '9.0',
    source: 'flag',
  });
  printer.rows([{ type: 'ADDED', item: item('web', false) }]);
  printer.rows([{ type: 'MODIFIED', item: item('web', true) }]);
  assert.deepEqual(rec.out, ['NAME   STICKY\nweb    false', 'web   true']);
  printer.warnings([{ object: 'service/shop/cart', message: 'x' }]);
  printer.warnings([{ object: 'service/shop/cart', message: 'x' }]);
  assert.deepEqual(rec.err, ['Warning: service/shop/cart: x']);
});

test('-w with -f, and --output-watch-events without -w, are errors in kubectl words', async () => {
  const files = await runSticky(['status', '-w', '-f', 'examples/seed/']);
  assert.equal(files.code, 1);
  assert.equal(files.stderr, 'error: --watch cannot be used with --filename: only objects in the cluster can be watched\n');
  assert.equal(files.stdout, '');
  const only = await runSticky(['status', '--watch-only', '-f', 'examples/seed/']);
  assert.match(only.stderr, /^error: --watch-only cannot be used with --filename/);
  const events = await runSticky(['status', '--output-watch-events', '-f', 'examples/seed/']);
  assert.equal(events.code, 1);
  assert.equal(events.stderr, 'error: --output-watch-events option can only be used with --watch or --watch-only\n');
});

/** 1,000 Ingresses of 10 backends over 10,000 Services in 50 namespaces (the issue's full scale). */
function fullScale(): [ResourceType, JsonObject][] {
  const out: [ResourceType, JsonObject][] = [];
  for (let n = 0; n < 50; n++) {
    const namespace = `ns-${n}`;
    for (let s = 0; s < 200; s++) out.push([SERVICES, service(namespace, `svc-${s}`, s % 3 === 0 ? { 'ingress.appscode.com/affinity': 'cookie' } : {})]);
    for (let i = 0; i < 20; i++) {
      out.push([
        VOYAGER,
        ingress(
          namespace,
          `ing-${i}`,
          Array.from({ length: 10 }, (_, j) => `svc-${(i * 10 + j) % 200}`),
        ),
      ]);
    }
  }
  return out;
}

test('at full scale an annotated Service judges again only the Ingresses that use it (time printed, not asserted)', () => {
  const parsed = chooseSemantics({ flag: 'v12.0.0', deployments: [], servedVersions: null });
  assert.ok(parsed.ok);
  // Seeded as status -w does, from the gathered objects.
  const store = new ObjectStore('default', { deployments: [], events: [] });
  store.seed(
    objectsFrom(
      fullScale().map(([, raw]) => raw),
      'default',
    ),
  );
  const watchOptions = options(['-w', '-A']);
  const gathered = (keys: Iterable<string>): Gathered => ({
    objects: store.objectsFor(keys),
    choice: parsed.choice,
    unreadableServiceNamespaces: [],
    scope: '',
    kube: null,
    notes: [],
  });
  const book = new RowBook((i) => JSON.stringify(i));
  let started = performance.now();
  const all = statusOf(gathered(store.ingressKeys()), watchOptions).status.items;
  const fullMs = performance.now() - started;
  assert.equal(book.update([], all).length, 10_000);

  // Ingress ing-I names svc-(10I+J), J < 10: svc-1 of ns-7 is named by ing-0 of ns-7 alone.
  started = performance.now();
  const touched = store.apply(SERVICES, { namespace: 'ns-7', name: 'svc-1' }, service('ns-7', 'svc-1', { 'ingress.appscode.com/affinity': 'cookie' }));
  const rows = book.update(touched, statusOf(gathered(touched), watchOptions).status.items);
  const changeMs = performance.now() - started;
  assert.deepEqual([...touched], [ingressKey({ apiVersion: 'voyager.appscode.com/v1beta1', namespace: 'ns-7', name: 'ing-0' })]);
  assert.deepEqual(
    rows.map((r) => [r.type, r.item.ingress.name, r.item.service.name, r.item.sticky]),
    [['MODIFIED', 'ing-0', 'svc-1', true]],
  );
  process.stderr.write(`watch at full scale: all 10,000 backends judged in ${Math.round(fullMs)} ms; one annotated Service in ${changeMs.toFixed(1)} ms\n`);
});
