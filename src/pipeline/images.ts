/**
 * resolve: the ENTRYPOINT and CMD of images that containers without `command` run, asked of an
 * injected ImageSource (a lock file, a registry) once for all of them. The images needed are data
 * from the plans (planWorkload's `unresolved`: which container lacks a command line, at which place).
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { getIn } from '../kube/index.js';
import { missingCommand } from '../plan/wrap.js';
import type { ImageEntry } from '../types.js';
import { plannedWorkload } from './plan.js';
import type { RunState } from './state.js';

/** What an ImageSource answers. */
export interface ImageAnswer {
  /** The images found, each once. */
  entries: ImageEntry[];
  /**
   * Why an image could not be given. One with `image` (and no `file`) is placed at the first
   * container that runs the image; others (the lock file's) stand as they are. Any: the run stops.
   */
  diagnostics: Diagnostic[];
  /** The lock file to write, when it changed. */
  lock?: { file: string; text: string };
}

/** The port: implementations read a lock file, ask registries, or both (src/resolve/source.ts). */
export interface ImageSource {
  lookUp(images: readonly string[]): Promise<ImageAnswer>;
}

/** An image a plan lacks, and the missing-command error of its first container (where lookup problems are told). */
export interface ImageNeed {
  image: string;
  site: Diagnostic;
}

/** The images the plans lack, sorted, each with its first site (by diagnostic order). */
export function imageNeeds(s: RunState): ImageNeed[] {
  const sites: { image: string; site: Diagnostic }[] = [];
  for (const p of s.planned) {
    const { w, podSpec } = plannedWorkload(p);
    for (const u of p.unresolved ?? []) {
      const image = getIn(podSpec, [u.list, u.index, 'image']);
      if (typeof image === 'string' && image !== '') sites.push({ image, site: missingCommand(w, s.locate, u) });
    }
  }
  const order = new Map(sortDiagnostics(sites.map((x) => x.site)).map((d, i) => [d, i]));
  sites.sort((a, b) => order.get(a.site)! - order.get(b.site)!);
  const found = new Map<string, ImageNeed>();
  for (const x of sites) if (!found.has(x.image)) found.set(x.image, x);
  return [...found.values()].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

/** A lookup diagnostic at its image's site (the container's place), or as the source gave it. */
function placed(d: Diagnostic, sites: ReadonlyMap<string, Diagnostic>): Diagnostic {
  const { image, ...rest } = d;
  const site = image !== undefined && d.file === undefined ? sites.get(image) : undefined;
  if (!site) return rest;
  const { code: _c, severity: _s, message: _m, hint: _h, ...where } = site;
  return { ...where, code: d.code, severity: d.severity, message: d.message, ...(d.hint !== undefined ? { hint: d.hint } : {}) };
}

/**
 * Takes the answer: on a problem, the run's diagnostics become the lookup's (placed), and the run
 * stops (false); else the lock file to write is kept. `complete` then finishes the plans with it.
 */
export function resolve(s: RunState, needs: readonly ImageNeed[], answer: ImageAnswer): boolean {
  if (answer.diagnostics.length > 0) {
    const sites = new Map(needs.map((n) => [n.image, n.site]));
    s.diags = answer.diagnostics.map((d) => placed(d, sites));
    return false;
  }
  if (answer.lock) s.lock = answer.lock;
  return true;
}
