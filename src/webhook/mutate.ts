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

function onFailure(uid: string, diags: readonly Diagnostic[], options: MutateOptions): Answer {
  const sorted = sortDiagnostics(diags);
  const first = sorted.find((d) => d.severity === 'error') ?? sorted[0]!;
  if (options.onError === 'deny') return { response: deny(uid, `startorder: ${denialOf(first)}`, warningsOf(sorted)), outcome: 'denied' };
  return { response: allow(uid, [...warningsOf(sorted), 'startorder: the pod was admitted unchanged (--on-error allow)']), outcome: 'error-allowed' };
}

/** Runs the pipeline on the Pod with the spec of the StartOrder that selects it, if any. */
function rewritePod(uid: string, pod: Obj, specObjects: SpecObject[], options: MutateOptions): Answer {
  const input = trimmed(pod);
  const result = transform([{ name: 'pod.json', text: JSON.stringify(input) }], { specObjects, defaults: options.defaults });
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.files[0]) return onFailure(uid, result.diagnostics, options);
  const file = result.files[0];
  const after = file.changed ? (JSON.parse(file.text) as unknown) : input;
  const patch = jsonPatch(input, after);
  return { response: allow(uid, warningsOf(result.diagnostics), patch), outcome: patch.length > 0 ? 'patched' : 'unchanged' };
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
