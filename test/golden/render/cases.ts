// Loads the render golden cases: each folder holds input.yaml (Ingress + Services + Endpoints or
// EndpointSlices), profile (a Voyager version) and expected.cfg.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { objectsFrom, type ObjectSet } from '../../../src/core/objects.ts';
import { formatBackends, renderIngress, type RenderedBackend } from '../../../src/core/render.ts';
import { profileFor, type Profile } from '../../../src/core/semantics.ts';

export const GOLDEN_DIR = new URL('.', import.meta.url).pathname;

export interface GoldenCase {
  name: string;
  dir: string;
  profile: Profile;
  objects: ObjectSet;
}

export function loadCase(name: string): GoldenCase {
  const dir = join(GOLDEN_DIR, name);
  const docs = parseAllDocuments(readFileSync(join(dir, 'input.yaml'), 'utf8'));
  const raws = (Array.isArray(docs) ? docs : [docs]).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${name}/input.yaml: ${doc.errors[0]?.message}`);
    return doc.toJS() as unknown;
  });
  const version = readFileSync(join(dir, 'profile'), 'utf8').trim();
  const result = profileFor(version);
  if (!result.ok) throw new Error(`${name}/profile: ${result.message}`);
  return { name, dir, profile: result.profile, objects: objectsFrom(raws, 'default') };
}

export function caseNames(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((entry) => statSync(join(GOLDEN_DIR, entry)).isDirectory())
    .sort();
}

/** Every rendered backend of every Ingress of the case, Ingresses by namespace/name. */
export function renderCase(golden: GoldenCase): { backends: RenderedBackend[]; text: string } {
  const ingresses = [...golden.objects.ingresses].sort((a, b) =>
    `${a.meta.namespace}/${a.meta.name}` < `${b.meta.namespace}/${b.meta.name}` ? -1 : 1,
  );
  const backends: RenderedBackend[] = [];
  let text = '';
  for (const ingress of ingresses) {
    const result = renderIngress(ingress, golden.objects, golden.profile);
    if (result.failure) text += `# no config for ${ingress.meta.namespace}/${ingress.meta.name}: ${result.failure.event}: ${result.failure.message}\n`;
    backends.push(...result.backends);
    text += formatBackends(result.backends);
    for (const skipped of result.skipped) {
      text += `# skipped ${skipped.declared} ${skipped.host ?? '*'}${skipped.path ?? ''} -> ${skipped.service.namespace}/${skipped.service.name}:${skipped.service.port}: ${skipped.reason}\n`;
    }
  }
  return { backends, text };
}
