// What the API server refuses once Voyager's own Ingress CRD carries a full schema (apiextensions
// v1, from v13.0.0-rc.0: crds/voyager.appscode.com_ingresses.v1.yaml at 44fe45eac, registered by
// the operator itself): objects that an open-schema CRD stored, and older operators rendered, are
// never stored, so the operator never sees them. Only the constraints that refuse such objects:
// the schema's `required` lists under Voyager's own fields, and the types of the fields the core
// reads (a subset of the same schema; the Kubernetes types it embeds, affinity, probes and the like,
// are left out). voyager.appscode.com/v1, served by the closed-source releases after it, has its own
// schema in the same CRD (V1_SPEC below). Pure.

import type { IngressView, Json, JsonObject, ObjectSet } from './objects.ts';
import type { Profile } from './semantics.ts';

type Type = 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'int-or-string';

interface Schema {
  type: Type;
  required?: readonly string[];
  /** The properties, as entries: every Ingress of a status -A walks them. */
  fields?: readonly (readonly [string, Schema])[];
  items?: Schema;
}

const STRING: Schema = { type: 'string' };
const INTEGER: Schema = { type: 'integer' };
const BOOLEAN: Schema = { type: 'boolean' };
const INT_OR_STRING: Schema = { type: 'int-or-string' };
const STRINGS: Schema = { type: 'array', items: STRING };
const object = (properties: Record<string, Schema>, required?: readonly string[]): Schema => ({
  type: 'object',
  fields: Object.entries(properties),
  ...(required ? { required } : {}),
});

// spec.frontendRules: v1beta1 takes an int-or-string port, v1 an int32.
const frontendRules = (port: Schema): Schema => ({
  type: 'array',
  items: object({
    port,
    rules: STRINGS,
    auth: object({ basic: object({ secretName: STRING, realm: STRING }), tls: object({ secretName: STRING }) }),
  }),
});

// spec.backend and every paths[].backend / tcp.backend (the CRD's HTTPIngressBackend, IngressBackend).
const BACKEND = object({
  name: STRING,
  serviceName: STRING,
  servicePort: INT_OR_STRING,
  hostNames: STRINGS,
  backendRules: STRINGS,
  rewriteRules: STRINGS,
  headerRules: STRINGS,
  alpn: STRINGS,
  proto: STRING,
  loadBalanceOn: STRING,
});
// configVolumes[].configMap.items and .secret.items: KeyToPath requires key and path.
const KEY_TO_PATH: Schema = { type: 'array', items: object({ key: STRING, path: STRING, mode: INTEGER }, ['key', 'path']) };
const CONFIG_VOLUMES: Schema = {
  type: 'array',
  items: object(
    {
      name: STRING,
      mountPath: STRING,
      configMap: object({ name: STRING, items: KEY_TO_PATH, optional: BOOLEAN }),
      secret: object({ secretName: STRING, items: KEY_TO_PATH, optional: BOOLEAN }),
    },
    ['mountPath'],
  ),
};

/** The v1beta1 spec, as far as above (that file: backend :877, configVolumes :951, frontendRules :1362, rules :1753, tls :2201). */
const SPEC = object({
  backend: BACKEND,
  externalIPs: STRINGS,
  configVolumes: CONFIG_VOLUMES,
  frontendRules: frontendRules(INT_OR_STRING),
  rules: {
    type: 'array',
    items: object({
      host: STRING,
      http: object(
        {
          port: INT_OR_STRING,
          address: STRING,
          noTLS: BOOLEAN,
          alpn: STRINGS,
          proto: STRING,
          paths: { type: 'array', items: object({ path: STRING, backend: BACKEND }) },
        },
        ['paths'],
      ),
      tcp: object({ port: INT_OR_STRING, address: STRING, noTLS: BOOLEAN, backend: BACKEND }),
    }),
  },
  tls: { type: 'array', items: object({ hosts: STRINGS, secretName: STRING }) },
});

