#!/usr/bin/env node
// Generates schemas/k8s/podspec-v1.34.json — a draft-07 JSON Schema for
// io.k8s.api.core.v1.PodSpec — from the upstream Kubernetes OpenAPI v2
// document (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go module).
//
//   node scripts/gen-k8s-schema.mjs                  # fetch via `go mod download`
//   node scripts/gen-k8s-schema.mjs --swagger PATH   # use a local swagger.json
//   node scripts/gen-k8s-schema.mjs --out FILE       # write somewhere else
//
// The output is deterministic: same swagger.json in, same bytes out.
// Never edit the generated file by hand; re-run this script instead.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const K8S_VERSION = 'v1.34.1';
const MODULE = 'k8s.io/kubernetes';
const SWAGGER_PATH_IN_MODULE = 'api/openapi-spec/swagger.json';
// sha256 of api/openapi-spec/swagger.json in k8s.io/kubernetes@v1.34.1
// (module zip verified by the Go checksum database on download).
const PINNED_SWAGGER_SHA256 = 'd3b0cdc2fda15c753206d25ab459dc7c12df64e2fd652b6809687471ea751c37';
const ROOT_DEFINITION = 'io.k8s.api.core.v1.PodSpec';
const REF_PREFIX = '#/definitions/';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(repoRoot, 'schemas', 'k8s', 'podspec-v1.34.json');

// Definitions whose upstream schema is a lie for JSON validation purposes:
// both are custom-marshalled Go types.
const OVERRIDES = {
  // {"type":"string","format":"int-or-string"} upstream; JSON carries either.
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: ['string', 'integer'] },
  // {"type":"string"} upstream; the API server also accepts JSON numbers.
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'] },
};

// ajv 8 core knows no formats (they live in ajv-formats); everything the
// Kubernetes document uses (int32, int64, date-time, byte, int-or-string...)
// is therefore dropped. Listed here so a new one is a conscious decision.
const KEPT_FORMATS = new Set();

// Schema keywords that are copied (after conversion) into the output.
const KEPT_KEYWORDS = new Set(['type', 'properties', 'required', 'items', 'additionalProperties', '$ref', 'enum', 'format']);
// Keywords that are dropped on purpose. Anything else makes the script fail,
// so an upstream change cannot silently weaken or break the schema.
const DROPPED_KEYWORDS = new Set(['description']);

function parseArgs(argv) {
  const args = { swagger: undefined, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const takeValue = (name) => {
      const eq = a.indexOf('=');
      if (eq !== -1) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    if (a === '--swagger' || a.startsWith('--swagger=')) args.swagger = takeValue('--swagger');
    else if (a === '--out' || a.startsWith('--out=')) args.out = takeValue('--out');
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: gen-k8s-schema.mjs [--swagger PATH] [--out FILE]\n');
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  return args;
}

function fail(message) {
  process.stderr.write(`gen-k8s-schema: ${message}\n`);
  process.exit(1);
}

function findGo() {
  if (process.env.GO) return process.env.GO;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return 'go';
  } catch {
    const fallback = '/usr/local/go/bin/go';
    if (existsSync(fallback)) return fallback;
    fail('cannot find the go tool (set $GO or put go on PATH), or pass --swagger PATH');
  }
}

function downloadSwagger() {
  const go = findGo();
  process.stderr.write(`gen-k8s-schema: go mod download ${MODULE}@${K8S_VERSION} (may take a few minutes)\n`);
  let out;
  try {
    // Run outside any Go module so a go.mod in the working tree cannot interfere.
    out = execFileSync(go, ['mod', 'download', '-json', `${MODULE}@${K8S_VERSION}`], {
      cwd: tmpdir(),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (err) {
    // `go mod download -json` reports failures in the JSON "Error" field.
    const stdout = err && typeof err.stdout === 'string' ? err.stdout : '';
    let detail = String(err && err.message);
    try {
      detail = JSON.parse(stdout).Error ?? detail;
    } catch {
      // not go's JSON error report: keep the message
    }
    fail(`go mod download failed: ${detail}`);
  }
  const info = JSON.parse(out);
  if (info.Error) fail(`go mod download failed: ${info.Error}`);
  if (!info.Dir) fail('go mod download printed no "Dir"');
  return join(info.Dir, SWAGGER_PATH_IN_MODULE);
}

function convert(schema, where, refs) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new Error(`${where}: expected a schema object`);
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key)) continue;
    if (!KEPT_KEYWORDS.has(key)) throw new Error(`${where}: unsupported keyword "${key}" (update gen-k8s-schema.mjs)`);
    switch (key) {
      case '$ref': {
        if (typeof value !== 'string' || !value.startsWith(REF_PREFIX)) throw new Error(`${where}: unsupported $ref ${value}`);
        const target = value.slice(REF_PREFIX.length);
        refs.push(target);
        out.$ref = REF_PREFIX + target;
        break;
      }
      case 'properties': {
        const props = {};
        for (const name of Object.keys(value).sort()) props[name] = convert(value[name], `${where}.${name}`, refs);
        out.properties = props;
        break;
      }
      case 'items':
        out.items = convert(value, `${where}[]`, refs);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : convert(value, `${where}{}`, refs);
        break;
      case 'format':
        if (KEPT_FORMATS.has(value)) out.format = value;
        break;
      case 'required':
      case 'enum':
        out[key] = [...value];
        break;
      default: // type
        out[key] = value;
    }
  }
  // A $ref with siblings is ambiguous in draft-07 (siblings are ignored);
  // upstream only puts description next to $ref, so nothing may remain.
  if (out.$ref !== undefined && Object.keys(out).length > 1) {
    throw new Error(`${where}: $ref with sibling keywords ${Object.keys(out).join(', ')}`);
  }
  if (out.properties !== undefined) {
    if (out.additionalProperties !== undefined) throw new Error(`${where}: both properties and additionalProperties`);
    out.additionalProperties = false; // catch typos such as "comand"
    const required = new Set(out.required ?? []);
    for (const name of Object.keys(out.properties)) if (!required.has(name)) out.properties[name] = nullable(out.properties[name], `${where}.${name}`);
  }
  return out;
}

