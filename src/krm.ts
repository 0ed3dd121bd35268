/**
 * The KRM Functions Specification side of startorder (kustomize exec functions, `kpt fn eval --exec`).
 *
 * In: a ResourceList (`items`, optional `functionConfig`). Out: the whole ResourceList with `results`,
 * even when there are errors. Items are handed to the pipeline as they came: documents startorder does
 * not change keep their bytes, changed ones keep every annotation the orchestrator put on them
 * (`internal.config.kubernetes.io/*`, `config.kubernetes.io/*`, `config.k8s.io/id`,
 * `kustomize.config.k8s.io/id`), because only the pod template is rewritten.
 */
import { isMap, parseDocument, Document } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { restoreLines } from './emit/restore.js';
import { PARSE_OPTIONS } from './load/parse.js';
import { isStartOrder } from './spec/collect.js';
import { isObj, type Obj } from './types.js';
import type { Options } from './pipeline.js';

/** kpt sends this ConfigMap when the function is invoked without a functionConfig of its own. */
export const KPT_FUNCTION_INPUT = 'function-input';

/**
 * ConfigMap keys (kpt turns `kpt fn eval --exec startorder -- key=value` into `data.key: value`):
 * `spec` holds the spec as YAML (the `spec` of a StartOrder, or a whole StartOrder document); the
 * others are single spec fields that override what `spec` says.
 */
export const CONFIG_MAP_KEYS = ['spec', 'mode', 'kubernetesVersion', 'runtimeImage'] as const;

export function isResourceList(v: unknown): v is Obj {
  return isObj(v) && v.kind === 'ResourceList' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('config.kubernetes.io/');
}

type SpecObjects = NonNullable<Options['specObjects']>;

function fcInvalid(file: string, path: (string | number)[], message: string, hint: string): Diagnostic {
  return { code: 'function-config-invalid', severity: 'error', file, document: 0, path: ['functionConfig', ...path], message, hint };
}

