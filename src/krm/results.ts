/**
 * KRM results from diagnostics: severity, message, resourceRef, field, file — placed on the item or
 * on the functionConfig they are about; and the same results as one line each, for stderr.
 */
import type { Diagnostic } from '../diagnostics.js';
import { getIn, isObj, SPEC_ANNOTATION, TEMPLATE_PATHS, workloadId, type Obj } from '../kube/index.js';

export function refOf(o: Obj): Obj {
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

/** Where the pod template's startorder.dev/spec annotation is in an item, if it has one. */
function specAnnotationPath(item: Obj): (string | number)[] | undefined {
  for (const base of TEMPLATE_PATHS) {
    const annotations = getIn(item, [...base, 'metadata', 'annotations']);
    if (isObj(annotations) && typeof annotations[SPEC_ANNOTATION] === 'string') return [...base, 'metadata', 'annotations', SPEC_ANNOTATION];
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

/** A result, and where in the ResourceList its object starts (`base`) and its field is (`place`). */
export interface PlacedResult {
  result: Obj;
  base?: (string | number)[];
  place?: (string | number)[];
}

type Path = (string | number)[];

/** Where a result goes: the object (`base`), the field (`place`, and `field` as kpt prints it), and its message. */
interface Placement {
  base?: Path;
  place?: Path;
  field?: string;
  message: string;
}

/** A diagnostic inside `items[N]`: about that item. */
function onItem(d: Diagnostic, r: Obj, items: readonly unknown[], path: Path, message: string): Placement {
  const item = items[path[1] as number];
  if (isObj(item)) {
    r.resourceRef = refOf(item);
    const file = fileOf(item);
    if (file) r.file = file;
  } else if (d.resource) r.resourceRef = d.resource;
  const rest = path.slice(2);
  return { base: path.slice(0, 2), place: path, ...(rest.length > 0 ? { field: fieldPath(rest) } : {}), message };
}

/** A diagnostic inside the spec (its validation, or a plan error such as an unknown container): about the functionConfig. */
function onFunctionConfig(d: Diagnostic, r: Obj, fc: Obj, at: Path, message: string): Placement {
  const viaConfigMap = fc.kind === 'ConfigMap';
  // Validation paths start with functionConfig; plan paths are relative to the StartOrder value.
  const path = at[0] === 'functionConfig' ? at.slice(1) : viaConfigMap ? ['data', 'spec', ...at] : at;
  r.resourceRef = refOf(fc);
  const file = fileOf(fc);
  if (file) r.file = file;
  const inSpecText = viaConfigMap && path[0] === 'data' && path[1] === 'spec';
  const out: Placement = { base: ['functionConfig'], place: ['functionConfig', ...(inSpecText ? path.slice(0, 2) : path)], message };
  if (inSpecText) {
    // The spec is YAML inside a string: the field is data.spec, the place inside it goes in the message.
    const inner = path.slice(2);
    if (inner[0] === 'spec') inner.shift();
    out.field = 'data.spec';
    if (inner.length > 0) out.message = `data.spec ${fieldPath(inner)}: ${out.message}`;
  } else if (path.length > 0) out.field = fieldPath(path);
  // The workload it concerns goes into the message (and the tags).
  if (d.workload && !out.message.includes(d.workload)) out.message = `${d.workload}: ${out.message}`;
  return out;
}

/**
 * Any other diagnostic: about its resource. A plan error without a path (a spec from the pod
 * template annotation) finds the item by its resourceRef, for the file, and points at the annotation.
 */
function byResource(d: Diagnostic, r: Obj, items: readonly unknown[], path: Path, message: string): Placement {
  if (d.resource) r.resourceRef = d.resource;
  const out: Placement = { message, ...(path.length > 0 ? { field: fieldPath(path) } : {}) };
  const index = d.resource ? items.findIndex((i) => isObj(i) && sameRef(refOf(i), d.resource!)) : -1;
  const item = items[index];
  if (!isObj(item)) return out;
  const file = fileOf(item);
  if (file) r.file = file;
  out.base = ['items', index];
  const at = specAnnotationPath(item);
  if (out.field === undefined && at) {
    out.field = fieldPath(at);
    out.place = ['items', index, ...at];
  }
  return out;
}

/** KRM results, one per diagnostic: severity, message, resourceRef, field, file, tags. */
export function placedResults(diags: readonly Diagnostic[], items: readonly unknown[], functionConfig: unknown): PlacedResult[] {
  const fc = isObj(functionConfig) ? functionConfig : undefined;
  return diags.map((d) => {
    const r: Obj = { message: '', severity: d.severity };
    const message = d.hint ? `${d.message}. Fix: ${d.hint}` : d.message;
    const path = d.path ?? [];
    const p =
      path[0] === 'items' && typeof path[1] === 'number'
        ? onItem(d, r, items, path, message)
        : fc && (path[0] === 'functionConfig' || path[0] === 'spec' || (d.code === 'spec-selects-nothing' && path.length === 0))
          ? onFunctionConfig(d, r, fc, path, message)
          : byResource(d, r, items, path, message);
    r.message = p.message;
    // A field means nothing without the resource it is in: then the place goes into the message.
    if (p.field !== undefined && !r.resourceRef) r.message = `${p.field}: ${p.message}`;
    else if (p.field !== undefined) r.field = { path: p.field };
    if (d.code) r.tags = { code: d.code, ...(d.workload ? { workload: d.workload } : {}), ...(d.container ? { container: d.container } : {}) };
    return { result: r, ...(p.base ? { base: p.base } : {}), ...(p.place ? { place: p.place } : {}) };
  });
}

const refText = (ref: Obj): string =>
  workloadId({
    kind: String(ref.kind),
    name: String(ref.name),
    ...(typeof ref.namespace === 'string' && ref.namespace !== '' ? { namespace: ref.namespace } : {}),
  });

/**
 * The results as one line each, for stderr, where kustomize users read them (kustomize shows a
 * function's stderr, not its results): the user's file from the path annotation (or the object
 * when the orchestrator sent none), the object, the field and the line inside the object.
 */
export function resultLines(
  diags: readonly Diagnostic[],
  placed: readonly PlacedResult[],
  lineOf: (path: (string | number)[]) => number | undefined,
): string[] {
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
    const where = file
      ? `${String(file.path)}${typeof file.index === 'number' && file.index > 0 ? ` (document ${file.index + 1})` : ''}`
      : ref
        ? refText(ref)
        : 'startorder';
    const subject = [file && ref ? refText(ref) : undefined, field, inside !== undefined ? `(line ${inside} of the object)` : undefined]
      .filter(Boolean)
      .join(' ');
    const code = isObj(r.tags) && typeof r.tags.code === 'string' ? `[${r.tags.code}]` : '';
    return `${where}: ${String(r.severity)}${code}: ${subject ? `${subject}: ` : ''}${String(r.message).replace(/\s*\n\s*/g, ' ')}`;
  });
}
