/**
 * Reads an OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * and checks it as a strict registry client would: every blob index.json reaches is present and has
 * the digest and size its descriptor says, every index and manifest says the mediaType its
 * descriptor says. No I/O of its own: the files come through `read`.
 */
import { createHash } from 'node:crypto';
import { tar, type TarEntry } from './tar.js';

export const MEDIA_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const LAYOUT_FILE = '{"imageLayoutVersion":"1.0.0"}';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** What is wrong with a layout; `path` is the file in the layout. */
export type LayoutProblem = 'missing' | 'not-json' | 'not-oci' | 'digest' | 'size' | 'media-type';
export class LayoutError extends Error {
  constructor(
    readonly code: LayoutProblem,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** A file of the layout by its slash path (`index.json`, `blobs/sha256/…`); undefined when absent. */
export type ReadFile = (path: string) => Promise<Uint8Array | undefined>;

export interface Layout {
  /** The one image index.json names (with its annotations). */
  root: Descriptor;
  /** The platforms of the image, in the image index's order (`linux/amd64`). */
  platforms: string[];
  /** Every file of the layout by path: oci-layout, index.json, and each blob reached, once. */
  files: Map<string, Uint8Array>;
}

export const blobPath = (d: Descriptor): string => `blobs/${d.digest.replace(':', '/')}`;

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function json(path: string, data: Uint8Array): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new LayoutError('not-json', path, 'is not a JSON object');
}

function descriptors(path: string, v: unknown): Descriptor[] {
  const ok = (d: unknown): d is Descriptor => {
    const o = d as Partial<Descriptor> | null;
    return typeof o?.mediaType === 'string' && /^sha256:[0-9a-f]{64}$/.test(o.digest ?? '') && Number.isSafeInteger(o.size) && (o.size ?? -1) >= 0;
  };
  if (!Array.isArray(v) || !v.every(ok)) throw new LayoutError('not-oci', path, 'has a descriptor without mediaType, sha256 digest or size');
  return v;
}

async function blob(read: ReadFile, files: Map<string, Uint8Array>, d: Descriptor): Promise<Uint8Array> {
  const path = blobPath(d);
  const data = files.get(path) ?? (await read(path));
  if (!data) throw new LayoutError('missing', path, `is missing (a ${d.mediaType})`);
  if (data.length !== d.size) throw new LayoutError('size', path, `has ${data.length} bytes, its descriptor says ${d.size}`);
  if (sha256(data) !== d.digest) throw new LayoutError('digest', path, `does not have the digest its name says`);
  files.set(path, data);
  return data;
}

/** Reads a blob that is an index or a manifest, checks its mediaType, and follows what it names. */
async function walk(read: ReadFile, files: Map<string, Uint8Array>, d: Descriptor): Promise<void> {
  const data = await blob(read, files, d);
  if (d.mediaType !== MEDIA_INDEX && d.mediaType !== MEDIA_MANIFEST) return;
  const path = blobPath(d);
  const doc = json(path, data);
  if (doc.schemaVersion !== 2 || doc.mediaType !== d.mediaType) {
    throw new LayoutError(
      'media-type',
      path,
      `says schemaVersion ${String(doc.schemaVersion)} mediaType ${String(doc.mediaType)}, its descriptor ${d.mediaType}`,
    );
  }
  const next = d.mediaType === MEDIA_INDEX ? descriptors(path, doc.manifests) : descriptors(path, [doc.config, ...((doc.layers as unknown[]) ?? [])]);
  for (const n of next) await walk(read, files, n);
}

/** Reads and checks the layout; index.json must name exactly one image (an index or a manifest). */
export async function readLayout(read: ReadFile): Promise<Layout> {
  const files = new Map<string, Uint8Array>();
  for (const path of ['oci-layout', 'index.json']) {
    const data = await read(path);
    if (!data) throw new LayoutError('missing', path, 'is missing: not an OCI image layout');
    files.set(path, data);
  }
  if (json('oci-layout', files.get('oci-layout')!).imageLayoutVersion !== '1.0.0')
    throw new LayoutError('not-oci', 'oci-layout', 'is not imageLayoutVersion 1.0.0');
  const index = json('index.json', files.get('index.json')!);
  const top = descriptors('index.json', index.manifests);
  const root = top[0];
  if (index.schemaVersion !== 2 || top.length !== 1 || !root) throw new LayoutError('not-oci', 'index.json', 'does not name exactly one image');
  await walk(read, files, root);
  let platforms: string[] = [];
  if (root.mediaType === MEDIA_INDEX) {
    const manifests = descriptors(blobPath(root), json(blobPath(root), files.get(blobPath(root))!).manifests);
    platforms = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'unknown'));
  } else if (root.platform) platforms = [`${root.platform.os}/${root.platform.architecture}`];
  return { root, platforms, files };
}

/**
 * The layout as a tarball: oci-layout, index.json, the blob directories, the blobs sorted by path;
 * oci-layout is written in its canonical form.
 */
export function layoutTar(layout: Layout): Uint8Array {
  const enc = new TextEncoder();
  const blobs = [...layout.files.keys()].filter((p) => p.startsWith('blobs/')).sort();
  const dirs = [...new Set(blobs.map((p) => p.slice(0, p.lastIndexOf('/') + 1)))].sort();
  const entries: TarEntry[] = [
    { name: 'oci-layout', data: enc.encode(LAYOUT_FILE) },
    { name: 'index.json', data: layout.files.get('index.json')! },
    ...(dirs.length ? [{ name: 'blobs/' }] : []),
    ...dirs.map((name) => ({ name })),
    ...blobs.map((name) => ({ name, data: layout.files.get(name)! })),
  ];
  return tar(entries);
}