// voyager.appscode.com/v1, as every release that serves it installs it: voyagermesh/apimachinery
// v0.12.0 (58664e1e0, v2026.3.23) crds/voyager.appscode.com_ingresses.yaml, version v1
// (configVolumes :969, defaultBackend :1831, frontendRules :1933, rules :2614, tls :3174). The same
// constraints since v0.1.0 (v2021.09.15), whose v1 backends also had rewriteRules and headerRules.
// Ports are int32 there (not int-or-string), a backend names its Service as networking's
// IngressServiceBackend, whose name is required, and tls has no ref.
const V1_BACKEND = object({
  name: STRING,
  hostNames: STRINGS,
  service: object({ name: STRING, port: object({ name: STRING, number: INTEGER }) }, ['name']),
  backendRules: STRINGS,
  alpn: STRINGS,
  proto: STRING,
  loadBalanceOn: STRING,
});
const V1_SPEC = object({
  defaultBackend: V1_BACKEND,
  externalIPs: STRINGS,
  configVolumes: CONFIG_VOLUMES,
  frontendRules: frontendRules(INTEGER),
  rules: {
    type: 'array',
    items: object({
      host: STRING,
      http: object(
        {
          port: INTEGER,
          address: STRING,
          noTLS: BOOLEAN,
          nodePort: INTEGER,
          alpn: STRINGS,
          proto: STRING,
          paths: { type: 'array', items: object({ path: STRING, backend: V1_BACKEND }) },
        },
        ['paths'],
      ),
      tcp: object({ port: INTEGER, address: STRING, noTLS: BOOLEAN, nodePort: INTEGER, backend: V1_BACKEND }),
    }),
  },
  tls: { type: 'array', items: object({ hosts: STRINGS, secretName: STRING }) },
});

// objects.ts reads with this module: a value import back would be a cycle.
const isObject = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function fits(type: Type, value: Json): boolean {
  const actual = jsonType(value);
  if (type === 'int-or-string') return actual === 'integer' || actual === 'string';
  return actual === type;
}

/** The API server's field errors for `value` at `path`, in its words (`spec.x[0].y: Required value`). */
function check(schema: Schema, value: Json, path: string, out: string[]): void {
  if (!fits(schema.type, value)) {
    const want = schema.type === 'int-or-string' ? 'integer,string' : schema.type;
    out.push(`${path}: Invalid value: "${jsonType(value)}": ${path} in body must be of type ${want}: "${jsonType(value)}"`);
    return;
  }
  const items = schema.items;
  if (items && Array.isArray(value)) for (const [i, item] of value.entries()) check(items, item, `${path}[${i}]`, out);
  if (!isObject(value)) return;
  for (const key of schema.required ?? []) if (value[key] === undefined || value[key] === null) out.push(`${path}.${key}: Required value`);
  for (const [key, inner] of schema.fields ?? []) {
    const field = value[key];
    // A null field is dropped as unset by the server's decoding of optional fields.
    if (field !== undefined && field !== null) check(inner, field, `${path}.${key}`, out);
  }
}

/** Whether `value` fits: check() without building a path for every field (nearly every object fits). */
function fitsAll(schema: Schema, value: Json): boolean {
  if (!fits(schema.type, value)) return false;
  const items = schema.items;
  if (items && Array.isArray(value)) {
    for (const item of value) if (!fitsAll(items, item)) return false;
  }
  if (!isObject(value)) return true;
  for (const key of schema.required ?? []) if (value[key] === undefined || value[key] === null) return false;
  for (const [key, inner] of schema.fields ?? []) {
    const field = value[key];
    if (field !== undefined && field !== null && !fitsAll(inner, field)) return false;
  }
  return true;
}

/** The schema's errors for a Voyager Ingress's spec in this version of the group; empty when the CRD would store it. */
export function schemaErrors(spec: Json | undefined, api: 'v1beta1' | 'v1'): string[] {
  const out: string[] = [];
  const schema = api === 'v1' ? V1_SPEC : SPEC;
  if (spec !== undefined && spec !== null && !fitsAll(schema, spec)) check(schema, spec, 'spec', out);
  return out;
}

/**
 * The objects the operator of this version can see: with a CRD schema (VersionRules.crdSchema),
 * the Voyager Ingresses (v1beta1 and v1) it refuses are dropped, each with the API server's error. Files
 * only: a live object was stored, so it passed its CRD when it was written.
 */
export function admittedByCrd(objects: ObjectSet, profile: Profile): ObjectSet {
  if (!profile.rules.crdSchema) return objects;
  const refused = (i: IngressView) => i.flavor === 'voyager' && i.schemaErrors.length > 0;
  if (!objects.ingresses.some(refused)) return objects;
  const issues = objects.ingresses.filter(refused).map((i) => ({
    object: `ingress/${i.meta.namespace}/${i.meta.name}`,
    message: `the Ingress CRD of Voyager ${profile.version} has a full schema and the API server rejects this Ingress (The Ingress "${i.meta.name}" is invalid: ${i.schemaErrors.join(', ')}), so it counts for nothing here`,
  }));
  return { ...objects, ingresses: objects.ingresses.filter((i) => !refused(i)), issues: [...objects.issues, ...issues] };
}
