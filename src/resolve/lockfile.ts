import { parse, stringify } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';

/**
 * `startorder.lock`: what each image reference resolved to, so later runs need no registry.
 *
 * ```yaml
 * version: 1
 * images:
 *   nginx:1.27:
 *     reference: docker.io/library/nginx:1.27
 *     digest: sha256:…        # the platform's image manifest
 *     index: sha256:…         # the multi-arch index the tag pointed to, if any
 *     platform: linux/amd64
 *     entrypoint: [/docker-entrypoint.sh]
 *     cmd: [nginx, -g, daemon off;]
 * ```
 */
export interface LockEntry {
  /** The normalised reference: `docker.io/library/nginx:1.27`. */
  reference: string;
  /** Digest of the image manifest the entrypoint was read from. */
  digest: string;
  /** Digest of the image index (manifest list) the reference resolved to, when it was one. */
  index?: string;
  /** `os/architecture[/variant]`. */
  platform: string;
  entrypoint: string[];
  cmd: string[];
}

export interface Lockfile {
  version: 1;
  /** Keyed by the image reference exactly as the manifests write it. */
  images: Record<string, LockEntry>;
}

export const LOCK_VERSION = 1;
export const DEFAULT_LOCK_FILE = 'startorder.lock';
const HEADER = '# Written by `startorder --resolve-images`: the ENTRYPOINT and CMD of images, by digest. Commit it.\n';
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const PLATFORM = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/i;

export function emptyLockfile(): Lockfile {
  return { version: LOCK_VERSION, images: {} };
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Parses a lock file (YAML or JSON, JSON being YAML). A file that is not one gives `lock-invalid`
 * diagnostics (with `image` when one entry is at fault) and no lock; an empty text is an empty lock.
 */
export function readLockfile(text: string, file = DEFAULT_LOCK_FILE): { lock?: Lockfile; diagnostics: Diagnostic[] } {
  const bad = (message: string, image?: string): Diagnostic => ({
    code: 'lock-invalid',
    severity: 'error',
    message: `${file}: ${message}`,
    hint: image
      ? `Remove the entry "${image}" from ${file} and run with --resolve-images (without --locked) to record it again.`
      : `Delete ${file} and run with --resolve-images (without --locked) to write it again.`,
    ...(image !== undefined ? { image } : {}),
  });
  if (text.trim() === '') return { lock: emptyLockfile(), diagnostics: [] };
  let root: unknown;
  try {
    root = parse(text, { version: '1.2', uniqueKeys: true, maxAliasCount: 0 });
  } catch (e) {
    return { diagnostics: [bad(`not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`)] };
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    return { diagnostics: [bad('not a lock file (expected a mapping with version and images)')] };
  const r = root as Record<string, unknown>;
  if (r.version !== LOCK_VERSION)
    return { diagnostics: [bad(`unsupported lock file version ${JSON.stringify(r.version)} (this startorder writes version ${LOCK_VERSION})`)] };
  const unknownTop = Object.keys(r).filter((k) => k !== 'version' && k !== 'images');
  if (unknownTop.length > 0) return { diagnostics: [bad(`unknown field(s) ${unknownTop.join(', ')}`)] };
  const images = r.images ?? {};
  if (typeof images !== 'object' || images === null || Array.isArray(images)) return { diagnostics: [bad('"images" is not a mapping')] };
  const diagnostics: Diagnostic[] = [];
  const lock = emptyLockfile();
  for (const [image, raw] of Object.entries(images as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      diagnostics.push(bad(`entry "${image}" is not a mapping`, image));
      continue;
    }
    const e = raw as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof e.reference !== 'string' || e.reference === '') problems.push('reference is missing');
    if (typeof e.digest !== 'string' || !DIGEST.test(e.digest)) problems.push('digest is missing or not a digest');
    if (e.index !== undefined && (typeof e.index !== 'string' || !DIGEST.test(e.index))) problems.push('index is not a digest');
    if (typeof e.platform !== 'string' || !PLATFORM.test(e.platform)) problems.push('platform is missing or not os/arch[/variant]');
    if (!isStrings(e.entrypoint)) problems.push('entrypoint is not a list of strings');
    if (!isStrings(e.cmd)) problems.push('cmd is not a list of strings');
    const extra = Object.keys(e).filter((k) => !['reference', 'digest', 'index', 'platform', 'entrypoint', 'cmd'].includes(k));
    if (extra.length > 0) problems.push(`unknown field(s) ${extra.join(', ')}`);
    if (problems.length > 0) {
      diagnostics.push(bad(`entry "${image}": ${problems.join('; ')}`, image));
      continue;
    }
    lock.images[image] = {
      reference: e.reference as string,
      digest: e.digest as string,
      ...(e.index !== undefined ? { index: e.index as string } : {}),
      platform: e.platform as string,
      entrypoint: [...(e.entrypoint as string[])],
      cmd: [...(e.cmd as string[])],
    };
  }
  return diagnostics.length > 0 ? { diagnostics } : { lock, diagnostics };
}

/** Deterministic text: images sorted by reference (code-point order), fields in a fixed order. */
export function writeLockfile(lock: Lockfile, format: 'yaml' | 'json' = 'yaml'): string {
  const images: Record<string, LockEntry> = {};
  for (const key of Object.keys(lock.images).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const e = lock.images[key]!;
    images[key] = {
      reference: e.reference,
      digest: e.digest,
      ...(e.index ? { index: e.index } : {}),
      platform: e.platform,
      entrypoint: [...e.entrypoint],
      cmd: [...e.cmd],
    };
  }
  const value = { version: LOCK_VERSION, images };
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return HEADER + stringify(value, { version: '1.2', lineWidth: 0, aliasDuplicateObjects: false, defaultKeyType: 'PLAIN', defaultStringType: 'PLAIN' });
}

/** `yaml` unless the file name ends in .json. */
export function lockFormatFor(file: string): 'yaml' | 'json' {
  return /\.json$/i.test(file) ? 'json' : 'yaml';
}
