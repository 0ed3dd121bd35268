import type { Code } from '../diagnostics.js';
import type { LockEntry } from './lockfile.js';
import type { ImageRef } from './reference.js';
import { RegistryError } from './failures.js';
import { INDEX_TYPES, MANIFEST_TYPES, type RegistryClient } from './registry.js';

/** One image's ENTRYPOINT and CMD, read from its manifest and config through the registry client. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(p: string): Platform | undefined {
  const parts = p.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[a-z0-9_.-]+$/i.test(x))) return undefined;
  return { os: parts[0]!.toLowerCase(), architecture: parts[1]!.toLowerCase(), ...(parts[2] ? { variant: parts[2].toLowerCase() } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The default variant of an architecture, for matching `linux/arm64` against `linux/arm64/v8`. */
function normalVariant(arch: string, variant: string | undefined): string | undefined {
  if (variant) return variant;
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return undefined;
}

const BROKEN = 'The image is broken in the registry; push it again.';

function asObject(bytes: Buffer, what: 'manifest' | 'image config', registry: string): Record<string, unknown> {
  const code: Code = what === 'manifest' ? 'image-manifest-invalid' : 'image-config-invalid';
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RegistryError(code, `registry ${registry}: the ${what} is not JSON`, BROKEN);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RegistryError(code, `registry ${registry}: the ${what} is not a JSON object`, BROKEN);
  return v as Record<string, unknown>;
}

function stringList(v: unknown, what: string, registry: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  throw new RegistryError('image-config-invalid', `registry ${registry}: the image config's ${what} is not a list of strings`, BROKEN);
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** The manifest of an index that runs on `want`; throws naming the platforms there are. */
function pickPlatform(index: Record<string, unknown>, want: Platform, ref: ImageRef, registry: string): Descriptor {
  const manifests = (Array.isArray(index.manifests) ? index.manifests : []) as Descriptor[];
  const wantVariant = normalVariant(want.architecture, want.variant);
  const candidates = manifests.filter((m) => {
    const p = m.platform;
    if (!p || typeof m.digest !== 'string') return false;
    if (m.mediaType && !MANIFEST_TYPES.includes(m.mediaType)) return false;
    if (p.os !== want.os || p.architecture !== want.architecture) return false;
    return !want.variant || normalVariant(p.architecture, p.variant) === wantVariant;
  });
  // Prefer the exact (normalised) variant, then the first, as Docker does.
  const best = candidates.find((m) => normalVariant(m.platform!.architecture ?? '', m.platform!.variant) === wantVariant) ?? candidates[0];
  if (best) return best;
  const have = manifests
    .map((m) => m.platform)
    .filter((p): p is NonNullable<typeof p> => !!p && p.os !== 'unknown')
    .map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
  throw new RegistryError(
    'platform-not-found',
    `registry ${registry}: "${ref.original}" has no image for ${formatPlatform(want)} (it has: ${have.length > 0 ? [...new Set(have)].join(', ') : 'none'})`,
    `Pass --platform with one of the platforms the image has, or use an image built for ${formatPlatform(want)}.`,
  );
}

export async function lookUp(ref: ImageRef, client: RegistryClient, platform: Platform): Promise<LockEntry> {
  const top = await client.manifest(ref, ref.digest ?? ref.tag ?? 'latest');
  let doc = asObject(top.bytes, 'manifest', ref.registry);
  let mediaType = top.mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : '');
  let digest = top.digest;
  let indexDigest: string | undefined;
  if (INDEX_TYPES.includes(mediaType) || (!mediaType && Array.isArray(doc.manifests))) {
    indexDigest = top.digest;
    const chosen = pickPlatform(doc, platform, ref, ref.registry);
    const m = await client.manifest(ref, chosen.digest);
    doc = asObject(m.bytes, 'manifest', ref.registry);
    mediaType = m.mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : '');
    digest = m.digest;
  }
  if (!MANIFEST_TYPES.includes(mediaType) && !(mediaType === '' && typeof doc.config === 'object')) {
    throw new RegistryError(
      'image-manifest-unsupported',
      `registry ${ref.registry}: "${ref.original}" is a ${mediaType || 'manifest of unknown type'}, not an OCI or Docker v2 image manifest`,
      'Use an image pushed with a current tool (schema 1 manifests are not supported).',
    );
  }
  const config = doc.config as Descriptor | undefined;
  if (!config || typeof config.digest !== 'string')
    throw new RegistryError('image-no-config', `registry ${ref.registry}: the manifest of "${ref.original}" has no config`, BROKEN);
  const cfg = asObject(await client.blob(ref, config.digest), 'image config', ref.registry);
  if (!indexDigest && typeof cfg.architecture === 'string' && typeof cfg.os === 'string') {
    const have = {
      os: cfg.os.toLowerCase(),
      architecture: cfg.architecture.toLowerCase(),
      ...(typeof cfg.variant === 'string' ? { variant: cfg.variant } : {}),
    };
    const variantOk = !platform.variant || normalVariant(have.architecture, have.variant) === normalVariant(platform.architecture, platform.variant);
    if (have.os !== platform.os || have.architecture !== platform.architecture || !variantOk) {
      throw new RegistryError(
        'platform-mismatch',
        `registry ${ref.registry}: "${ref.original}" is built for ${formatPlatform(have)}, not ${formatPlatform(platform)}`,
        `Pass --platform ${formatPlatform(have)}, or use an image built for ${formatPlatform(platform)}.`,
      );
    }
  }
  const inner = (typeof cfg.config === 'object' && cfg.config !== null ? cfg.config : {}) as Record<string, unknown>;
  return {
    reference: ref.canonical,
    digest,
    ...(indexDigest ? { index: indexDigest } : {}),
    platform: formatPlatform(platform),
    entrypoint: stringList(inner.Entrypoint, 'Entrypoint', ref.registry),
    cmd: stringList(inner.Cmd, 'Cmd', ref.registry),
  };
}
