// What the corpus tests add to a manifest: most of Voyager's documented manifests show only the
// Ingress, so each Service a backend names and the manifest does not bring is made up, with the
// backend's port (a named port as that name on port 80).

import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backendsOf } from '../../src/core/backends.ts';
import { objectsFrom, type ObjectSet } from '../../src/core/objects.ts';

export function withMissingServices(objects: ObjectSet): ObjectSet {
  const raws: unknown[] = [];
  const seen = new Set(objects.services.map((s) => `${s.meta.namespace}/${s.meta.name}`));
  for (const ing of objects.ingresses)
    for (const b of backendsOf(ing)) {
      const key = `${b.service.namespace}/${b.service.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const numeric = /^\d+$/.test(b.ref.servicePort);
      raws.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: b.service.name, namespace: b.service.namespace },
        spec: { ports: [{ port: numeric ? Number(b.ref.servicePort) : 80, ...(numeric ? {} : { name: b.ref.servicePort }) }] },
      });
    }
  return { ...objects, services: [...objects.services, ...objectsFrom(raws, 'default').services] };
}

/** The vendored corpus (test/data/corpus). */
export const CORPUS = resolve(import.meta.dirname, '..', 'data', 'corpus');

/** Every manifest of the corpus: one folder per source, one YAML file per manifest, named TAG__... */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(CORPUS, d.name))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(CORPUS, d.name, f)),
    );
}
