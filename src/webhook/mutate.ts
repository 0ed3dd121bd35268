/**
 * POST /mutate: a Pod CREATE → the StartOrders of its namespace that select it (plus its own
 * startorder.dev/spec annotation, read by the pipeline by the CLI's rules) → the pipeline on the Pod
 * → a JSON Patch from the Pod as it came to the Pod as the pipeline wrote it.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { isObj, SPEC_ANNOTATION, type Obj } from '../kube/index.js';
import { transform, type SpecObject } from '../pipeline/index.js';
import type { SpecDefaults } from '../spec/normalize.js';
import { allow, deny, denialOf, nameOf, warningOf, type AdmissionRequest, type AdmissionResponse } from './admission.js';
import { keyOf, type Lru } from './cache.js';
import { jsonPatch } from './patch.js';
import { selects } from './selector.js';

export type OnError = 'allow' | 'deny';

/** What the admission path reads: the StartOrders kept in memory (no API call). */
export interface StartOrderSource {
  list(namespace: string): readonly Obj[];
}

export interface MutateOptions {
  defaults: SpecDefaults;
  onError: OnError;
  /** Answers by Pod and spec (see cache.ts); none: every Pod runs the pipeline. */
  cache?: Lru<string>;
}

/** How a request was answered: the `result` of the log line and of the metrics. */
export type Outcome = 'patched' | 'unchanged' | 'skipped' | 'ambiguous' | 'error-allowed' | 'denied';

export interface Answer {
  response: AdmissionResponse;
  outcome: Outcome;
}

/** At most this many warnings on one answer (the apiserver keeps 4 KiB of them). */
const MAX_WARNINGS = 8;

/** The StartOrder as the pipeline reads it: the selector is decided here, so it selects this Pod. */
function asSpecObject(so: Obj, namespace: string): SpecObject {
  const spec = isObj(so.spec) ? so.spec : {};
  const value = { apiVersion: so.apiVersion, kind: so.kind, metadata: { name: nameOf(so), namespace }, spec: { ...spec, selector: { kinds: ['Pod'] } } };
  return { value, file: `StartOrder ${namespace}/${nameOf(so)}`, document: 0, path: [] };
}

/** The Pod without what the pipeline never reads (status, managedFields): less to parse. */
function trimmed(pod: Obj): Obj {
  const meta = isObj(pod.metadata) ? { ...pod.metadata } : {};
  delete meta.managedFields;
  const out: Obj = { apiVersion: pod.apiVersion ?? 'v1', kind: pod.kind ?? 'Pod', ...pod, metadata: meta };
  delete out.status;
  return out;
}

function warningsOf(diags: readonly Diagnostic[]): string[] {
  const shown = diags.filter((d) => d.severity !== 'info');
  const out = shown.slice(0, MAX_WARNINGS).map(warningOf);
  if (shown.length > MAX_WARNINGS) out.push(`startorder: ${shown.length - MAX_WARNINGS} more diagnostics not shown`);
  return out;
}

/** An answer but its uid, as the cache keeps it: the patch as JSON text (before base64). */
interface Computed {
  outcome: Outcome;
  warnings: string[];
  patch?: string;
  denial?: string;
}

function failureOf(diags: readonly Diagnostic[], options: MutateOptions): Computed {
  const sorted = sortDiagnostics(diags);
  const first = sorted.find((d) => d.severity === 'error') ?? sorted[0]!;
  if (options.onError === 'deny') return { outcome: 'denied', warnings: warningsOf(sorted), denial: `startorder: ${denialOf(first)}` };
  return { outcome: 'error-allowed', warnings: [...warningsOf(sorted), 'startorder: the pod was admitted unchanged (--on-error allow)'] };
}

/** The pipeline on the Pod's text with the spec of the StartOrder that selects it, if any. */
function compute(text: string, specObjects: SpecObject[], options: MutateOptions): Computed {
  const result = transform([{ name: 'pod.json', text }], { specObjects, defaults: options.defaults });
  const file = result.files[0];
  if (result.diagnostics.some((d) => d.severity === 'error') || !file) return failureOf(result.diagnostics, options);
  const patch = file.changed ? jsonPatch(JSON.parse(text), JSON.parse(file.text)) : [];
  const warnings = warningsOf(result.diagnostics);
  return patch.length > 0 ? { outcome: 'patched', warnings, patch: JSON.stringify(patch) } : { outcome: 'unchanged', warnings };
}

function rewritePod(uid: string, pod: Obj, specObjects: SpecObject[], options: MutateOptions): Answer {
  const text = JSON.stringify(trimmed(pod));
  const keyed = options.cache ? keyOf(text, JSON.stringify([specObjects, options.defaults, options.onError])) : undefined;
  let c: Computed;
  const hit = keyed && options.cache!.get(keyed.key);
  if (hit !== undefined) c = JSON.parse(keyed!.restore(hit)) as Computed;
  else if (keyed) {
    const computed = JSON.stringify(compute(keyed.text, specObjects, options));
    options.cache!.set(keyed.key, computed);
    c = JSON.parse(keyed.restore(computed)) as Computed;
  } else c = compute(text, specObjects, options);
  const response = c.denial !== undefined ? deny(uid, c.denial, c.warnings) : allow(uid, c.warnings, c.patch ?? []);
  return { response, outcome: c.outcome };
}

function isPodRequest(r: AdmissionRequest): boolean {
  const k = r.kind;
  return (k?.kind === 'Pod' && (k.group ?? '') === '') || (k === undefined && isObj(r.object) && r.object.kind === 'Pod');
}

/** Answers one AdmissionReview request of /mutate. Never throws for a bad object. */
export function mutate(request: AdmissionRequest, store: StartOrderSource, options: MutateOptions): Answer {
  const uid = request.uid;
  if (!isPodRequest(request)) {
    const what = request.kind?.kind ?? (isObj(request.object) ? String(request.object.kind) : 'no object');
    return { response: allow(uid, [`startorder: /mutate rewrites Pods only, this is ${what}: not changed`]), outcome: 'skipped' };
  }
  if ((request.operation ?? 'CREATE') !== 'CREATE' || request.subResource || !isObj(request.object)) {
    return { response: allow(uid), outcome: 'skipped' };
  }
  const pod = request.object;
  const meta = isObj(pod.metadata) ? pod.metadata : {};
  const namespace = request.namespace || (typeof meta.namespace === 'string' ? meta.namespace : 'default');
  const matching = store.list(namespace).filter((so) => selects(isObj(so.spec) ? so.spec.selector : undefined, meta.labels));
  if (matching.length > 1) {
    const names = matching.map(nameOf).sort();
    const warning = `startorder: StartOrders ${names.join(' and ')} both select this pod: not changed (make their selectors disjoint)`;
    return { response: allow(uid, [warning]), outcome: 'ambiguous' };
  }
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  if (matching.length === 0 && annotations[SPEC_ANNOTATION] === undefined) return { response: allow(uid), outcome: 'unchanged' };
  try {
    return rewritePod(
      uid,
      pod,
      matching.map((so) => asSpecObject(so, namespace)),
      options,
    );
  } catch (e) {
    // a bug in startorder: said once, and answered by --on-error like any error
    const message = `startorder: internal error (please report it): ${(e as Error).message}`.slice(0, 300);
    if (options.onError === 'deny') return { response: deny(uid, message), outcome: 'denied' };
    return { response: allow(uid, [message.slice(0, 120)]), outcome: 'error-allowed' };
  }
}
