/** select and plan: which spec orders which workload, and the order of each (images a plan lacks as data). */
import { getIn, type Obj } from '../kube/index.js';
import { completePlan, planWorkload } from '../plan/plan.js';
import { withImages } from '../plan/images.js';
import { select as selectWorkloads } from '../select/select.js';
import type { ImageEntry } from '../types.js';
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

/** The workload as planned: its original (an earlier run undone), and that original's pod spec. */
export function plannedWorkload(p: Planned) {
  const w = { ...p.selection.workload, value: p.stage.original };
  return { w, podSpec: getIn(p.stage.original, w.podSpecPath) as Obj };
}

/** Plans each selected workload; containers whose command line needs their image stay `unresolved`. */
export function plan(s: RunState): void {
  const known = s.request.resolvedImages ?? [];
  for (const p of s.planned) {
    const { w, podSpec } = plannedWorkload(p);
    const spec = known.length > 0 ? { ...p.selection.spec, images: withImages(p.selection.spec.images, known) } : p.selection.spec;
    const r = planWorkload(w, podSpec, spec, s.locate, { deferImages: true });
    p.diagnostics = r.diagnostics;
    if (r.plan) p.plan = r.plan;
    if (r.unresolved) p.unresolved = r.unresolved;
  }
}

/** Finishes the plans that waited for images: `missing-command` for those still unknown. */
export function complete(s: RunState, resolved: readonly ImageEntry[]): void {
  for (const p of s.planned) {
    if (!p.unresolved) continue;
    const { w, podSpec } = plannedWorkload(p);
    const r = completePlan(w, podSpec, { ...(p.plan ? { plan: p.plan } : {}), diagnostics: p.diagnostics, unresolved: p.unresolved }, resolved, s.locate);
    p.diagnostics = r.diagnostics;
    if (r.plan) p.plan = r.plan;
    else delete p.plan;
    delete p.unresolved;
  }
}
