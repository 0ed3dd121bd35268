/**
 * The KRM Functions Specification side of startorder (kustomize exec functions, `kpt fn eval --exec`).
 *
 * In: a ResourceList (`items`, optional `functionConfig`). Out: the whole ResourceList with `results`,
 * even when there are errors. Items are handed to the pipeline as they came: documents startorder does
 * not change keep their bytes, changed ones keep every annotation the orchestrator put on them
 * (`internal.config.kubernetes.io/*`, `config.kubernetes.io/*`, `config.k8s.io/id`,
 * `kustomize.config.k8s.io/id`), because only the pod template is rewritten.
 */
import { isMap, isNode, isScalar, isSeq, parseDocument, Document, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { PARSE_OPTIONS } from './load/parse.js';
import { isStartOrder, KUBERNETES_VERSION, SPEC_API_VERSION } from './spec/collect.js';
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
export function specFromFunctionConfig(fc: unknown, file: string, rawAt: (path: (string | number)[]) => string | undefined = () => undefined): { specObjects: SpecObjects; diagnostics: Diagnostic[] } {
  if (fc === undefined || fc === null) return { specObjects: [], diagnostics: [] };
  if (isStartOrder(fc)) return { specObjects: [{ value: fc, file, document: 0, path: ['functionConfig'] }], diagnostics: [] };
  if (isObj(fc) && fc.kind === 'StartOrder') {
    const has = fc.apiVersion !== undefined;
    return {
      specObjects: [],
      diagnostics: [{ ...fcInvalid(file, [has ? 'apiVersion' : 'kind'], has ? `the functionConfig is a StartOrder of apiVersion ${JSON.stringify(fc.apiVersion)}; startorder reads ${SPEC_API_VERSION}` : `the functionConfig is a StartOrder without apiVersion; startorder reads ${SPEC_API_VERSION}`, `Set apiVersion: ${SPEC_API_VERSION}.`), code: 'spec-api-version' }],
    };
  }
  if (isObj(fc) && fc.kind === 'ConfigMap' && (fc.data === undefined || fc.data === null || isObj(fc.data))) {
    const data: Obj = isObj(fc.data) ? fc.data : {};
    const keys = Object.keys(data);
    // kpt's function-input with no key=value arguments: specs come from the items themselves.
    if (keys.length === 0) return { specObjects: [], diagnostics: [] };
    const unknown = keys.filter((k) => !(CONFIG_MAP_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      return { specObjects: [], diagnostics: unknown.map((k) => fcInvalid(file, ['data', k], `the functionConfig ConfigMap has an unknown key "${k}"; it takes ${CONFIG_MAP_KEYS.map((x) => `"${x}"`).join(', ')}`, 'Put the StartOrder spec as YAML in data.spec (kpt: `-- spec="$(cat order.yaml)"`).')) };
    }
    // ConfigMap data values are strings; YAML reads an unquoted 1.30 as the number 1.3 (and kpt's
    // `-- kubernetesVersion=1.30` arrives quoted, a hand-written ConfigMap often does not).
    const notString = keys.filter((k) => data[k] !== null && typeof data[k] !== 'string');
    if (notString.length > 0) {
      return {
        specObjects: [],
        diagnostics: notString.map((k) => {
          const raw = rawAt(['functionConfig', 'data', k]) ?? JSON.stringify(data[k]);
          return fcInvalid(file, ['data', k], `data.${k} is ${typeof data[k] === 'number' ? `the number ${String(data[k])} (YAML reads ${raw} as a number)` : `a ${Array.isArray(data[k]) ? 'list' : typeof data[k]}`}, not a string: ConfigMap data holds strings`, `Quote it: ${k}: ${JSON.stringify(raw)}.`);
        }),
      };
    }
    // Single fields are checked where they are written, not as part of the spec they go into.
    const fieldProblems: Diagnostic[] = [];
    if (typeof data.kubernetesVersion === 'string' && !KUBERNETES_VERSION.test(data.kubernetesVersion)) {
      fieldProblems.push(fcInvalid(file, ['data', 'kubernetesVersion'], `data.kubernetesVersion ${JSON.stringify(data.kubernetesVersion)} is not a Kubernetes version: MAJOR.MINOR or MAJOR.MINOR.PATCH, optionally with a leading v`, 'Write it like "1.33".'));
    }
    if (typeof data.mode === 'string' && !['auto', 'wrapper', 'native'].includes(data.mode)) {
      fieldProblems.push(fcInvalid(file, ['data', 'mode'], `data.mode ${JSON.stringify(data.mode)} is not one of "auto", "wrapper", "native"`, 'Use mode auto, wrapper or native.'));
    }
    if (fieldProblems.length > 0) return { specObjects: [], diagnostics: fieldProblems };
    if (typeof data.spec !== 'string') {
      return { specObjects: [], diagnostics: [fcInvalid(file, ['data', 'spec'], 'the functionConfig ConfigMap has no data.spec (the StartOrder spec as YAML)', 'Add data.spec, or use a StartOrder as the functionConfig.')] };
    }
    const doc = parseDocument(data.spec, PARSE_OPTIONS);
    if (doc.errors.length > 0) {
      return { specObjects: [], diagnostics: [fcInvalid(file, ['data', 'spec'], `data.spec is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the YAML in data.spec.')] };
    }
    const parsed = doc.toJS() as unknown;
    if (isObj(parsed) && parsed.kind === 'StartOrder' && !isStartOrder(parsed as unknown)) {
      const p = parsed as Obj;
      return { specObjects: [], diagnostics: [{ ...fcInvalid(file, ['data', 'spec'], `data.spec holds a StartOrder ${p.apiVersion === undefined ? 'without apiVersion' : `of apiVersion ${JSON.stringify(p.apiVersion)}`}; startorder reads ${SPEC_API_VERSION}`, `Set apiVersion: ${SPEC_API_VERSION} in data.spec, or give only the spec: part.`), code: 'spec-api-version' }] };
    }
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
  return placedResults(diags, items, functionConfig).map((p) => p.result);
}

/** A result, and where in the ResourceList its object starts (`base`) and its field is (`place`). */
export interface PlacedResult {
  result: Obj;
  base?: (string | number)[];
  place?: (string | number)[];
}

export function placedResults(diags: readonly Diagnostic[], items: readonly unknown[], functionConfig: unknown): PlacedResult[] {
  const fc = isObj(functionConfig) ? functionConfig : undefined;
  const viaConfigMap = fc?.kind === 'ConfigMap';
  return diags.map((d) => {
    let base: (string | number)[] | undefined;
    let place: (string | number)[] | undefined;
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
      base = path.slice(0, 2);
      place = path;
      path = path.slice(2);
      if (path.length > 0) field = fieldPath(path);
    } else if (fc && (path[0] === 'functionConfig' || path[0] === 'spec' || (d.code === 'spec-selects-nothing' && path.length === 0))) {
      // Validation paths start with functionConfig; plan paths are relative to the StartOrder value.
      if (path[0] === 'functionConfig') path = path.slice(1);
      else if (viaConfigMap) path = ['data', 'spec', ...path];
      r.resourceRef = refOf(fc);
      const file = fileOf(fc);
      if (file) r.file = file;
      base = ['functionConfig'];
      place = ['functionConfig', ...(viaConfigMap && path[0] === 'data' && path[1] === 'spec' ? path.slice(0, 2) : path)];
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
      const index = d.resource ? items.findIndex((i) => isObj(i) && sameRef(refOf(i), d.resource!)) : -1;
      const item = items[index];
      if (isObj(item)) {
        const file = fileOf(item);
        if (file) r.file = file;
        const at = specAnnotationPath(item);
        base = ['items', index];
        if (field === undefined && at) {
          field = fieldPath(at);
          place = ['items', index, ...at];
        }
      }
    }
    // A field means nothing without the resource it is in: then the place goes into the message.
    if (field !== undefined && !r.resourceRef) {
      r.message = `${field}: ${String(r.message)}`;
      field = undefined;
    }
    if (field !== undefined) r.field = { path: field };
    if (d.code) r.tags = { code: d.code, ...(d.workload ? { workload: d.workload } : {}), ...(d.container ? { container: d.container } : {}) };
    return { result: r, ...(base ? { base } : {}), ...(place ? { place } : {}) };
  });
}

const refText = (ref: Obj): string => `${String(ref.kind)}/${ref.namespace ? `${String(ref.namespace)}/` : ''}${String(ref.name)}`;

/**
 * The results as one line each, for stderr, where kustomize users read them (kustomize shows a
 * function's stderr, not its results): the user's file from the path annotation (or the object
 * when the orchestrator sent none), the object, the field and the line inside the object.
 */
export function resultLines(diags: readonly Diagnostic[], placed: readonly PlacedResult[], lineOf: (path: (string | number)[]) => number | undefined): string[] {
  return placed.map(({ result: r, base, place }, i) => {
    const d = diags[i];
    const ref = isObj(r.resourceRef) ? r.resourceRef : undefined;
    const file = isObj(r.file) && typeof r.file.path === 'string' ? r.file : undefined;
    const field = isObj(r.field) && typeof r.field.path === 'string' ? r.field.path : undefined;
    // The line inside the object: of the diagnostic when it is inside it, else of the field.
    let inside: number | undefined;
    const start = base ? lineOf(base) : undefined;
    if (start !== undefined) {
      const within = d?.path !== undefined && base!.every((k, j) => d.path![j] === k);
      const line = within && d?.line !== undefined ? d.line : place ? lineOf(place) : undefined;
      if (line !== undefined && line >= start) inside = line - start + 1;
    }
    const where = file ? `${String(file.path)}${typeof file.index === 'number' && file.index > 0 ? ` (document ${file.index + 1})` : ''}` : ref ? refText(ref) : 'startorder';
    const subject = [file && ref ? refText(ref) : undefined, field, inside !== undefined ? `(line ${inside} of the object)` : undefined].filter(Boolean).join(' ');
    const code = isObj(r.tags) && typeof r.tags.code === 'string' ? `[${r.tags.code}]` : '';
    return `${where}: ${String(r.severity)}${code}: ${subject ? `${subject}: ` : ''}${String(r.message).replace(/\s*\n\s*/g, ' ')}`;
  });
}

/**
 * kpt prints a function's results and then its stderr: there the lines would say everything twice.
 * kpt is recognised by what only it sends: its "function-input" ConfigMap, which (unlike the one
 * `kustomize fn run` makes, whose stderr is all its user sees) carries no config.kubernetes.io/function
 * annotation, or a Kptfile among the items. STARTORDER_KRM_STDERR=lines|none decides when set.
 */
export function callerShowsResults(list: Obj, env: Record<string, string | undefined>): boolean {
  if (env.STARTORDER_KRM_STDERR === 'lines') return false;
  if (env.STARTORDER_KRM_STDERR === 'none') return true;
  const fc = list.functionConfig;
  const meta = isObj(fc) && isObj(fc.metadata) ? fc.metadata : undefined;
  const declared = isObj(meta?.annotations) && meta.annotations['config.kubernetes.io/function'] !== undefined;
  if (isObj(fc) && fc.kind === 'ConfigMap' && meta?.name === KPT_FUNCTION_INPUT && !declared) return true;
  const items = Array.isArray(list.items) ? list.items : [];
  return items.some((i) => isObj(i) && i.kind === 'Kptfile' && typeof i.apiVersion === 'string' && i.apiVersion.startsWith('kpt.dev/'));
}

/**
 * What a function run would otherwise pass over in silence: StartOrder items (a function reads its
 * spec from functionConfig), and a run with no spec at all.
 */
export function functionNotes(list: Obj, file: string, specFound: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const items = Array.isArray(list.items) ? list.items : [];
  const fc = isObj(list.functionConfig) ? list.functionConfig : undefined;
  const fcRef = fc ? refOf(fc) : undefined;
  items.forEach((item, i) => {
    if (!isObj(item) || item.kind !== 'StartOrder') return;
    const ref = refOf(item);
    if (fcRef && ref.kind === fcRef.kind && ref.name === fcRef.name && ref.namespace === fcRef.namespace) return; // the functionConfig itself, sent as an item too
    out.push({
      code: 'spec-item-ignored',
      severity: 'warning',
      file,
      document: 0,
      path: ['items', i],
      message: `this StartOrder is one of the items, which a function does not read as its spec${isStartOrder(item) ? '' : ` (and ${ref.apiVersion === undefined ? 'it has no apiVersion' : `its apiVersion ${JSON.stringify(ref.apiVersion)} is not ${SPEC_API_VERSION}`})`}`,
      hint: 'Give it as the functionConfig (kpt: --fn-config FILE; kustomize: list it under transformers:), and mark the file config.kubernetes.io/local-config: "true".',
    });
  });
  if (!specFound) {
    out.push({
      code: 'no-spec',
      severity: 'warning',
      file,
      document: 0,
      ...(fc ? { path: ['functionConfig'] } : {}),
      message: 'no StartOrder spec: neither the functionConfig, -c, nor a startorder.dev/spec pod template annotation gives one, so nothing was changed',
      hint: 'Give the spec as the functionConfig (a StartOrder, or a ConfigMap with data.spec), or annotate the pod templates with startorder.dev/spec.',
    });
  }
  return out;
}

/** The flags that mean nothing in function mode, refused with a result each (the rest are honoured). */
export function refusedFlags(given: Record<string, boolean>): Diagnostic[] {
  const why: Record<string, string> = {
    output: 'the ResourceList comes back in the format it came in',
    write: 'a function answers on stdout; the orchestrator writes the files',
    'resolve-images': 'a function does not reach registries; resolve images before (startorder --resolve-images on the files) and put them in the spec\'s images table',
    locked: 'a function does not read a lock file; put the images in the spec\'s images table',
    'lock-file': 'a function does not read a lock file; put the images in the spec\'s images table',
    platform: 'a function does not resolve images',
    'insecure-registry': 'a function does not reach registries',
  };
  return Object.entries(why)
    .filter(([flag]) => given[flag])
    .map(([flag, reason]) => ({ code: 'flag-unsupported' as const, severity: 'error' as const, message: `--${flag} is not taken in function mode (a ResourceList on stdin): ${reason}`, hint: `Remove --${flag} from the function's command line.` }));
}

interface Edit {
  at: number;
  /** Characters removed at `at`. */
  remove: number;
  text: string;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** A block sequence of `values` as YAML, every line indented by `indent` spaces. */
function blockItems(values: readonly Obj[], indent: number, indentSeq = true): string {
  const body = new Document(values, { version: '1.2' }).toString({ lineWidth: 0, indentSeq });
  return body.replace(/^(?=.)/gm, ' '.repeat(indent));
}

/** `"key": [..]` text for a flow (JSON) mapping, in the indentation of its other keys when one can be seen. */
function flowEntry(text: string, root: YAMLMap, key: string, value: readonly Obj[]): string {
  const first = root.items[0];
  const at = isNode(first?.key) ? first.key.range?.[0] : undefined;
  const multiline = at !== undefined && text.slice(root.range![0], at).includes('\n');
  const indent = multiline ? at! - lineStart(text, at!) : 0;
  const json = JSON.stringify(value, null, multiline ? 2 : undefined).replace(/\n/g, `\n${' '.repeat(indent)}`);
  return `${JSON.stringify(key)}: ${json}`;
}

/**
 * Adds `results` to the ResourceList by editing its text, so every byte that was there stays as it
 * was (items, comments, large numbers): new results go after those an earlier function left, in the
 * style of the list (block YAML, or flow/JSON). With `ensureItems`, a list without `items` gets
 * `items: []`. Text that cannot be read as a mapping comes back unchanged.
 */
export function withResults(text: string, results: readonly Obj[], ensureItems = false): string {
  if (results.length === 0 && !ensureItems) return text;
  const doc = parseDocument(text, PARSE_OPTIONS);
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root) || !root.range) return text;
  const pairOf = (key: string): Pair | undefined => root.items.find((p) => isScalar(p.key) && p.key.value === key);
  const edits: Edit[] = [];
  const addKey = (key: string, value: readonly Obj[]) => {
    if (root.flow) {
      const close = text.lastIndexOf('}', root.range![1]);
      let before = close;
      while (before > 0 && /\s/.test(text[before - 1]!)) before--;
      const multiline = text.slice(before, close).includes('\n');
      const entry = flowEntry(text, root, key, value);
      const sep = root.items.length > 0 ? ',' : '';
      edits.push({ at: before, remove: 0, text: multiline ? `${sep}\n${' '.repeat(indentOfKeys())}${entry}` : `${sep}${sep ? ' ' : ''}${entry}` });
      return;
    }
    let at = root.range![1];
    if (at > 0 && text[at - 1] !== '\n') at = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at) + 1;
    const indent = root.range![0] - lineStart(text, root.range![0]);
    const pre = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    // Nested sequences in the list's own style: `- ` under the key (kyaml's) or indented by two.
    const items = pairOf('items');
    const seqOfItems = items && isSeq(items.value) && !items.value.flow ? items.value : undefined;
    const compact = seqOfItems?.range && isNode(items!.key) && items!.key.range ? seqOfItems.range[0] - lineStart(text, seqOfItems.range[0]) === items!.key.range[0] - lineStart(text, items!.key.range[0]) : false;
    const body = value.length === 0 ? `${key}: []\n` : `${key}:\n${compact ? blockItems(value, 0, false) : blockItems(value, 2, false)}`;
    edits.push({ at, remove: 0, text: pre + body.replace(/^(?=.)/gm, ' '.repeat(indent)) });
  };
  const indentOfKeys = () => {
    const k = root.items[0]?.key;
    const at = isNode(k) ? k.range?.[0] : undefined;
    return at === undefined ? 2 : at - lineStart(text, at);
  };
  if (results.length > 0) {
    const existing = pairOf('results');
    const seq = existing?.value;
    if (existing && isSeq(seq) && seq.range) {
      if (seq.flow) {
        const json = results.map((r) => JSON.stringify(r)).join(', ');
        const last = seq.items[seq.items.length - 1];
        const end = isNode(last) && last.range ? last.range[1] : undefined;
        if (end !== undefined) edits.push({ at: end, remove: 0, text: `, ${json}` });
        else edits.push({ at: text.lastIndexOf(']', seq.range[1]), remove: 0, text: json });
      } else {
        const at = seq.range[1];
        const indent = seq.range[0] - lineStart(text, seq.range[0]);
        edits.push({ at, remove: 0, text: (text[at - 1] === '\n' ? '' : '\n') + blockItems(results, indent) });
      }
    } else if (existing && isScalar(seq) && seq.value === null && seq.range) {
      // `results:` or `results: null`: the value becomes the list.
      const json = `[${results.map((r) => JSON.stringify(r)).join(', ')}]`;
      const keyEnd = isNode(existing.key) && existing.key.range ? existing.key.range[1] : seq.range[0];
      const at = text.indexOf(':', keyEnd) + 1;
      const eol = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
      edits.push({ at, remove: Math.max(0, Math.min(seq.range[1], eol) - at), text: ` ${json}` });
    } else if (existing) {
      // Not a list: an earlier function wrote something else. Ours go in its place, as the spec wants a list.
      const v = existing.value;
      if (isNode(v) && v.range) edits.push({ at: v.range[0], remove: v.range[1] - v.range[0], text: `[${results.map((r) => JSON.stringify(r)).join(', ')}]` });
    } else addKey('results', results);
  }
  if (ensureItems && !pairOf('items')) addKey('items', []);
  let out = text;
  // From the end, so offsets stay valid; of two edits at one place, the later one goes after.
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.at - a.e.at || b.i - a.i);
  for (const { e } of order) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.remove);
  return out;
}
