/**
 * resolve: the ENTRYPOINT and CMD of images that containers without `command` run, asked of an
 * injected ImageSource (a lock file, a registry) once for all of them. The images needed are read
 * as data from the plans (which container lacks a command, and the image it runs).
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { containersOf, getIn, type Obj } from '../kube/index.js';
import type { ImageEntry } from '../types.js';
import { planOne } from './plan.js';
import type { Planned, RunState } from './state.js';

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

function containerImage(p: Planned, name: string): string | undefined {
  const podSpec = (getIn(p.stage.original, p.selection.workload.podSpecPath) as Obj | undefined) ?? {};
  const c = containersOf(podSpec, ['containers', 'initContainers']).find((x) => x.container.name === name)?.container;
  return typeof c?.image === 'string' && c.image !== '' ? c.image : undefined;
}

/** The images the plans lack, sorted, each with its first site. */
export function imageNeeds(s: RunState): ImageNeed[] {
  const missing = s.planned.flatMap((p) => p.diagnostics.filter((d) => d.code === 'missing-command' && d.container !== undefined).map((d) => ({ p, d })));
  const order = new Map(sortDiagnostics(missing.map((m) => m.d)).map((d, i) => [d, i]));
  missing.sort((a, b) => order.get(a.d)! - order.get(b.d)!);
  const found = new Map<string, ImageNeed>();
  for (const { p, d } of missing) {
    const image = containerImage(p, d.container!);
    if (image !== undefined && !found.has(image)) found.set(image, { image, site: d });
  }
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
 * Takes the answer: on a problem, the run's diagnostics become the lookup's (placed); else the
 * workloads that lacked an image are planned with it. Returns false when the run stops.
 */
export function resolve(s: RunState, needs: readonly ImageNeed[], answer: ImageAnswer): boolean {
  if (answer.diagnostics.length > 0) {
    const sites = new Map(needs.map((n) => [n.image, n.site]));
    s.diags = answer.diagnostics.map((d) => placed(d, sites));
    return false;
  }
  const known = [...(s.request.resolvedImages ?? []), ...answer.entries];
  for (const p of s.planned) if (p.diagnostics.some((d) => d.code === 'missing-command')) planOne(s, p, known);
  if (answer.lock) s.lock = answer.lock;
  return true;
}
