/** select and plan: which spec orders which workload, and the order of each. */
import { planWorkload } from '../plan/plan.js';
import { select as selectWorkloads } from '../select/select.js';
import { getIn, type Obj } from '../kube/index.js';
import type { ImageEntry, Spec } from '../types.js';
import { otherResources } from './load.js';
import type { Planned, RunState } from './state.js';

export function select(s: RunState): void {
  if (s.request.revert) return;
  const { selections, diagnostics } = selectWorkloads(
    s.staged.map((x) => ({ workload: x.workload, original: x.original })),
    s.specs,
    s.request.defaults ?? {},
    s.locate,
    otherResources(s),
  );
  s.diags.push(...diagnostics);
  const stageOf = new Map(s.staged.map((x) => [x.workload, x]));
  s.planned = selections.map((selection) => ({ stage: stageOf.get(selection.workload)!, selection, diagnostics: [] }));
}

/** The spec with images known beforehand after its own images table (its own entries win). */
export function withImages(spec: Spec, known: readonly ImageEntry[] | undefined): Spec {
  if (!known || known.length === 0) return spec;
  const own = new Set(spec.images.map((i) => i.image));
  return { ...spec, images: [...spec.images, ...known.filter((i) => !own.has(i.image))] };
}

/** Plans one selected workload from its original (an earlier run undone). */
export function planOne(s: RunState, p: Planned, known: readonly ImageEntry[] | undefined): void {
  const w = { ...p.selection.workload, value: p.stage.original };
  const r = planWorkload(w, getIn(p.stage.original, w.podSpecPath) as Obj, withImages(p.selection.spec, known), s.locate);
  p.diagnostics = r.diagnostics;
  if (r.plan) p.plan = r.plan;
  else delete p.plan;
}

export function plan(s: RunState): void {
  for (const p of s.planned) planOne(s, p, s.request.resolvedImages);
}
