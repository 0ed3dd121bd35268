/** The second half of a plan made with deferImages: the resolved images give the wrapped containers their command line. */
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import type { Obj } from '../kube/index.js';
import type { Locator } from '../load/locate.js';
import type { ImageEntry, Workload } from '../types.js';
import { originalArgv } from './command.js';
import type { Plan, Planned } from './types.js';
import { missingCommand } from './wrap.js';

/** The spec's images table, then the resolved images it does not name (its own entries win). */
export function withImages(own: readonly ImageEntry[], resolved: readonly ImageEntry[]): ImageEntry[] {
  const named = new Set(own.map((i) => i.image));
  return [...own, ...resolved.filter((i) => !named.has(i.image))];
}

/**
 * Completes what planWorkload(w, podSpec, …, {deferImages: true}) returned (same w and podSpec): each unresolved container's command
 * line from the spec's images and `resolved`; `missing-command`, as planWorkload gives it, for those
 * still unknown. The plan (when there is one and nothing is missing) carries the spec with the
 * resolved images, as if they had been in its table from the start.
 */
export function completePlan(
  w: Workload,
  podSpec: Obj,
  planned: Planned,
  resolved: readonly ImageEntry[],
  locate: Locator,
): { plan?: Plan; diagnostics: Diagnostic[] } {
  const diagnostics = [...planned.diagnostics];
  const images = withImages(planned.plan?.spec.images ?? [], resolved);
  const argvs = new Map<string, string[]>();
  for (const u of planned.unresolved ?? []) {
    const c = (podSpec[u.list] as Obj[])[u.index]!;
    const argv = originalArgv(c, images);
    if (argv) argvs.set(u.container, argv);
    else diagnostics.push(missingCommand(w, locate, u));
  }
  if (!planned.plan || hasErrors(diagnostics)) return { diagnostics };
  const spec = { ...planned.plan.spec, images };
  const wrapped = planned.plan.wrapped.map((x) => (argvs.has(x.name) ? { ...x, argv: argvs.get(x.name)! } : x));
  return { plan: { ...planned.plan, spec, wrapped }, diagnostics };
}
