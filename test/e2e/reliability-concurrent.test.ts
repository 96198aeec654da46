// Concurrent writers on the real control plane: 20 plugin processes enable and disable stickiness
// on one Service while another process edits unrelated annotations and labels of it with kubectl.
// Nothing is lost: every unrelated key survives with its last value, and the sticky key is what
// the last successful writer left. A stale --resource-version is a Conflict, never an overwrite.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { kubectlAsync, stickyAsync, type TimedResult } from '../support/spawn.ts';
import { ensureCluster, type Cluster } from './cluster.ts';
import { mustKubectl, sticky } from './run.ts';

const NS = 'rel-concurrent';
const SVC = 'shared';
const STICKY = 'ingress.appscode.com/sticky-session';
const VERSION = ['--voyager-version', '3.2.0'];
export const WRITERS = 20;

let cluster: Cluster;

interface ServiceJson {
  metadata: { resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

function getService(): ServiceJson {
  return JSON.parse(mustKubectl(['get', 'svc', SVC, '-n', NS, '-o', 'json'], cluster.kubeconfig)) as ServiceJson;
}

before(async () => {
  cluster = await ensureCluster();
  mustKubectl(['apply', '-f', '-'], cluster.kubeconfig, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`);
  mustKubectl(['delete', 'svc', SVC, '-n', NS, '--ignore-not-found', '--wait=false'], cluster.kubeconfig);
  mustKubectl(
    ['create', '-f', '-'],
    cluster.kubeconfig,
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${SVC}, namespace: ${NS}}\nspec: {ports: [{port: 80}]}\n`,
  );
});

test(`${WRITERS} concurrent enable/disable processes and a concurrent kubectl annotate/label loop: nothing lost, last writer wins`, async () => {
  const actions: string[] = Array.from({ length: WRITERS }, (_, i) => (i % 2 === 0 ? 'enable' : 'disable'));
  // Shuffle (deterministically) so enables and disables interleave in start order too.
  for (let i = actions.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [actions[i], actions[j]] = [actions[j] as string, actions[i] as string];
  }

  let writersDone = false;
  const edits: { key: string; value: string; kind: 'annotation' | 'label' }[] = [];
  const editor = (async () => {
    // At least 8 rounds, and on until every writer has finished.
    for (let round = 0; round < 8 || !writersDone; round++) {
      const annotation = await kubectlAsync(
        ['annotate', 'svc', SVC, '-n', NS, '--overwrite', `rel.example.com/k${round}=v${round}`, `rel.example.com/counter=${round}`],
        { kubeconfig: cluster.kubeconfig },
      );
      assert.equal(annotation.code, 0, annotation.stderr);
      edits.push({ key: `rel.example.com/k${round}`, value: `v${round}`, kind: 'annotation' });
      const label = await kubectlAsync(['label', 'svc', SVC, '-n', NS, '--overwrite', `rel-l${round}=v${round}`, `rel-counter=${round}`], {
        kubeconfig: cluster.kubeconfig,
      });
      assert.equal(label.code, 0, label.stderr);
      edits.push({ key: `rel-l${round}`, value: `v${round}`, kind: 'label' });
    }
    return edits.length / 2;
  })();

  // -o json prints the object the PATCH returned (its resourceVersion orders the writes);
  // -v=6 logs the PATCH, which tells writers from `unchanged` runs.
  // Starts 150ms apart: the runs overlap (each takes seconds with 20 at once), yet see different
  // states, so both enables and disables really write.
  const writers: Promise<TimedResult & { action: string }>[] = actions.map(async (action, i) => {
    await new Promise((r) => setTimeout(r, i * 150));
    const r = await stickyAsync([action, `svc/${SVC}`, '-n', NS, ...VERSION, '-o', 'json', '-v=6'], { kubeconfig: cluster.kubeconfig });
    return { ...r, action };
  });
  const results = await Promise.all(writers);
  writersDone = true;
  const rounds = await editor;

  const writes: { action: string; rv: bigint }[] = [];
  for (const r of results) {
    assert.equal(r.code, 0, `${r.action}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^error|Error from server/m);
    const patched = /^PATCH https:\/\/\S+ 200 in \d+ms$/m.test(r.stderr);
    if (!patched) continue;
    const object = JSON.parse(r.stdout) as ServiceJson;
    writes.push({ action: r.action, rv: BigInt(object.metadata.resourceVersion) });
  }
  assert.ok(writes.length >= 2, `at least two writes happened (${writes.length})`);
  assert.ok(
    writes.some((w) => w.action === 'disable'),
    'some disable wrote',
  );
  assert.ok(
    writes.some((w) => w.action === 'enable'),
    'some enable wrote',
  );
  // Overlap: the writers' runs were not one after the other.
  const overlapping = results.filter((r) => results.some((o) => o !== r && o.ended - o.ms < r.ended && r.ended - r.ms < o.ended)).length;
  assert.ok(overlapping >= WRITERS / 2, `${overlapping} runs overlapped another`);

  const final = getService();
  const annotations = final.metadata.annotations ?? {};
  const labels = final.metadata.labels ?? {};
  // Every unrelated annotation and label written by the other process is there, with its value.
  for (const edit of edits) {
    const actual = edit.kind === 'annotation' ? annotations[edit.key] : labels[edit.key];
    assert.equal(actual, edit.value, `${edit.kind} ${edit.key}`);
  }
  assert.equal(annotations['rel.example.com/counter'], String(rounds - 1));
  assert.equal(labels['rel-counter'], String(rounds - 1));

  // The sticky key is what the last successful writer (highest resourceVersion) left.
  const last = writes.reduce((a, b) => (b.rv > a.rv ? b : a));
  assert.equal(annotations[STICKY], last.action === 'enable' ? 'true' : undefined, `last writer: ${last.action} at ${last.rv}`);

  // A final enable wins too, and still loses nothing.
  const enable = await stickyAsync(['enable', `svc/${SVC}`, '-n', NS, ...VERSION], { kubeconfig: cluster.kubeconfig });
  assert.equal(enable.code, 0, enable.stderr);
  const after = getService();
  assert.equal(after.metadata.annotations?.[STICKY], 'true');
  for (const edit of edits) assert.equal((edit.kind === 'annotation' ? after.metadata.annotations : after.metadata.labels)?.[edit.key], edit.value);
  stats.writers = results.length;
  stats.writes = writes.length;
  stats.edits = edits.length;
  stats.enables = writes.filter((w) => w.action === 'enable').length;
});

const stats = { writers: 0, writes: 0, enables: 0, edits: 0 };

test('a stale --resource-version is a Conflict with one clear line: nothing is overwritten', () => {
  const stale = getService().metadata.resourceVersion;
  mustKubectl(['annotate', 'svc', SVC, '-n', NS, '--overwrite', 'rel.example.com/after-read=1'], cluster.kubeconfig);
  const result = sticky(['disable', `svc/${SVC}`, '-n', NS, ...VERSION, '--resource-version', stale], { kubeconfig: cluster.kubeconfig });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^Error from server \(Conflict\): Operation cannot be fulfilled on services "shared": the object has been modified; please apply your changes to the latest version and try again$/m,
  );
  assert.match(result.stderr, /^error: nothing was written; not written: service\/shared \(run the command again to finish\)$/m);
  const now = getService();
  assert.equal(now.metadata.annotations?.[STICKY], 'true', 'the disable did not happen');
  assert.equal(now.metadata.annotations?.['rel.example.com/after-read'], '1');

  const fresh = sticky(['disable', `svc/${SVC}`, '-n', NS, ...VERSION, '--resource-version', now.metadata.resourceVersion], { kubeconfig: cluster.kubeconfig });
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(getService().metadata.annotations?.[STICKY], undefined);
  process.stderr.write(
    `reliability-concurrent: ${stats.writers} writer processes, ${stats.writes} PATCHes (${stats.enables} enable, ${stats.writes - stats.enables} disable), ${stats.edits} concurrent kubectl edits\n`,
  );
});