/** The spec carried by a functionConfig: a StartOrder, or a ConfigMap whose data.spec holds one. */
export function specFromFunctionConfig(fc: unknown, file: string): { specObjects: SpecObjects; diagnostics: Diagnostic[] } {
  if (fc === undefined || fc === null) return { specObjects: [], diagnostics: [] };
  if (isStartOrder(fc)) return { specObjects: [{ value: fc, file, document: 0, path: ['functionConfig'] }], diagnostics: [] };
  if (isObj(fc) && fc.kind === 'ConfigMap' && (fc.data === undefined || fc.data === null || isObj(fc.data))) {
    const data: Obj = isObj(fc.data) ? fc.data : {};
    const keys = Object.keys(data);
    // kpt's function-input with no key=value arguments: specs come from the items themselves.
    if (keys.length === 0) return { specObjects: [], diagnostics: [] };
    const unknown = keys.filter((k) => !(CONFIG_MAP_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      return { specObjects: [], diagnostics: unknown.map((k) => fcInvalid(file, ['data', k], `the functionConfig ConfigMap has an unknown key "${k}"; it takes ${CONFIG_MAP_KEYS.map((x) => `"${x}"`).join(', ')}`, 'Put the StartOrder spec as YAML in data.spec (kpt: `-- spec="$(cat order.yaml)"`).')) };
    }
    if (typeof data.spec !== 'string') {
      return { specObjects: [], diagnostics: [fcInvalid(file, ['data', 'spec'], 'the functionConfig ConfigMap has no data.spec (the StartOrder spec as YAML)', 'Add data.spec, or use a StartOrder as the functionConfig.')] };
    }
    const doc = parseDocument(data.spec, PARSE_OPTIONS);
    if (doc.errors.length > 0) {
      return { specObjects: [], diagnostics: [fcInvalid(file, ['data', 'spec'], `data.spec is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the YAML in data.spec.')] };
    }
    const parsed = doc.toJS() as unknown;
    const whole = isStartOrder(parsed);
    const spec: Obj = whole ? (isObj(parsed.spec) ? { ...parsed.spec } : {}) : isObj(parsed) ? { ...parsed } : {};
    if (!whole && !isObj(parsed)) {
      return { specObjects: [], diagnostics: [fcInvalid(file, ['data', 'spec'], `data.spec must be a YAML mapping (a StartOrder spec); got ${parsed === null ? 'nothing' : typeof parsed}`, 'Put the StartOrder spec as YAML in data.spec.')] };
    }
    if (typeof data.mode === 'string') spec.mode = data.mode;
    if (typeof data.kubernetesVersion === 'string') spec.kubernetesVersion = data.kubernetesVersion;
    if (typeof data.runtimeImage === 'string') spec.runtime = { ...(isObj(spec.runtime) ? spec.runtime : {}), image: data.runtimeImage };
    const fcName = isObj(fc.metadata) && typeof fc.metadata.name === 'string' ? fc.metadata.name : KPT_FUNCTION_INPUT;
    const name = whole && isObj(parsed.metadata) && typeof parsed.metadata.name === 'string' ? parsed.metadata.name : fcName;
    const value: Obj = { apiVersion: whole ? String(parsed.apiVersion) : 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name }, spec };
    return { specObjects: [{ value, file, document: 0, path: ['functionConfig', 'data', 'spec'] }], diagnostics: [] };
  }
  return {
    specObjects: [],
    diagnostics: [fcInvalid(file, [], `functionConfig must be a StartOrder (apiVersion startorder.dev/v1alpha1), or a ConfigMap with the spec as YAML in data.spec; got ${isObj(fc) ? `${String(fc.apiVersion)}/${String(fc.kind)}` : typeof fc}`, 'Point the function at a StartOrder resource as its functionConfig.')],
  };
}

function refOf(o: Obj): Obj {
  const meta = isObj(o.metadata) ? o.metadata : {};
  return { apiVersion: o.apiVersion, kind: o.kind, name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}) };
}

/** `file` of a result: where kustomize/kpt read the resource from (both forms of the annotations). */
function fileOf(o: Obj): Obj | undefined {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const ann = isObj(meta.annotations) ? meta.annotations : {};
  const file = ann['internal.config.kubernetes.io/path'] ?? ann['config.kubernetes.io/path'];
  const index = ann['internal.config.kubernetes.io/index'] ?? ann['config.kubernetes.io/index'];
  if (typeof file !== 'string') return undefined;
  return { path: file, ...(index !== undefined && !Number.isNaN(Number(index)) ? { index: Number(index) } : {}) };
}

function sameRef(a: Obj, b: NonNullable<Diagnostic['resource']>): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && (a.namespace ?? undefined) === (b.namespace ?? undefined);
}

const SPEC_ANNOTATION = 'startorder.dev/spec';

/** Where the pod template's startorder.dev/spec annotation is in an item, if it has one. */
function specAnnotationPath(item: Obj): (string | number)[] | undefined {
  const candidates: (string | number)[][] = [['spec', 'template'], ['spec', 'jobTemplate', 'spec', 'template'], []];
  for (const base of candidates) {
    let cur: unknown = item;
    for (const k of [...base, 'metadata', 'annotations']) cur = isObj(cur) ? cur[k as string] : undefined;
    if (isObj(cur) && typeof cur[SPEC_ANNOTATION] === 'string') return [...base, 'metadata', 'annotations', SPEC_ANNOTATION];
  }
  return undefined;
}

/** A field path as kpt prints them: `a.b[0].c`, keys that contain dots or slashes quoted in brackets. */
function fieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/[./[\]]/.test(p)) out += `[${JSON.stringify(p)}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/**
 * KRM results: severity, message, resourceRef, field, file — one per diagnostic.
 * A diagnostic inside `items[N]` is about that item; one inside the spec (the functionConfig, whether
 * its validation or a plan error such as an unknown container) is about the functionConfig, with
 * the workload it concerns named in the message and in tags.
 */
export function toResults(diags: readonly Diagnostic[], items: readonly unknown[], functionConfig: unknown): Obj[] {
  const fc = isObj(functionConfig) ? functionConfig : undefined;
  const viaConfigMap = fc?.kind === 'ConfigMap';
  return diags.map((d) => {
    let message = d.hint ? `${d.message}. Fix: ${d.hint}` : d.message;
    const r: Obj = { message, severity: d.severity };
    let path = d.path ?? [];
    let field: string | undefined;
    if (path[0] === 'items' && typeof path[1] === 'number') {
      const item = items[path[1]];
      if (isObj(item)) {
        r.resourceRef = refOf(item);
        const file = fileOf(item);
        if (file) r.file = file;
      } else if (d.resource) r.resourceRef = d.resource;
      path = path.slice(2);
      if (path.length > 0) field = fieldPath(path);
    } else if (fc && (path[0] === 'functionConfig' || path[0] === 'spec' || (d.code === 'spec-selects-nothing' && path.length === 0))) {
      // Validation paths start with functionConfig; plan paths are relative to the StartOrder value.
      if (path[0] === 'functionConfig') path = path.slice(1);
      else if (viaConfigMap) path = ['data', 'spec', ...path];
      r.resourceRef = refOf(fc);
      const file = fileOf(fc);
      if (file) r.file = file;
      if (viaConfigMap && path[0] === 'data' && path[1] === 'spec') {
        // The spec is YAML inside a string: the field is data.spec, the place inside it goes in the message.
        const inner = path.slice(2);
        if (inner[0] === 'spec') inner.shift();
        field = 'data.spec';
        if (inner.length > 0) message = `data.spec ${fieldPath(inner)}: ${message}`;
      } else if (path.length > 0) field = fieldPath(path);
      if (d.workload && !message.includes(d.workload)) message = `${d.workload}: ${message}`;
      r.message = message;
    } else {
      if (d.resource) r.resourceRef = d.resource;
      if (path.length > 0) field = fieldPath(path);
      // A plan error without a path (a spec from the pod template annotation): find the item by its
      // resourceRef, for the file, and point at the annotation that holds the spec.
      const item = d.resource ? items.find((i) => isObj(i) && sameRef(refOf(i), d.resource!)) : undefined;
      if (isObj(item)) {
        const file = fileOf(item);
        if (file) r.file = file;
        const at = specAnnotationPath(item);
        if (field === undefined && at) field = fieldPath(at);
      }
    }
    if (field !== undefined) r.field = { path: field };
    if (d.code) r.tags = { code: d.code, ...(d.workload ? { workload: d.workload } : {}), ...(d.container ? { container: d.container } : {}) };
    return r;
  });
}

/**
 * Adds (or replaces) `results` on the ResourceList text, keeping the rest of its bytes: new results
 * are appended after the last line; JSON in gives JSON out.
 */
export function withResults(text: string, results: readonly Obj[]): string {
  if (/^\s*\{/.test(text)) {
    try {
      const list = JSON.parse(text) as Obj;
      if (results.length === 0 && !('results' in list)) return text;
      if (results.length === 0) delete list.results;
      else list.results = results;
      return `${JSON.stringify(list, null, 2)}\n`;
    } catch {
      // not JSON after all (a YAML flow mapping): handled below
    }
  }
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (results.length === 0 && !doc.has('results')) return text;
  const blockMap = doc.errors.length === 0 && isMap(doc.contents) && !doc.contents.flow;
  if (results.length > 0 && blockMap && !doc.has('results') && !/^(\.\.\.|---)\s*$/m.test(text.replace(/^---\s*\n/, ''))) {
    const tail = new Document({ results }, { version: '1.2' }).toString({ lineWidth: 0 });
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${tail}`;
  }
  if (results.length === 0) doc.delete('results');
  else doc.set('results', doc.createNode(results));
  return restoreLines(text, doc.toString({ lineWidth: 0 }));
}
