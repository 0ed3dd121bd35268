/**
 * `startorder runtime-image save FILE`: writes the runtime image the package ships (runtime-image/,
 * an OCI image layout) as an OCI layout tarball for air-gapped transfer, after checking that it is
 * exactly the image the CLI names (the digest RUNTIME_IMAGE is pinned by).
 * `saveLayout` does no I/O of its own; `saveRuntimeImage` is its Node adapter.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_IMAGE, RUNTIME_IMAGE_DIGEST } from '../generated/runtime-image.js';
import { LayoutError, layoutTar, readLayout, type ReadFile } from './layout.js';

export interface Saved {
  /** The image reference with its digest, e.g. ghcr.io/…:v0.1.0@sha256:…. */
  reference: string;
  digest: string;
  platforms: string[];
  tarball: Uint8Array;
}

/** Reads the layout through `read`, checks it names `digest`, and returns its tarball. */
export async function saveLayout(read: ReadFile, digest: string = RUNTIME_IMAGE_DIGEST): Promise<Omit<Saved, 'reference'>> {
  const layout = await readLayout(read);
  if (layout.root.digest !== digest) {
    throw new LayoutError('digest', 'index.json', `names ${layout.root.digest}, not ${digest}: the layout is not the image this startorder was built for`);
  }
  return { digest, platforms: layout.platforms, tarball: layoutTar(layout) };
}

/** Where the package keeps the runtime image: runtime-image/ at its root (two levels above this file in src/, dist/ and dist/bundle/). */
export const SHIPPED_LAYOUT = fileURLToPath(new URL('../../runtime-image/', import.meta.url));

/** A ReadFile over a layout directory. */
export function layoutDir(dir: string): ReadFile {
  return async (path) => {
    try {
      return new Uint8Array(await readFile(join(dir, ...path.split('/'))));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
}

/** Writes the shipped runtime image to `file` (replaced whole: written beside it, then renamed). */
export async function saveRuntimeImage(file: string, dir: string = SHIPPED_LAYOUT): Promise<Saved> {
  const saved = await saveLayout(layoutDir(dir));
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, saved.tarball);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { reference: RUNTIME_IMAGE, ...saved };
}

/** The one line for a shipped layout that cannot be used; a git checkout builds it, the package carries it. */
export function unusableLayout(e: Error, dir: string = SHIPPED_LAYOUT): string {
  const fix = existsSync(join(dir, 'index.json'))
    ? ''
    : '\n  fix: in a checkout of startorder, build it first: npm run runtime-image (needs Go); the npm package carries it';
  return `startorder: the runtime image shipped with this package is unusable: ${e.message}${fix}\n`;
}
