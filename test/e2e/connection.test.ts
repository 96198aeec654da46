// The transport against the real apiserver: the watch primitive (status --watch is built on it),
// and kubectl's connection flags and failure wording through the real kubectl.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, test } from 'node:test';
import type { WatchEvent } from '../../src/kube/api.ts';
import { CONFIGMAPS, EVENTS } from '../../src/kube/api.ts';
import { connect } from '../../src/kube/client.ts';
import { ensureCluster, repoRoot, type Cluster } from './cluster.ts';
import { mustKubectl } from './run.ts';

const NS = 'conn';

let cluster: Cluster;

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
});

function api() {
  return connect({ kubeconfig: cluster.kubeconfig, namespace: NS, timeoutMs: 10_000, verbosity: 0, log: () => {} });
}

/** The first event `accept` takes, with the stream aborted after it. */
async function firstEvent(events: AsyncIterable<WatchEvent>, controller: AbortController, accept: (e: WatchEvent) => boolean): Promise<WatchEvent | null> {
  for await (const event of events) {
    if (accept(event)) {
      controller.abort();
      return event;
    }
  }
  return null;
}

test('watch from a list: a patch arrives as MODIFIED; aborting ends the stream quietly', async () => {
  mustKubectl(['delete', 'configmap', 'watched', '-n', NS, '--ignore-not-found'], cluster.kubeconfig);
  mustKubectl(['create', 'configmap', 'watched', '-n', NS, '--from-literal=a=1'], cluster.kubeconfig);
  const kube = await api();
  const { items, resourceVersion } = await kube.listAt(CONFIGMAPS, NS, { fieldSelector: 'metadata.name=watched' });
  assert.equal(items.length, 1);
  assert.match(resourceVersion, /^\d+$/);
  const controller = new AbortController();
  const events = kube.watch(CONFIGMAPS, NS, { resourceVersion, fieldSelector: 'metadata.name=watched', allowWatchBookmarks: true }, controller.signal);
  const seen = firstEvent(events, controller, (e) => e.type === 'MODIFIED');
  // Patched while the watch may still be connecting: it is seen all the same, since the watch
  // starts from the list's resourceVersion.
  await kube.mergePatch(CONFIGMAPS, NS, 'watched', { data: { a: '2' } }, { dryRun: false, fieldManager: 'test' });
  const event = await seen;
  assert.ok(event && event.type === 'MODIFIED', JSON.stringify(event));
  assert.equal(event.type === 'MODIFIED' ? (event.object['data'] as Record<string, string>)['a'] : '', '2');
  assert.equal(event.type === 'MODIFIED' ? event.object['kind'] : '', 'ConfigMap');

  // An already-aborted signal: no events, no error.
  const none: WatchEvent[] = [];
  for await (const e of kube.watch(CONFIGMAPS, NS, { resourceVersion }, AbortSignal.abort())) none.push(e);
  assert.deepEqual(none, []);
});

test('watch from a resourceVersion the server no longer has: an ERROR event with code 410', async () => {
  const kube = await api();
  // Events bypass the apiserver's watch cache, so a watch of them reads etcd; once etcd has
  // compacted past a revision, watching from it is 410 Gone. The plane is young and never
  // compacts on its own: compact now, through etcd's HTTP gateway (no other test watches).
  const { resourceVersion } = await kube.listAt(EVENTS, NS);
  const etcdPort = /^ETCD_PORT=(\d+)$/m.exec(readFileSync(resolve(repoRoot, '.cluster/ready'), 'utf8'))?.[1];
  assert.ok(etcdPort, 'ETCD_PORT in .cluster/ready');
  const compacted = await fetch(`http://127.0.0.1:${etcdPort}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: resourceVersion }) });
  assert.equal(compacted.status, 200, await compacted.text());
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  const events: WatchEvent[] = [];
  for await (const event of kube.watch(EVENTS, NS, { resourceVersion: '1' }, controller.signal)) {
    events.push(event);
    if (event.type === 'ERROR') break;
  }
  clearTimeout(timer);
  const error = events.find((e) => e.type === 'ERROR');
  assert.ok(error && error.type === 'ERROR', `no ERROR event in ${JSON.stringify(events).slice(0, 300)}`);
  assert.deepEqual(error.status, { code: 410, reason: 'Expired', message: 'The resourceVersion for the provided watch is too old.' });
});
