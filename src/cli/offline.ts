// enable/disable on manifest files (-f): --local prints the edited objects, --in-place rewrites
// the files changing only the annotation lines (manifests/edit.ts), as `kubectl annotate --local`
// and an editor would. The plan, effect table and diffs are those of a live change.

import { readFileSync, writeFileSync } from 'node:fs';
import { effectOf, isEmptyPatch, planChange, withPatches, type AnnotationPatch, type ChangeTarget } from '../core/change.ts';
import type { JsonObject } from '../core/objects.ts';
import { UserError } from '../errors.ts';
import { editManifest, type AnnotationEdit } from '../manifests/edit.ts';
import { semanticsLine } from '../output/semantics.ts';
import { renderDocument } from '../output/document.ts';
import { configDiffs, effectLines, purgeHint, refusalMessage } from '../output/effect.ts';
import { warningLines } from '../output/warnings.ts';
import type { ChangeOptions } from './commands.ts';
import { gather } from './gather.ts';
import type { Context } from './io.ts';

function toEdit(target: ChangeTarget, apiVersion: string | null, patch: AnnotationPatch): AnnotationEdit {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) remove.push(key);
    else set[key] = value;
  }
  return { kind: target.role === 'service' ? 'Service' : 'Ingress', apiVersion, namespace: target.namespace, name: target.name, set, remove };
}

export async function runOfflineChange(args: ChangeOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  if (!args.local && !args['in-place']) throw new UserError(`${args.action} -f changes files only with --in-place; --local prints the edited objects instead`);
  if ((args['dry-run'] ?? 'none') === 'server') throw new UserError('--dry-run=server needs a cluster; with -f use --local');
  const gathered = await gather({ ...args, 'all-namespaces': false }, ctx, { endpoints: true, configMaps: false });
  const profile = gathered.choice.profile;
  io.err(semanticsLine(gathered.choice));
  const namespace = args.namespace || 'default';
  const changes = args.targets.map((t) => {
    const ingress =
      t.kind === 'ingress'
        ? gathered.objects.ingresses.find((i) => i.meta.name === t.name && i.meta.namespace === namespace && (t.flavor === null || i.flavor === t.flavor))
        : undefined;
    const service = t.kind === 'service' ? gathered.objects.services.find((s) => s.meta.name === t.name && s.meta.namespace === namespace) : undefined;
    const object = ingress ?? service;
    if (!object) throw new UserError(`${t.kind === 'ingress' ? 'ingress' : 'service'} ${namespace}/${t.name} is not in the files`);
    const target: ChangeTarget = ingress ? { role: 'ingress', flavor: ingress.flavor, namespace, name: t.name } : { role: 'service', namespace, name: t.name };
    const plan = planChange(profile, object.meta.annotations, {
      action: args.action,
      role: target.role,
      cookieName: args['cookie-name'] ?? null,
      cookieHash: args['cookie-hash'] ?? null,
      overwrite: args.overwrite,
      purge: args.purge,
    });
    if (!plan.ok) throw new UserError(`${target.role}/${namespace}/${t.name}: ${refusalMessage(plan.refusal)}`);
    return { target, patch: plan.patch, apiVersion: ingress ? ingress.apiVersion : null, before: object.meta.annotations };
  });

  const edits = changes.filter((c) => !isEmptyPatch(c.patch)).map((c) => toEdit(c.target, c.apiVersion, c.patch));
  const { manifestFiles, readManifests } = await import('../manifests/read.ts');
  if (args['in-place']) {
    for (const file of manifestFiles(args.filename)) {
      const text = readFileSync(file, 'utf8');
      const result = editManifest(text, edits, namespace, /\.json$/i.test(file));
      if (result.text !== text) writeFileSync(file, result.text);
      for (const edit of result.applied) io.out(`${edit.kind === 'Service' ? 'service' : 'ingress'}/${edit.name} annotated (${file})`);
    }
  } else {
    const format = args.output === 'json' ? 'json' : 'yaml';
    for (const raw of readManifests(args.filename, () => io.stdin())) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
      const object = raw as JsonObject;
      const metadata = object['metadata'];
      if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) continue;
      const change = changes.find(
        (c) =>
          (c.target.role === 'service' ? object['kind'] === 'Service' : object['kind'] === 'Ingress') &&
          metadata['name'] === c.target.name &&
          (metadata['namespace'] ?? namespace) === namespace,
      );
      if (!change) continue;
      const annotations: JsonObject = { ...change.before };
      for (const [key, value] of Object.entries(change.patch)) {
        if (value === null) delete annotations[key];
        else annotations[key] = value;
      }
      io.out(renderDocument({ ...object, metadata: { ...metadata, annotations } }, format));
    }
  }
  for (const c of changes) if (isEmptyPatch(c.patch)) io.err(`${c.target.role}/${c.target.name} unchanged`);

  const statusOptions = { profile, source: gathered.choice.source, ingressClass: args['ingress-class'] ?? null };
  const after = withPatches(gathered.objects, changes);
  const effect = effectOf(
    gathered.objects,
    after,
    changes.map((c) => c.target),
    statusOptions,
    args.action,
  );
  for (const line of [...warningLines(effect.warnings), ...purgeHint(effect)]) io.err(line);
  for (const line of effectLines(effect)) io.err(line);
  for (const diff of configDiffs(effect)) io.err(diff);
  return 0;
}
