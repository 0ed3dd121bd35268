#!/usr/bin/env node
// Generates the CustomResourceDefinition of StartOrder (startorders.startorder.dev) from
// schemas/startorder.schema.json, into deploy/crd.yaml and the Helm chart's crds/ (the same bytes in
// both). The CRD is never edited by hand: change the JSON Schema, then run this script.
//
//   node scripts/crd.mjs             # write both files
//   node scripts/crd.mjs --check     # fail when a file is not what the schema makes (npm test)
//   node scripts/crd.mjs --schema FILE --stdout   # print the CRD of another schema (tests)
//
// A CRD's openAPIV3Schema must be *structural* (apiextensions-apiserver, pkg/apiserver/schema/
// validation.go: every node has a type, or x-kubernetes-int-or-string / x-kubernetes-preserve-
// unknown-fields; value validations such as oneOf carry no types; no $ref, definitions, $schema,
// id, const; additionalProperties never next to properties; metadata at most name/generateName).
// The conversion below turns the draft-07 schema into one, per construct:
//   - $ref: inlined (definitions dropped); the schema has no recursion, a cycle fails the script.
//   - const: an enum of one value, typed after the value.
//   - enum without type: typed after its values (all the schema's enums are strings).
//   - additionalProperties: false next to properties: dropped. The apiserver prunes unknown fields,
//     and kubectl's default strict field validation rejects them, which is what false meant.
//   - oneOf of {integer} and {string} (a port: a number or an IANA name): x-kubernetes-int-or-string,
//     the way Kubernetes types its own ports. The branches' bounds are kept on that node:
//     minimum/maximum only apply to numbers and pattern/maxLength only to strings (kube-openapi's
//     validators apply by the value's kind), so together they say what the oneOf said.
//   - oneOf of a string and an object (a dependency: `app` or `{name: app, condition: …}`): no
//     structural schema has a node that is either, and int-or-string would admit 3 and refuse
//     {name}. So that node is x-kubernetes-preserve-unknown-fields (its description says so), and the
//     validating webhook checks it with the full JSON Schema, with the CLI's diagnostics.
//   - oneOf/anyOf/allOf/not whose branches only say `required` (ready: exactly one of file/exec/
//     httpGet/…): kept, that is value validation a structural schema allows.
//   - the root: apiVersion/kind/metadata as every CRD has them (type string / object; metadata may
//     not be restricted beyond name), spec converted; the schema's apiVersion and kind constants
//     must name this CRD's group/version and kind, or the script fails.
//   - spec.selector.matchExpressions (a Kubernetes LabelSelectorRequirement list, matched against
//     the pod's labels) is added when the schema has none yet.
// Any other keyword makes the script fail, so a change of the schema cannot slip into the CRD
// unconverted.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = resolve(REPO, 'schemas/startorder.schema.json');
export const OUTPUTS = [resolve(REPO, 'deploy/crd.yaml'), resolve(REPO, 'deploy/chart/startorder/crds/crd.yaml')];
const GROUP = 'startorder.dev';
const VERSION = 'v1alpha1';
const KIND = 'StartOrder';