// In the Kubernetes API a null optional field means "absent" (the apiserver decodes it to the zero
// value and accepts it: `podAffinity:` with nothing after it, as charts render it). A required one
// stays non-null: the apiserver rejects it as a missing value.
function nullable(schema, where) {
  if (schema.$ref !== undefined) return { anyOf: [{ type: 'null' }, schema] };
  if (schema.type === undefined) throw new Error(`${where}: a property without type or $ref`);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out = { ...schema, type: [...types, 'null'] };
  if (schema.enum !== undefined) out.enum = [...schema.enum, null];
  return out;
}

// Key-sorted JSON with one-space indentation. Arrays keep their order.
function stableStringify(value) {
  const sortKeys = (v) => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const o = {};
      for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
      return o;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value), null, 1) + '\n';
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const swaggerPath = args.swagger ? resolve(args.swagger) : downloadSwagger();
  const bytes = readFileSync(swaggerPath);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== PINNED_SWAGGER_SHA256) {
    fail(`${swaggerPath} has sha256 ${sha256}, expected ${PINNED_SWAGGER_SHA256} (${MODULE}@${K8S_VERSION} ${SWAGGER_PATH_IN_MODULE})`);
  }
  const swagger = JSON.parse(bytes.toString('utf8'));
  if (swagger.swagger !== '2.0' || typeof swagger.definitions !== 'object') fail(`${swaggerPath} is not an OpenAPI v2 document`);

  const definitions = {};
  const queue = [ROOT_DEFINITION];
  while (queue.length > 0) {
    const name = queue.shift();
    if (Object.hasOwn(definitions, name)) continue;
    const source = swagger.definitions[name];
    if (source === undefined) throw new Error(`missing definition ${name}`);
    const refs = [];
    definitions[name] = Object.hasOwn(OVERRIDES, name) ? structuredClone(OVERRIDES[name]) : convert(source, name, refs);
    queue.push(...refs);
  }

  const sorted = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name];
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment:
      `GENERATED by scripts/gen-k8s-schema.mjs - do not edit. Kubernetes ${K8S_VERSION}: ` +
      `${ROOT_DEFINITION} and the definitions it references, from Go module ${MODULE}@${K8S_VERSION} ` +
      `file ${SWAGGER_PATH_IN_MODULE} (sha256 ${sha256}). descriptions, formats and x-kubernetes-* extensions dropped; ` +
      `additionalProperties:false added to every object with properties; every optional property also accepts null; IntOrString = string|integer, Quantity = string|number.`,
    $ref: REF_PREFIX + ROOT_DEFINITION,
    definitions: sorted,
  };

  const text = stableStringify(schema);
  mkdirSync(dirname(resolve(args.out)), { recursive: true });
  writeFileSync(args.out, text);
  process.stderr.write(`gen-k8s-schema: wrote ${args.out} (${Object.keys(sorted).length} definitions, ${text.length} bytes)\n`);
}

main();
