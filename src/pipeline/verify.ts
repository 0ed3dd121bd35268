/**
 * verify and validate: every document written is read back, and must parse (as JSON for a JSON
 * file) to exactly the value meant; then each rewritten workload, as read back, is checked against
 * its plan and the Kubernetes schema.
 */
import { deepEqual } from '../equal.js';
import { verifyDocument } from '../emit/emit.js';
import { getIn, type Obj } from '../kube/index.js';
import { validateOutput } from '../validate/validate.js';
import type { RunState, Written } from './state.js';

/** The emitter went wrong: never print what it made. Names the file, the document and the path. */
export class EmitFailure extends Error {
  override name = 'EmitFailure';
}

export function failure(file: string, document: number, path: readonly (string | number)[], why: string): EmitFailure {
  return new EmitFailure(`${file}: document ${document + 1}, at ${path.length ? path.join('.') : '(root)'}: ${why}; nothing was written`);
}

function verifyJson(text: string, expected: unknown): { value?: unknown; mismatch?: (string | number)[]; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { error: (e as Error).message };
  }
  return deepEqual(value, expected) ? { value } : { value, mismatch: [] };
}

function readBack(w: Written): unknown {
  const back = w.file.format === 'json' ? verifyJson(w.text, w.expected) : verifyDocument(w.text, w.expected);
  if (back.error) throw failure(w.file.name, w.index, [], `the document written does not parse (${back.error})`);
  if (back.mismatch) throw failure(w.file.name, w.index, back.mismatch, 'the document written does not read back as the value meant');
  return back.value;
}

export function verify(s: RunState): void {
  for (const w of s.written) {
    const value = readBack(w);
    for (const x of s.stagesOfDoc.get(w.key) ?? []) s.readBack.set(x, (x.workload.path.length === 0 ? value : getIn(value, x.workload.path)) as Obj);
  }
}

export function validate(s: RunState): void {
  const planOf = new Map(s.planned.flatMap((p) => (p.plan ? [[p.stage, p.plan] as const] : [])));
  for (const [x, value] of s.readBack) {
    const plan = planOf.get(x);
    if (plan) s.diags.push(...validateOutput(plan, value, s.locate));
  }
}
