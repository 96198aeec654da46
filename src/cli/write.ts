// The one writer of annotation changes, for enable, disable and migrate: live as JSON merge
// patches (with an optional resourceVersion precondition, --dry-run=client|server and
// --field-manager), or on manifest files (--local: the edited objects; --in-place: the files
// rewritten through manifests/edit.ts, or with --dry-run only their diffs). It writes and says
// what came of each object; printing that is the printer's job.

import { readFileSync, writeFileSync } from 'node:fs';
import { applyPatch, isEmptyPatch, type AnnotationPatch, type Role } from '../core/change.ts';
import { isObject, type JsonObject } from '../core/objects.ts';
import { UserError, WriteUncertainError, errorLine } from '../errors.ts';
import type { Api, ResourceType } from '../kube/api.ts';
import { editManifest, type AnnotationEdit } from '../manifests/edit.ts';
import { changeDiff } from '../output/diff.ts';
import { outputOf, ResultPrinter, type Result } from '../output/print.ts';
import type { Io } from './io.ts';

export type DryRun = 'none' | 'client' | 'server';

/** One object's annotation change, as every command hands it to the writer. */
export interface ObjectChange {
  role: Role;
  /** The resource to PATCH (live); null on files. */
  type: ResourceType | null;
  /** For an Ingress: its apiVersion (a Voyager and a standard Ingress may share a name). */
  apiVersion: string | null;
  namespace: string;
  name: string;
  /** kubectl's name for it (`service/web`, `ingress.voyager.appscode.com/shop`). */
  label: string;
  patch: AnnotationPatch;
  /** The object as read, for a client dry run's output; null when only its annotations are known. */
  raw: JsonObject | null;
  annotations: Record<string, string>;
}

/** kubectl's name for an object: no namespace, an Ingress by its group (two kinds share the name). */
export function objectName(role: Role, apiVersion: string | null, name: string): string {
  if (role === 'service') return `service/${name}`;
  return `${apiVersion?.startsWith('voyager.appscode.com/') ? 'ingress.voyager.appscode.com' : 'ingress.networking.k8s.io'}/${name}`;
}

/** What came of one object: its state after the write (or as it would be), and whether it changed. */
export interface Written {
  change: ObjectChange;
  object: JsonObject;
  changed: boolean;
}

/** The object with its annotations patched locally: a client dry run and --local show it so. */
function patchedObject(raw: JsonObject, annotations: Record<string, string>, patch: AnnotationPatch): JsonObject {
  const metadata = isObject(raw['metadata']) ? raw['metadata'] : {};
  return { ...raw, metadata: { ...metadata, annotations: applyPatch(annotations, patch) } };
}

export interface LiveOptions {
  dryRun: DryRun;
  fieldManager: string;
  resourceVersion?: string | undefined;
}

/**
 * The changes PATCHed one by one, in order; `done` hears of each as it is written, so what was
 * written before a failure is shown. On a failure: `report` gets the cause, and the error says
 * what was written, what may have been (a PATCH cut off after it was sent: WriteUncertainError)
 * and what was not.
 */
export async function writeLive(
  kube: Api,
  changes: readonly ObjectChange[],
  options: LiveOptions,
  done: (written: Written) => void,
  report: (line: string) => void,
): Promise<void> {
  const written: string[] = [];
  for (const [index, change] of changes.entries()) {
    const raw = change.raw ?? {};
    if (isEmptyPatch(change.patch)) {
      done({ change, object: raw, changed: false });
      continue;
    }
    if (options.dryRun === 'client' || change.type === null) {
      done({ change, object: patchedObject(raw, change.annotations, change.patch), changed: true });
      continue;
    }
    const metadata: JsonObject = { annotations: change.patch };
    if (options.resourceVersion !== undefined) metadata['resourceVersion'] = options.resourceVersion;
    let object: JsonObject;
    try {
      object = await kube.mergePatch(
        change.type,
        change.namespace,
        change.name,
        { metadata },
        { dryRun: options.dryRun === 'server', fieldManager: options.fieldManager },
      );
    } catch (error) {
      report(errorLine(error));
      throw new UserError(`${failureSummary(written, changes, index, error instanceof WriteUncertainError)} (run the command again to finish)`);
    }
    if (options.dryRun === 'none') written.push(change.label);
    done({ change, object, changed: true });
  }
}

