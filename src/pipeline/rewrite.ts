/** rewrite: each plan applied to its workload's original; revert gives the originals back. */
import { sourceTexts } from '../emit/emit.js';
import { applyPlan } from '../rewrite/apply.js';
import type { RunState } from './state.js';

export function rewrite(s: RunState): void {
  if (s.request.revert) {
    for (const x of s.staged) if (x.original !== x.current) s.next.set(x, x.original);
    return;
  }
  for (const p of s.planned) {
    s.diags.push(...p.diagnostics);
    if (!p.plan) continue;
    const w = p.selection.workload;
    // The user's text of what the transform replaces, for revert: from the source, or kept from the
    // record of an earlier run (the source then holds startorder's text).
    const file = s.files.find((f) => f.name === w.file)!;
    const names = new Set([...p.plan.wrapped.map((x) => x.name), ...p.plan.native.map((x) => x.name)]);
    const src = p.stage.record ? (p.stage.record.src ?? {}) : sourceTexts(file, w.document, w.path, w.podSpecPath, names);
    const applied = applyPlan(p.plan, p.stage.original, s.locate, src);
    s.diags.push(...applied.diagnostics);
    if (applied.value) s.next.set(p.stage, applied.value);
  }
}
