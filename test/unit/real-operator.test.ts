// The core against ground truth: for every case of ../shared/operator (real Voyager operators
// v12.0.0, 8.0.1 and 5.0.0 run against a kube-apiserver, each writing ConfigMap voyager-NAME
// itself), render at that version must equal the operator's backends.txt after the same
// normalisation (pre-6.0 names without their random suffix), and every case where the operator
// wrote no config must be reported as written-nothing, with the operator's reason.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeStatus } from '../../src/core/effective.ts';
import { objectsFrom } from '../../src/core/objects.ts';
import { formatBackends, normaliseConfig, renderIngress } from '../../src/core/render.ts';
import { profileFor } from '../../src/core/semantics.ts';
import { parseManifest } from '../../src/manifests/read.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', 'shared', 'operator');
const VERSIONS = ['5.0.0', '8.0.1', 'v12.0.0'];

interface CaseMeta {
  ingress: { namespace: string; name: string };
}


/** The names the operator's Event quotes (Secret, port name, bad IP, Service) that our reason must name too. */
function quotedSubjects(events: string): string[] {
  const out: string[] = [];
  for (const pattern of [/secrets "([^"]+)" not found/, /parsing "([^"]+)": invalid syntax/, /Invalid value: "([^"]+)"/, /service "[^/"]+\/([^"]+)" not found/]) {
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
    out.push({ apiVersion: 'v1', kind: 'Event', metadata: { namespace }, involvedObject: { kind: m[3], name: m[4], namespace }, type: m[2], reason: m[5], message: m[6], lastTimestamp: m[1], count: Number(m[7] ?? 1) });
  }
  return out;
}

const stripSuffix = (text: string) => text.replace(/^(backend \S+?)-[a-z0-9]{6}$/gm, '$1');

if (!existsSync(ROOT)) {
  test('real-operator cases', { skip: `no ground truth at ${ROOT} (CI lays shared/ beside the checkout)` }, () => {});
} else {
  for (const version of VERSIONS) {
    test(`render equals what the real operator ${version} wrote, for every case`, () => {
      const profile = profileFor(version);
      assert.ok(profile.ok);
      const cases = readdirSync(join(ROOT, version)).sort();
      assert.ok(cases.length >= 100, `only ${cases.length} cases for ${version}`);
      const mismatches: string[] = [];
      let written = 0;
      let nothing = 0;
      for (const name of cases) {
        const dir = join(ROOT, version, name);
        const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as CaseMeta;
        const raws = readdirSync(join(dir, 'input')).flatMap((file) => parseManifest(readFileSync(join(dir, 'input', file), 'utf8'), file));
        const objects = objectsFrom(raws, meta.ingress.namespace);
        const ingress = objects.ingresses.find((i) => i.meta.name === meta.ingress.name && i.meta.namespace === meta.ingress.namespace);
        const noConfig = existsSync(join(dir, 'no-config'));
        if (!ingress) {
          // The API server refuses the Ingress (the reader says why): the operator never sees it.
          const refused = objects.issues.some((issue) => issue.object === `ingress/${meta.ingress.namespace}/${meta.ingress.name}` && /rejects/.test(issue.message));
          if (!noConfig || !refused) mismatches.push(`${name}: Ingress not read, yet the operator ${noConfig ? 'wrote nothing' : 'wrote a config'}`);
          else nothing++;
          continue;
        }
        const result = renderIngress(ingress, objects, profile.profile);
        // The operator's own Events, read as status reads them live, never contradict the prediction.
        const withEvents = { ...objects, events: objectsFrom(eventsOf(readFileSync(join(dir, 'events.txt'), 'utf8'), meta.ingress.namespace), meta.ingress.namespace).events };
        const words = computeStatus(withEvents, { profile: profile.profile, source: 'flag', ingressClass: null }).warnings.filter((w) => w.message.includes('DISAGREES'));
        for (const w of words) mismatches.push(`${name}: ${w.message}`);
        if (noConfig && !words.length && !computeStatus(withEvents, { profile: profile.profile, source: 'flag', ingressClass: null }).warnings.some((w) => w.message.startsWith('the operator agrees'))) {
          mismatches.push(`${name}: the operator's Events were not quoted beside the no-config prediction`);
        }
        if (noConfig) {
          const events = readFileSync(join(dir, 'events.txt'), 'utf8');
          if (result.written || !result.failure) {
            mismatches.push(`${name}: the operator wrote no config, render wrote one`);
            continue;
          }
          if (!events.includes(` ${result.failure.event} `)) mismatches.push(`${name}: we say ${result.failure.event}, the operator's Events say otherwise`);
          for (const subject of quotedSubjects(events)) {
            if (!result.failure.message.includes(subject)) mismatches.push(`${name}: our reason "${result.failure.message}" does not name ${subject}`);
          }
          nothing++;
          continue;
        }
        const want = stripSuffix(normaliseConfig(readFileSync(join(dir, 'backends.txt'), 'utf8')));
        const got = result.written ? normaliseConfig(formatBackends(result.backends)) : `no config: ${result.failure?.message}`;
        if (got !== want) mismatches.push(`${name}:\n--- operator\n${want}\n--- render\n${got}`);
        else written++;
      }
      assert.deepEqual(mismatches, []);
      // Both kinds are present at every version: the comparison is not vacuous.
      assert.ok(written > 50 && nothing > 0, `${written} written, ${nothing} without config`);
    });
  }
}