// Keywords copied as they are (after their children are converted).
const VALUE_KEYWORDS = new Set(['description', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems', 'required']);
// Type-specific bounds, merged onto an int-or-string node.
const INT_KEYWORDS = new Set(['type', 'minimum', 'maximum']);
const STRING_KEYWORDS = new Set(['type', 'pattern', 'maxLength', 'minLength']);

/** The LabelSelectorRequirement list of Kubernetes (meta/v1), for a selector that has none yet. */
const MATCH_EXPRESSIONS = {
  description: "Label selector requirements, matched against the pod's labels (Kubernetes LabelSelector semantics).",
  type: 'array',
  'x-kubernetes-list-type': 'atomic',
  items: {
    type: 'object',
    required: ['key', 'operator'],
    properties: {
      key: { type: 'string', minLength: 1 },
      operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
      values: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
    },
  },
};

function fail(message) {
  throw new Error(`crd.mjs: ${message}`);
}

function typeOfValues(values, at) {
  const types = new Set(values.map((v) => (Number.isInteger(v) ? 'integer' : typeof v)));
  if (types.size !== 1 || ![...types].every((t) => ['string', 'integer', 'boolean'].includes(t))) fail(`${at}: enum/const of mixed or unsupported types`);
  return [...types][0];
}

/** Converts one draft-07 node into a structural node; `seen` holds the $refs being inlined. */
function convert(node, root, at, seen = new Set()) {
  if (node.$ref !== undefined) {
    return convert(deref(node, root, at, seen), root, at, new Set([...seen, node.$ref]));
  }
  if (node.oneOf && node.oneOf.every((b) => b.type !== undefined || b.$ref !== undefined)) return convertTypedOneOf(node, root, at, seen);
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'enum') continue;
    else if (key === 'const') out.enum = [value];
    else if (key === 'properties') out.properties = mapValues(value, (v, k) => convert(v, root, `${at}.${k}`, seen));
    else if (key === 'items') out.items = convert(value, root, `${at}[]`, seen);
    else if (key === 'additionalProperties') {
      if (value !== false) out.additionalProperties = convert(value, root, `${at}{}`, seen);
      else if (!node.properties) fail(`${at}: additionalProperties: false without properties has no structural form`);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') out[key] = value.map((b, i) => requiredOnly(b, `${at}.${key}[${i}]`));
    else if (key === 'not') out.not = requiredOnly(value, `${at}.not`);
    else if (VALUE_KEYWORDS.has(key)) out[key] = value;
    else fail(`${at}: keyword ${key} is not converted (decide how, in scripts/crd.mjs)`);
  }
  const values = node.enum ?? (node.const !== undefined ? [node.const] : undefined);
  if (values) out.enum = values;
  const type = node.type ?? (values ? typeOfValues(values, at) : node.properties ? 'object' : undefined);
  if (type === undefined) fail(`${at}: no type and none can be inferred`);
  if (Array.isArray(type)) fail(`${at}: a list of types has no structural form`);
  return { type, ...out };
}

/** A node with its $ref chain resolved (siblings of a $ref win), without converting it. */
function deref(node, root, at, seen = new Set()) {
  if (node.$ref === undefined) return node;
  if (seen.has(node.$ref)) fail(`${at}: recursive $ref ${node.$ref} cannot be inlined`);
  const name = /^#\/definitions\/([^/]+)$/.exec(node.$ref)?.[1];
  const target = name === undefined ? undefined : root.definitions?.[name];
  if (target === undefined) fail(`${at}: unresolvable $ref ${node.$ref}`);
  const { $ref: _ref, ...siblings } = node;
  return deref({ ...target, ...siblings }, root, at, new Set([...seen, node.$ref]));
}

/** oneOf between typed branches: int-or-string for integer|string, else preserve-unknown-fields. */
function convertTypedOneOf(node, root, at, seen) {
  const { oneOf, ...rest } = node;
  if (Object.keys(rest).some((k) => k !== 'description')) fail(`${at}: keywords next to a typed oneOf are not converted`);
  const resolved = oneOf.map((b, i) => deref(b, root, `${at}.oneOf[${i}]`, seen));
  const types = resolved.map((b) => b.type ?? (b.properties ? 'object' : 'unknown')).sort();
  const description = rest.description ?? resolved.find((b) => b.description)?.description;
  if (types.join('|') === 'integer|string') {
    const merged = {};
    for (const [i, b] of resolved.entries()) {
      const converted = convert(b, root, `${at}.oneOf[${i}]`, seen);
      const allowed = converted.type === 'integer' ? INT_KEYWORDS : STRING_KEYWORDS;
      for (const [k, v] of Object.entries(converted)) {
        if (k === 'description') continue;
        if (!allowed.has(k)) fail(`${at}: int-or-string branch keyword ${k} does not apply to its type alone`);
        if (k !== 'type') merged[k] = v;
      }
    }
    return { ...(description ? { description } : {}), 'x-kubernetes-int-or-string': true, ...merged };
  }
  // Not converted further: what the branches say is the webhook's to check, with the JSON Schema.
  if (types.includes('string') && types.includes('object')) {
    const says = `${description ? `${description} ` : ''}Either a string or an object: the apiserver keeps it as given and startorder's validating webhook checks it against the StartOrder JSON Schema.`;
    return { description: says, 'x-kubernetes-preserve-unknown-fields': true };
  }
  fail(`${at}: oneOf of ${types.join(', ')} has no structural form chosen in scripts/crd.mjs`);
}

function requiredOnly(branch, at) {
  if (Object.keys(branch).some((k) => k !== 'required')) fail(`${at}: a oneOf/anyOf/allOf/not branch may only say required (value validation)`);
  return branch;
}

function mapValues(obj, fn) {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v, k)]));
}

/** The CRD object for a StartOrder JSON Schema. */
export function buildCrd(schema) {
  const { apiVersion, kind } = schema.properties ?? {};
  if (apiVersion?.const !== `${GROUP}/${VERSION}` || kind?.const !== KIND)
    fail(`the schema's apiVersion/kind constants do not name ${GROUP}/${VERSION} ${KIND}`);
  const spec = convert(schema.properties.spec, schema, 'spec');
  const selector = spec.properties?.selector;
  if (!selector) fail('spec has no selector');
  if (!selector.properties.matchExpressions) selector.properties.matchExpressions = MATCH_EXPRESSIONS;
  const openAPIV3Schema = {
    description: schema.description,
    type: 'object',
    required: ['spec'],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `startorders.${GROUP}`, labels: { 'app.kubernetes.io/name': 'startorder' } },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: `${KIND}List`, plural: 'startorders', singular: 'startorder', shortNames: ['sorder'] },
      scope: 'Namespaced',
      versions: [{ name: VERSION, served: true, storage: true, schema: { openAPIV3Schema } }],
    },
  };
}

/** The CRD as YAML, with the header that says where it comes from. */
export function renderCrd(schema) {
  const header =
    '# Generated by scripts/crd.mjs from schemas/startorder.schema.json. Do not edit: change the schema, then run\n# `node scripts/crd.mjs` (deploy/crd.yaml and deploy/chart/startorder/crds/crd.yaml are the same file).\n';
  // lineWidth 0: descriptions stay on one line each, so a schema change is a one-line diff.
  return header + stringify(buildCrd(schema), { lineWidth: 0 });
}

function main(argv) {
  const at = argv.indexOf('--schema');
  const unknown = argv.filter((a, i) => !['--check', '--stdout', '--schema'].includes(a) && (at === -1 || i !== at + 1));
  if (unknown.length || (at !== -1 && at + 1 >= argv.length)) fail(`usage: crd.mjs [--check] [--schema FILE] [--stdout] (at ${unknown[0] ?? '--schema'})`);
  const check = argv.includes('--check');
  const schemaFile = at === -1 ? SCHEMA : resolve(argv[at + 1]);
  const text = renderCrd(JSON.parse(readFileSync(schemaFile, 'utf8')));
  if (argv.includes('--stdout')) return void process.stdout.write(text);
  const stale = [];
  for (const out of OUTPUTS) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === text) continue;
    if (check) stale.push(relative(REPO, out));
    else writeFileSync(out, text);
  }
  if (stale.length) fail(`${stale.join(', ')} out of date with schemas/startorder.schema.json: run \`node scripts/crd.mjs\``);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
