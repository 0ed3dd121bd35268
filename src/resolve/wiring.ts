/** Glue between the pipeline and resolveImages (kept here so that cli.ts / pipeline.ts change little). */
import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/parse.js';
import type { ImageEntry, Spec } from '../types.js';

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let cur = value;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/**
 * Where each image lacking an ENTRYPOINT is used: the `missing-command` errors of a run, each pointing
 * at a container without `command` whose image no spec's images table has. Keyed by image (sorted),
 * the first such error per image; resolve diagnostics can be reported at its place.
 */
export function imageSites(r: { diagnostics: readonly Diagnostic[]; sources: readonly SourceFile[] }): Map<string, Diagnostic> {
  const found: [string, Diagnostic][] = [];
  for (const d of r.diagnostics) {
    if (d.code !== 'missing-command') continue;
    let image: unknown;
    if (d.file !== undefined && d.document !== undefined && d.path) {
      const doc = r.sources.find((s) => s.name === d.file)?.docs.find((x) => x.index === d.document);
      const c = at(doc?.value, d.path) as { name?: unknown; image?: unknown } | undefined;
      if (c && (d.container === undefined || c.name === d.container)) image = c.image;
    }
    // A container that an earlier run moved (native sidecar) is not at its original path: the message names the image.
    if (typeof image !== 'string') image = /image "((?:[^"\\]|\\.)+)"/.exec(d.message)?.[1];
    if (typeof image === 'string' && image !== '' && !found.some(([i]) => i === image)) found.push([image, d]);
  }
  return new Map(found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The images to resolve after a run: see imageSites. Sorted, unique. */
export function imagesToResolve(r: { diagnostics: readonly Diagnostic[]; sources: readonly SourceFile[] }): string[] {
  return [...imageSites(r).keys()];
}

/** The spec with resolved images after its own images table (its own entries win). */
export function withResolvedImages(spec: Spec, resolved: readonly ImageEntry[] | undefined): Spec {
  if (!resolved || resolved.length === 0) return spec;
  const own = new Set(spec.images.map((i) => i.image));
  return { ...spec, images: [...spec.images, ...resolved.filter((i) => !own.has(i.image))] };
}
