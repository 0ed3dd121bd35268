/**
 * POST /validate: a StartOrder CREATE/UPDATE, checked with the CLI's own code: the schema, then the
 * order itself (cycles, a container after itself, a name given twice) through the pipeline on a pod
 * made of the names the spec uses — which containers the real pods have is not known here, so an
 * unknown name is no error — and finally the selector against the other StartOrders of the namespace.
 */
import type { Diagnostic } from '../diagnostics.js';
import { isObj, SPEC_KIND, type Obj } from '../kube/index.js';
import { makeLocator } from '../load/locate.js';
import { transform } from '../pipeline/index.js';
import { specFromObject } from '../spec/collect.js';
import { allow, deny, denialOf, nameOf, namespaceOf, type AdmissionRequest } from './admission.js';
import type { Answer, StartOrderSource } from './mutate.js';
import { canOverlap, describeSelector } from './selector.js';

/** The diagnostics of the order that do not depend on the pod it will be applied to. */
const ORDER_CODES = new Set(['cycle', 'self-dependency', 'duplicate-spec-container', 'spec-invalid']);
const FILE = 'StartOrder';
/** Denials carry this many diagnostics at most (kubectl prints the message as it is). */
const MAX_SHOWN = 5;

function names(spec: Obj): string[] {
  const out = new Set<string>();
  for (const c of Array.isArray(spec.containers) ? (spec.containers as Obj[]) : []) {
    out.add(String(c.name));
    for (const d of Array.isArray(c.after) ? (c.after as unknown[]) : []) out.add(typeof d === 'string' ? d : String(isObj(d) ? d.name : ''));
  }
  return [...out];
}

/** The spec's order planned on a pod that has every container it names (each with a command). */
function orderProblems(so: Obj): Diagnostic[] {
  const spec = so.spec as Obj;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'startorder-validate' },
    spec: { restartPolicy: 'Always', containers: names(spec).map((name) => ({ name, image: 'startorder.invalid/validate', command: ['/validate'] })) },
  };
  const value = { apiVersion: so.apiVersion, kind: SPEC_KIND, metadata: { name: 'validate' }, spec: { ...spec, selector: { kinds: ['Pod'] } } };
  const r = transform([{ name: 'pod.json', text: JSON.stringify(pod) }], { specObjects: [{ value, file: FILE, document: 0, path: [] }] });
  return r.diagnostics.filter((d) => d.severity === 'error' && d.file === FILE && ORDER_CODES.has(d.code));
}

/** In and NotIn need values, Exists and DoesNotExist take none (as the apiserver says of a LabelSelector). */
function expressionProblems(selector: unknown): Diagnostic[] {
  const exprs = isObj(selector) && Array.isArray(selector.matchExpressions) ? (selector.matchExpressions as Obj[]) : [];
  const out: Diagnostic[] = [];
  exprs.forEach((e, i) => {
    const n = Array.isArray(e.values) ? e.values.length : 0;
    const needs = e.operator === 'In' || e.operator === 'NotIn';
    if (needs === n > 0) return;
    out.push({
      code: 'spec-invalid',
      severity: 'error',
      message: needs ? `operator ${String(e.operator)} needs at least one value` : `operator ${String(e.operator)} takes no values`,
      hint: needs ? 'Add values, or use Exists / DoesNotExist.' : 'Remove values, or use In / NotIn.',
      path: ['spec', 'selector', 'matchExpressions', i, 'values'],
    });
  });
  return out;
}

function overlapProblems(so: Obj, namespace: string, store: StartOrderSource): Diagnostic[] {
  const own = nameOf(so);
  const selector = (so.spec as Obj).selector;
  const out: Diagnostic[] = [];
  for (const other of store.list(namespace)) {
    const name = nameOf(other);
    if (name === own) continue;
    const theirs = isObj(other.spec) ? other.spec.selector : undefined;
    if (!canOverlap(selector, theirs).overlap) continue;
    out.push({
      code: 'spec-ambiguous',
      severity: 'error',
      message: `ambiguous overlap: StartOrder ${name} (${describeSelector(theirs)}) can select the same pods as this one (${describeSelector(selector)})`,
      hint: `Give the two selectors a label key they require different values of (matchLabels or matchExpressions), or merge them into one StartOrder.`,
      path: ['spec', 'selector'],
    });
  }
  return out;
}

function ignoredFields(so: Obj): string[] {
  const selector = (so.spec as Obj).selector;
  if (!isObj(selector)) return [];
  return ['kinds', 'names', 'namespaces']
    .filter((k) => selector[k] !== undefined)
    .map((k) => `startorder: spec.selector.${k} is not used at admission (pods are selected by labels in the StartOrder's namespace)`);
}

/** Answers one AdmissionReview request of /validate. */
export function validateStartOrder(request: AdmissionRequest, store: StartOrderSource): Answer {
  const uid = request.uid;
  const so = request.object;
  if (!isObj(so) || so.kind !== SPEC_KIND) {
    const what = isObj(so) ? String(so.kind) : 'no object';
    return { response: allow(uid, [`startorder: /validate checks StartOrders only, this is ${what}`]), outcome: 'skipped' };
  }
  if (request.operation !== undefined && request.operation !== 'CREATE' && request.operation !== 'UPDATE') return { response: allow(uid), outcome: 'skipped' };
  const namespace = request.namespace || namespaceOf(so) || 'default';
  const schema = specFromObject(so, { file: FILE, document: 0, path: [] }, {}, makeLocator([])).diagnostics;
  const problems =
    schema.length > 0 ? schema : [...expressionProblems((so.spec as Obj).selector), ...orderProblems(so), ...overlapProblems(so, namespace, store)];
  if (problems.length === 0) return { response: allow(uid, ignoredFields(so)), outcome: 'unchanged' };
  const shown = problems.slice(0, MAX_SHOWN).map(denialOf);
  if (problems.length > MAX_SHOWN) shown.push(`(${problems.length - MAX_SHOWN} more)`);
  const name = nameOf(so);
  return { response: deny(uid, `startorder: StartOrder ${namespace}/${name}:\n${shown.join('\n')}`), outcome: 'denied' };
}
