/**
 * `startorder runtime-image push REGISTRY/REPO[:TAG]`: pushes the runtime image the package ships
 * (runtime-image/, an OCI layout) byte for byte, so the registry's index has the digest the CLI is
 * pinned to: every blob (HEAD first, skipped when present; mounted, or uploaded whole or in chunks),
 * then each platform manifest by digest, then the index by digest and under the tag.
 */
import { RUNTIME_IMAGE_DIGEST } from '../generated/runtime-image.js';
import type { PushClient } from '../resolve/upload.js';
import { blobPath, LayoutError, MEDIA_INDEX, type Descriptor, type Layout } from './layout.js';

/** Blobs larger than this go in PATCH chunks of this size; smaller ones in one PUT. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** What a push did. */
export interface PushStats {
  digest: string;
  platforms: string[];
  blobs: { present: number; mounted: number; uploaded: number; chunked: number; bytes: number };
  manifests: number;
}

/** The part of PushClient a push uses (tests may count or fail it). */
export type PushPort = Pick<PushClient, 'hasBlob' | 'startUpload' | 'upload' | 'putManifest'>;

interface Plan {
  blobs: Descriptor[];
  manifests: Descriptor[];
  root: Descriptor;
}

function parse(layout: Layout, d: Descriptor): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(layout.files.get(blobPath(d)))) as Record<string, unknown>;
}

/** The blobs (configs and layers, once each) and platform manifests of the layout's image, in push order. */
export function pushPlan(layout: Layout, digest: string = RUNTIME_IMAGE_DIGEST): Plan {
  const root = layout.root;
  if (root.digest !== digest)
    throw new LayoutError('digest', 'index.json', `names ${root.digest}, not ${digest}: the layout is not the image this startorder was built for`);
  const manifests = root.mediaType === MEDIA_INDEX ? (parse(layout, root).manifests as Descriptor[]) : [];
  const blobs = new Map<string, Descriptor>();
  for (const m of root.mediaType === MEDIA_INDEX ? manifests : [root]) {
    const doc = parse(layout, m);
    for (const b of [doc.config as Descriptor, ...(doc.layers as Descriptor[])]) if (!blobs.has(b.digest)) blobs.set(b.digest, b);
  }
  return { blobs: [...blobs.values()], manifests, root };
}

async function pushBlob(port: PushPort, layout: Layout, d: Descriptor, chunk: number, stats: PushStats): Promise<void> {
  if (await port.hasBlob(d.digest)) return void stats.blobs.present++;
  const started = await port.startUpload(d.digest);
  if (started === 'mounted') return void stats.blobs.mounted++;
  await port.upload(started, layout.files.get(blobPath(d))!, chunk);
  stats.blobs.uploaded++;
  stats.blobs.bytes += d.size;
  if (d.size > chunk) stats.blobs.chunked++;
}

/** Pushes the layout's image to the port's repository under `tag`; `chunk` is the size above which blobs go in chunks. */
export async function pushLayout(port: PushPort, layout: Layout, tag: string, chunk = DEFAULT_CHUNK_BYTES, digest?: string): Promise<PushStats> {
  const plan = pushPlan(layout, digest);
  const stats: PushStats = {
    digest: plan.root.digest,
    platforms: layout.platforms,
    blobs: { present: 0, mounted: 0, uploaded: 0, chunked: 0, bytes: 0 },
    manifests: 0,
  };
  for (const b of plan.blobs) await pushBlob(port, layout, b, chunk, stats);
  for (const m of [...plan.manifests, plan.root]) {
    await port.putManifest(m.digest, layout.files.get(blobPath(m))!, m.mediaType);
    stats.manifests++;
  }
  await port.putManifest(tag, layout.files.get(blobPath(plan.root))!, plan.root.mediaType);
  return stats;
}
