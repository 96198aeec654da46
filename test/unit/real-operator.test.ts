// The core against ground truth: for every case of test/data/operator (real Voyager operators
// 5.0.0, 8.0.1, 9.0.0, v12.0.0 and v13.0.0-rc.0 run against a kube-apiserver, each writing
// ConfigMap voyager-NAME itself) and of test/data/operator-fuzz (random sticky annotations, the
// same procedure), render at that version must equal the operator's backends.txt after the same
// normalisation (pre-6.0 names without their random suffix), and every case where the operator
// wrote no config must be reported as written-nothing, with the operator's reason. Every case
// of both datasets at every version must agree: there is no list of known disagreements. The
// cases are read as `-f` reads files (a snapshot of their namespaces' Endpoints, what the
// version's CRD admits).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { admittedByCrd } from '../../src/core/crd.ts';
import { computeStatus } from '../../src/core/effective.ts';
import { endpointsKnownFromFiles, objectsFrom } from '../../src/core/objects.ts';
import { formatBackends, normaliseConfig, renderIngress } from '../../src/core/render.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';

const DATA = join(import.meta.dirname, '..', 'data');

/** test/data/DATASET/cases.json: one entry per case. */
interface CaseIndexEntry {
  ingress: { namespace: string; name: string };
}

/** test/data/DATASET/VERSION.json: per case, its files split at '\n' (scripts/refresh-test-data.ts). */
interface Outcome {
  backends?: string[];
  noConfig?: string[];
  events: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The names the operator's Event quotes (Secret, port name, bad IP, Service) that our reason must name too. */
function quotedSubjects(events: string): string[] {
  const out: string[] = [];
  for (const pattern of [
    /secrets "([^"]+)" not found/,
    /parsing "([^"]+)": invalid syntax/,
    /Invalid value: "([^"]+)"/,
    /service "[^/"]+\/([^"]+)" not found/,
  ]) {
    const match = pattern.exec(events);
    if (match?.[1]) out.push(match[1]);
  }
  return out;
}

/** events.txt lines (`TIME TYPE Kind/name REASON source: message (xN)`) as Event objects. */
function eventsOf(text: string, namespace: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (Normal|Warning) (\w+)\/(\S+) (\w+) [^:]*: (.*?)(?: \(x(\d+)\))?$/.exec(line);
    if (!m) continue;
    out.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace },
      involvedObject: { kind: m[3], name: m[4], namespace },
      type: m[2],
      reason: m[5],
      message: m[6],
      lastTimestamp: m[1],
      count: Number(m[7] ?? 1),
    });
  }
  return out;
}

const stripSuffix = (text: string) => text.replace(/^(backend \S+?)-[a-z0-9]{6}$/gm, '$1');

interface Comparison {
  /** Per case that disagrees, what disagrees. */
  mismatches: Map<string, string[]>;
  cases: number;
  written: number;
  nothing: number;
}

