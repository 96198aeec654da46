// The in-memory Api (test/support/memory-api.ts) behaves as the API server does where the
// command flows depend on it: resourceVersion, 404/409, merge patch, dry-run, pages, discovery, watch.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerError } from '../../src/errors.ts';
import { SERVICES, voyagerIngresses } from '../../src/kube/api.ts';
import { MemoryApi, mergePatch } from '../support/memory-api.ts';

function service(name: string, namespace = 'shop', annotations: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, annotations }, spec: { ports: [{ port: 80 }] } };
}

const FM = { dryRun: false, fieldManager: 'test' };

test('each write bumps the resourceVersion; a stale precondition is a 409 in the server words and changes nothing', async () => {
  const api = new MemoryApi({ objects: [service('web')] });
  const before = await api.get(SERVICES, 'shop', 'web');
  assert.equal(before?.['metadata'] && (before['metadata'] as { resourceVersion: string }).resourceVersion, '1');
  const patched = await api.mergePatch(SERVICES, 'shop', 'web', { metadata: { resourceVersion: '1', annotations: { a: 'b' } } }, FM);
  assert.equal((patched['metadata'] as { resourceVersion: string }).resourceVersion, '2');
  await assert.rejects(
    api.mergePatch(SERVICES, 'shop', 'web', { metadata: { resourceVersion: '1', annotations: { a: 'c' } } }, FM),
    (error: unknown) =>
      error instanceof ServerError &&
      error.code === 409 &&
      error.message ===
        'Error from server (Conflict): Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  assert.deepEqual(api.object(SERVICES, 'shop', 'web')?.['metadata'], {
    name: 'web',
    namespace: 'shop',
    annotations: { a: 'b' },
    uid: 'uid-1',
    resourceVersion: '2',
  });
});

test('a missing object: get is null, a patch is NotFound with the qualified resource', async () => {
  const api = new MemoryApi({ groups: { 'voyager.appscode.com': ['v1beta1'] } });
  assert.equal(await api.get(SERVICES, 'shop', 'nope'), null);
  await assert.rejects(api.mergePatch(voyagerIngresses('v1beta1'), 'shop', 'nope', { metadata: {} }, FM), {
    message: 'Error from server (NotFound): ingresses.voyager.appscode.com "nope" not found',
  });
});

test('merge patch: null removes a key, objects merge, other values replace; dry-run stores nothing and returns the result', async () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { b: null, f: 3 }, d: [2], e: null }), { a: { c: 2, f: 3 }, d: [2] });
  const api = new MemoryApi({ objects: [service('web', 'shop', { keep: 'me', drop: 'me' })] });
  const dry = await api.mergePatch(SERVICES, 'shop', 'web', { metadata: { annotations: { drop: null, add: 'x' } } }, { dryRun: true, fieldManager: 'f' });
  assert.deepEqual((dry['metadata'] as { annotations: unknown }).annotations, { keep: 'me', add: 'x' });
  assert.deepEqual(api.object(SERVICES, 'shop', 'web')?.['metadata'], {
    name: 'web',
    namespace: 'shop',
    annotations: { keep: 'me', drop: 'me' },
    uid: 'uid-1',
    resourceVersion: '1',
  });
  assert.equal(api.resourceVersion, '1');
});

test('lists come in pages with limit and continue, each item projected; the list resourceVersion is the snapshot', async () => {
  const api = new MemoryApi({ objects: ['a', 'b', 'c', 'd', 'e'].map((n) => service(n)), pageSize: 2 });
  const seen: string[] = [];
  const listed = await api.listAt(SERVICES, 'shop', {}, (item) => {
    seen.push(String((item['metadata'] as { name: string }).name));
    return { name: (item['metadata'] as { name: string }).name };
  });
  assert.deepEqual(listed.items, [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }]);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(listed.resourceVersion, '5');
  const pages = api.calls.filter((c) => c.verb === 'list').map((c) => c.query);
  assert.deepEqual(pages, [{ limit: '2' }, { limit: '2', continue: '5:2' }, { limit: '2', continue: '5:4' }]);
  assert.deepEqual(await api.list(SERVICES, 'other'), []);
});

test('discovery follows what is held: no Voyager group until an Ingress (or a declared group) is there', async () => {
  const api = new MemoryApi({ objects: [service('web')] });
  assert.equal(await api.voyagerVersion(), null);
  api.add({ apiVersion: 'voyager.appscode.com/v1beta1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop' }, spec: {} });
  assert.deepEqual(await api.groupVersions('voyager.appscode.com'), { versions: ['v1beta1'], preferred: 'v1beta1' });
  const ingress = await api.get(voyagerIngresses('v1'), 'shop', 'i');
  assert.equal(ingress?.['apiVersion'], 'voyager.appscode.com/v1', 'one stored object serves each version of its group');
});

test('watch: the events after a resourceVersion, then new writes; 410 Expired before a compaction; quiet on abort', async () => {
  const api = new MemoryApi({ objects: [service('a'), service('b')] });
  const stop = new AbortController();
  const events: string[] = [];
  const watching = (async () => {
    for await (const event of api.watch(SERVICES, 'shop', { resourceVersion: '1' }, stop.signal)) {
      events.push(event.type === 'ERROR' ? 'ERROR' : `${event.type} ${(event.object['metadata'] as { name: string }).name}`);
      if (events.length === 2) stop.abort();
    }
  })();
  await api.mergePatch(SERVICES, 'shop', 'a', { metadata: { annotations: { x: 'y' } } }, FM);
  await watching;
  assert.deepEqual(events, ['ADDED b', 'MODIFIED a']);
  api.compact();
  const expired = [];
  for await (const event of api.watch(SERVICES, 'shop', { resourceVersion: '1' }, new AbortController().signal)) expired.push(event);
  assert.deepEqual(expired, [{ type: 'ERROR', status: { code: 410, reason: 'Expired', message: 'too old resource version: 1 (3)' } }]);
});