function failureSummary(written: readonly string[], changes: readonly ObjectChange[], index: number, uncertain: boolean): string {
  const failed = changes[index]?.label ?? '';
  const notWritten = changes.slice(uncertain ? index + 1 : index).map((c) => c.label);
  return [
    written.length > 0 ? `written: ${written.join(', ')}` : uncertain ? '' : 'nothing was written',
    uncertain ? `maybe written: ${failed}` : '',
    notWritten.length > 0 ? `not written: ${notWritten.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function editOf(change: ObjectChange): AnnotationEdit {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(change.patch)) {
    if (value === null) remove.push(key);
    else set[key] = value;
  }
  return {
    kind: change.role === 'service' ? 'Service' : 'Ingress',
    apiVersion: change.apiVersion,
    namespace: change.namespace,
    name: change.name,
    set,
    remove,
  };
}

/** One file's outcome under --in-place: the objects edited, and (on a dry run) the diff not written. */
export interface FileEdit {
  file: string;
  edited: ObjectChange[];
  diff: string;
}

/**
 * --in-place: each file with only its annotation lines changed, written back unless `dryRun` is
 * client (a dry run never writes anything anywhere: the diff says what would change).
 */
function editFiles(files: readonly string[], changes: readonly ObjectChange[], namespace: string, dryRun: DryRun): FileEdit[] {
  const edits = changes.filter((c) => !isEmptyPatch(c.patch)).map(editOf);
  return files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const result = editManifest(text, edits, namespace, /\.json$/i.test(file));
    if (result.text !== text && dryRun === 'none') writeFileSync(file, result.text);
    const edited = result.applied.flatMap(
      (edit) =>
        changes.find(
          (c) =>
            (c.role === 'service') === (edit.kind === 'Service') &&
            c.namespace === edit.namespace &&
            c.name === edit.name &&
            (edit.apiVersion === null || c.apiVersion === null || c.apiVersion === edit.apiVersion),
        ) ?? [],
    );
    return { file, edited, diff: dryRun === 'none' ? '' : changeDiff(file, text, result.text) };
  });
}

/** --local: the objects of the files that a change is for, edited; the files stay as they are. */
function editedObjects(objects: readonly unknown[], changes: readonly ObjectChange[], namespace: string): Written[] {
  const out: Written[] = [];
  for (const object of objects) {
    if (!isObject(object) || !isObject(object['metadata'])) continue;
    const metadata = object['metadata'];
    const role = object['kind'] === 'Service' ? 'service' : object['kind'] === 'Ingress' ? 'ingress' : null;
    const objectNamespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : namespace;
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : null;
    const change = changes.find(
      (c) =>
        c.role === role &&
        c.name === metadata['name'] &&
        c.namespace === objectNamespace &&
        (role === 'service' || c.apiVersion === null || c.apiVersion === apiVersion),
    );
    if (!change) continue;
    out.push({ change, object: patchedObject(object, change.annotations, change.patch), changed: !isEmptyPatch(change.patch) });
  }
  return out;
}

export const dryRunSuffix = (dryRun: DryRun) => (dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '');

/** One written object for the printer: the object itself for -o json|yaml, its name, its `annotated` line. */
export function writtenResult(written: Written, line: string): Result {
  return { document: { items: [written.object] }, table: () => line, names: () => [written.change.label], empty: null };
}

/** Files as --local or --in-place asks: shared by enable, disable and migrate. */
export async function writeOnFiles(
  io: Io,
  options: { filename: string[]; 'in-place': boolean; output?: string | undefined },
  changes: readonly ObjectChange[],
  namespace: string,
  dryRun: DryRun,
): Promise<void> {
  const { manifestFiles, readManifests } = await import('../manifests/read.ts');
  if (options['in-place']) {
    for (const edit of editFiles(manifestFiles(options.filename), changes, namespace, dryRun)) {
      for (const change of edit.edited) io.out(`${change.label} annotated (${edit.file})${dryRunSuffix(dryRun)}`);
      if (edit.diff) io.out(edit.diff);
    }
    return;
  }
  // --local: the edited objects, as kubectl annotate --local prints them (YAML unless -o says otherwise).
  const printer = new ResultPrinter(io, outputOf(options.output ?? 'yaml'), { noHeaders: false, each: true });
  for (const written of editedObjects(
    readManifests(options.filename, () => io.stdin()),
    changes,
    namespace,
  ))
    printer.print(writtenResult(written, `${written.change.label} annotated (local)`));
}