/** Every case of test/data/DATASET at VERSION through the core, compared with what the operator did. */
function compare(dataset: string, version: string): Comparison {
  const profile = profileFor(version);
  assert.ok(profile.ok, version);
  const index = readJson<Record<string, CaseIndexEntry>>(join(DATA, dataset, 'cases.json'));
  const outcomes = readJson<Record<string, Outcome>>(join(DATA, dataset, `${version}.json`));
  assert.deepEqual(Object.keys(outcomes).sort(), Object.keys(index).sort(), `${dataset}/${version}.json covers every case of cases.json`);
  const result: Comparison = { mismatches: new Map(), cases: 0, written: 0, nothing: 0 };
  for (const [name, outcome] of Object.entries(outcomes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const said: string[] = [];
    const verdict = compareCase(join(DATA, dataset, 'cases', name), index[name] as CaseIndexEntry, outcome, profile.profile, said);
    result.cases++;
    if (said.length) result.mismatches.set(name, said);
    else if (verdict === 'written') result.written++;
    else result.nothing++;
  }
  return result;
}

// A case's input is the same at every version: read once.
const inputs = new Map<string, unknown[]>();
function inputOf(dir: string): unknown[] {
  let raws = inputs.get(dir);
  if (!raws) {
    raws = readdirSync(dir)
      .sort()
      .flatMap((file) => parseManifest(readFileSync(join(dir, file), 'utf8'), file));
    inputs.set(dir, raws);
  }
  return raws;
}

type Profile = Extract<ReturnType<typeof profileFor>, { ok: true }>['profile'];

/** One case: pushes what disagrees to `mismatches`; says whether the operator wrote a config. */
function compareCase(dir: string, meta: CaseIndexEntry, outcome: Outcome, profile: Profile, mismatches: string[]): 'written' | 'nothing' {
  const { namespace, name } = meta.ingress;
  // As `-f` reads them (cli/gather.ts): the case's files are a snapshot of its namespaces.
  const files = objectsFrom(inputOf(dir), namespace);
  files.endpointsRead = endpointsKnownFromFiles(files);
  const objects = admittedByCrd(files, profile);
  const ingress = objects.ingresses.find((i) => i.meta.name === name && i.meta.namespace === namespace);
  const noConfig = outcome.noConfig !== undefined;
  if (!ingress) {
    // The API server refuses the Ingress (the reader says why): the operator never sees it.
    const refused = objects.issues.some((issue) => issue.object === `ingress/${namespace}/${name}` && /rejects/.test(issue.message));
    if (!noConfig || !refused) mismatches.push(`Ingress not read, yet the operator ${noConfig ? 'wrote nothing' : 'wrote a config'}`);
    return 'nothing';
  }
  const result = renderIngress(ingress, objects, profile);
  const events = outcome.events.join('\n');
  // The operator's own Events, read as status reads them live, never contradict the prediction.
  const withEvents = { ...objects, events: objectsFrom(eventsOf(events, namespace), namespace).events };
  const warnings = computeStatus(withEvents, { profile, source: 'flag', ingressClass: null }).warnings;
  const words = warnings.filter((w) => w.message.includes('DISAGREES'));
  for (const w of words) mismatches.push(w.message);
  if (noConfig && !words.length && !warnings.some((w) => w.message.startsWith('the operator agrees'))) {
    mismatches.push("the operator's Events were not quoted beside the no-config prediction");
  }
  if (noConfig) {
    if (result.written || !result.failure) {
      mismatches.push('the operator wrote no config, render wrote one');
      return 'nothing';
    }
    if (!events.includes(` ${result.failure.event} `)) mismatches.push(`we say ${result.failure.event}, the operator's Events say otherwise`);
    for (const subject of quotedSubjects(events)) {
      if (!result.failure.message.includes(subject)) mismatches.push(`our reason "${result.failure.message}" does not name ${subject}`);
    }
    return 'nothing';
  }
  const want = stripSuffix(normaliseConfig((outcome.backends ?? []).join('\n')));
  const got = result.written ? normaliseConfig(formatBackends(result.backends)) : `no config: ${result.failure?.message}`;
  if (got !== want) mismatches.push(`\n--- operator\n${want}\n--- render\n${got}`);
  return 'written';
}

const flat = (c: Comparison) => [...c.mismatches].flatMap(([name, said]) => said.map((s) => `${name}: ${s}`));

test('test/data holds every version of both datasets', () => {
  const versions = (dataset: string) =>
    readdirSync(join(DATA, dataset))
      .filter((f) => f.endsWith('.json') && f !== 'cases.json')
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  assert.deepEqual(versions('operator'), ['5.0.0', '8.0.1', '9.0.0', 'v12.0.0', 'v13.0.0-rc.0']);
  assert.deepEqual(versions('operator-fuzz'), ['5.0.0', '8.0.1', '9.0.0', 'v12.0.0']);
});

for (const version of ['5.0.0', '8.0.1', '9.0.0', 'v12.0.0']) {
  test(`render equals what the real operator ${version} wrote, for every case`, () => {
    const c = compare('operator', version);
    assert.equal(c.cases, 200);
    assert.deepEqual(flat(c), []);
    // Both kinds are present at every version: the comparison is not vacuous.
    assert.ok(c.written > 50 && c.nothing > 0, `${c.written} written, ${c.nothing} without config`);
  });
}

// v13.0.0-rc.0 installs its Ingress CRD with a full schema, so the API server refused some
// Ingresses the open-schema CRD of the older runs stored (c116, c124: spec.configVolumes[0].mountPath:
// Required value): the core drops them as `-f` does at that version (crd.ts), with the server's error.
test('render equals what the real operator v13.0.0-rc.0 wrote, for every case', () => {
  const c = compare('operator', 'v13.0.0-rc.0');
  assert.equal(c.cases, 200);
  assert.deepEqual(flat(c), []);
  assert.ok(c.written > 50 && c.nothing > 0, `${c.written} written, ${c.nothing} without config`);
});

// The fuzz cases tagged noep have a backend Service (with its selector) and no Endpoints object
// in a namespace whose other Services have one: 8.0.1 and later leave that backend and its
// use_backend out (BackendInvalid ... endpoints "NAME" not found), 5.0.0 writes no config
// (HAProxyConfigCreateFailed); the core reads the case's files as `-f` does, as a snapshot, and
// agrees (issue 25 item 1). They are counted so that the agreement is not vacuous.
for (const version of ['5.0.0', '8.0.1', '9.0.0', 'v12.0.0']) {
  test(`render equals what the real operator ${version} wrote, for every fuzz case`, () => {
    const c = compare('operator-fuzz', version);
    assert.equal(c.cases, 150);
    assert.deepEqual(flat(c), []);
    const outcomes = readJson<Record<string, Outcome>>(join(DATA, 'operator-fuzz', `${version}.json`));
    const absent = Object.entries(outcomes).filter(([name, o]) => /__(.+-)?noep-/.test(name) && /endpoints "svc-[a-z]" not found/.test(o.events.join('\n')));
    assert.equal(absent.length, version === '5.0.0' ? 29 : 30, 'the noep cases whose Events name the absent Endpoints');
    assert.ok(c.written >= 100, `${c.written} written, ${c.nothing} without config`);
  });
}
