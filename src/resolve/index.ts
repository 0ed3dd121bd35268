/**
 * `--resolve-images`: the ENTRYPOINT and CMD of images, looked up through the OCI distribution API
 * and recorded by digest in a lock file, so that containers without `command` can be ordered.
 *
 * The only network access of startorder. Nothing here writes files: the caller writes the returned
 * lock, and only when there are no diagnostics.
 */
import { DockerConfig, DockerConfigError, defaultDockerConfigDir } from './auth.js';
import { emptyLockfile, type LockEntry, type Lockfile } from './lockfile.js';
import { parseReference, ReferenceError, type ImageRef } from './reference.js';
import { INDEX_TYPES, MANIFEST_TYPES, RegistryClient, RegistryError } from './registry.js';

export { readLockfile, writeLockfile, emptyLockfile, lockFormatFor, DEFAULT_LOCK_FILE, type Lockfile, type LockEntry, type LockDiagnostic } from './lockfile.js';
export { parseReference, type ImageRef } from './reference.js';
export { imageSites, imagesToResolve, withResolvedImages } from './wiring.js';

export const DEFAULT_PLATFORM = 'linux/amd64';
export const DEFAULT_TIMEOUT_MS = 20_000;
const PARALLEL = 4;

export type ResolveCode = 'image-resolve-failed' | 'image-not-locked' | 'lock-mismatch';

export interface ResolveDiagnostic {
  code: ResolveCode;
  severity: 'error';
  message: string;
  hint: string;
  /** The image reference as the manifests write it (absent only for a lock file that is malformed as a whole). */
  image: string;
}

export interface ResolvedImage {
  image: string;
  /** ENTRYPOINT ([] when the image has none). */
  command: string[];
  /** CMD ([] when the image has none). */
  args: string[];
}

export interface ResolveOptions {
  /** The lock file read so far; its entries are used without any lookup. */
  lock?: Lockfile;
  /** Look nothing up: an image the lock does not have is an error. */
  locked: boolean;
  /** `os/arch[/variant]`; default linux/amd64. */
  platform?: string;
  /** Directory of config.json; default $DOCKER_CONFIG, else ~/.docker. */
  dockerConfigDir?: string;
  /** Registries (`host` or `host:port`) reached over plain HTTP; loopback ones always are. */
  insecureRegistries?: string[];
  /** Per request, body included; default 20 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ResolveResult {
  /** One per image resolved, in the order given (duplicates once). */
  entries: ResolvedImage[];
  /** The input lock plus what was looked up; when there are diagnostics, the input lock unchanged. */
  lock: Lockfile;
  /** Sorted by image; any of them means: write nothing. */
  diagnostics: ResolveDiagnostic[];
}

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

function parsePlatform(p: string): Platform | undefined {
  const parts = p.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[a-z0-9_.-]+$/i.test(x))) return undefined;
  return { os: parts[0]!.toLowerCase(), architecture: parts[1]!.toLowerCase(), ...(parts[2] ? { variant: parts[2].toLowerCase() } : {}) };
}

function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The default variant of an architecture, for matching `linux/arm64` against `linux/arm64/v8`. */
function normalVariant(arch: string, variant: string | undefined): string | undefined {
  if (variant) return variant;
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return undefined;
}

function asObject(bytes: Buffer, what: string, registry: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RegistryError(`registry ${registry}: the ${what} is not JSON`, 'The image is broken in the registry; push it again.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RegistryError(`registry ${registry}: the ${what} is not a JSON object`, 'The image is broken in the registry; push it again.');
  return v as Record<string, unknown>;
}

function stringList(v: unknown, what: string, registry: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new RegistryError(`registry ${registry}: the image config's ${what} is not a list of strings`, 'The image is broken in the registry; push it again.');
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
  throw new RegistryError(`registry ${registry}: "${ref.original}" has no image for ${formatPlatform(want)} (it has: ${have.length > 0 ? [...new Set(have)].join(', ') : 'none'})`, `Pass --platform with one of the platforms the image has, or use an image built for ${formatPlatform(want)}.`);
}

async function lookUp(ref: ImageRef, client: RegistryClient, platform: Platform): Promise<LockEntry> {
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
    throw new RegistryError(`registry ${ref.registry}: "${ref.original}" is a ${mediaType || 'manifest of unknown type'}, not an OCI or Docker v2 image manifest`, 'Use an image pushed with a current tool (schema 1 manifests are not supported).');
  }
  const config = doc.config as Descriptor | undefined;
  if (!config || typeof config.digest !== 'string') throw new RegistryError(`registry ${ref.registry}: the manifest of "${ref.original}" has no config`, 'The image is broken in the registry; push it again.');
  const cfg = asObject(await client.blob(ref, config.digest), 'image config', ref.registry);
  if (!indexDigest && typeof cfg.architecture === 'string' && typeof cfg.os === 'string') {
    const have = { os: cfg.os.toLowerCase(), architecture: cfg.architecture.toLowerCase(), ...(typeof cfg.variant === 'string' ? { variant: cfg.variant } : {}) };
    const variantOk = !platform.variant || normalVariant(have.architecture, have.variant) === normalVariant(platform.architecture, platform.variant);
    if (have.os !== platform.os || have.architecture !== platform.architecture || !variantOk) {
      throw new RegistryError(`registry ${ref.registry}: "${ref.original}" is built for ${formatPlatform(have)}, not ${formatPlatform(platform)}`, `Pass --platform ${formatPlatform(have)}, or use an image built for ${formatPlatform(platform)}.`);
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

/** Why a lock entry cannot stand for `ref` on `platform`; undefined when it can. */
function mismatch(entry: LockEntry, ref: ImageRef, platform: string): string | undefined {
  if (entry.platform !== platform) return `it is recorded for platform ${entry.platform}, but ${platform} is wanted`;
  if (entry.reference !== ref.canonical) return `it is recorded as ${entry.reference}, but the image normalises to ${ref.canonical}`;
  if (ref.digest && entry.digest !== ref.digest && entry.index !== ref.digest) return `it is recorded with digest ${entry.index ?? entry.digest}, but the image names ${ref.digest}`;
  return undefined;
}

async function pool<T>(items: readonly T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * Resolves the ENTRYPOINT (→ command) and CMD (→ args) of each image: from `opts.lock` when it has
 * the image for the platform, else (unless `locked`) from the registry.
 */
export async function resolveImages(images: readonly string[], opts: ResolveOptions): Promise<ResolveResult> {
  const inputLock = opts.lock ?? emptyLockfile();
  const diagnostics: ResolveDiagnostic[] = [];
  const fail = (code: ResolveCode, image: string, message: string, hint: string): void => void diagnostics.push({ code, severity: 'error', message, hint, image });
  const platformText = opts.platform ?? DEFAULT_PLATFORM;
  const platform = parsePlatform(platformText);
  const unique = [...new Set(images)];
  if (!platform) {
    for (const image of unique) fail('image-resolve-failed', image, `cannot resolve "${image}": platform "${platformText}" is not os/arch[/variant]`, 'Pass --platform like linux/amd64 or linux/arm64/v8.');
    return { entries: [], lock: inputLock, diagnostics };
  }
  const wanted = formatPlatform(platform);
  const found = new Map<string, LockEntry>();
  const toLookUp: { image: string; ref: ImageRef }[] = [];
  for (const image of unique) {
    let ref: ImageRef;
    try {
      ref = parseReference(image);
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      fail('image-resolve-failed', image, `cannot resolve "${image}": ${e.message}`, 'Fix the image reference in the manifest.');
      continue;
    }
    const entry = Object.hasOwn(inputLock.images, image) ? inputLock.images[image] : undefined;
    if (entry) {
      const why = mismatch(entry, ref, wanted);
      if (why) fail('lock-mismatch', image, `the lock file's entry for "${image}" does not match: ${why}`, `Remove the entry "${image}" from the lock file and run with --resolve-images (without --locked) to record it again${entry.platform !== wanted ? `, or pass --platform ${entry.platform}` : ''}.`);
      else found.set(image, entry);
      continue;
    }
    if (opts.locked) {
      fail('image-not-locked', image, `"${image}" is not in the lock file, and --locked forbids looking it up (registry ${ref.registry})`, 'Run once with --resolve-images without --locked (where the registry is reachable) and commit the updated lock file.');
      continue;
    }
    toLookUp.push({ image, ref });
  }

  if (toLookUp.length > 0) {
    const dockerConfig = new DockerConfig(opts.dockerConfigDir ?? defaultDockerConfigDir());
    const clients = new Map<string, RegistryClient>();
    const clientOpts = { fetch: opts.fetch ?? globalThis.fetch, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, insecureRegistries: opts.insecureRegistries ?? [], dockerConfig };
    await pool(toLookUp, PARALLEL, async ({ image, ref }) => {
      let client = clients.get(ref.apiHost);
      if (!client) clients.set(ref.apiHost, (client = new RegistryClient(ref.registry, ref.apiHost, clientOpts)));
      try {
        found.set(image, await lookUp(ref, client, platform));
      } catch (e) {
        if (e instanceof RegistryError) fail('image-resolve-failed', image, `cannot resolve "${image}": ${e.message}`, e.hint);
        else if (e instanceof DockerConfigError) fail('image-resolve-failed', image, `cannot resolve "${image}" (registry ${ref.registry}): ${e.message}`, 'Fix the Docker config file, or point DOCKER_CONFIG at another directory.');
        else throw e;
      }
    });
  }

  if (diagnostics.length > 0) {
    diagnostics.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    return { entries: [], lock: inputLock, diagnostics };
  }
  const lock: Lockfile = { version: inputLock.version, images: { ...inputLock.images } };
  const entries: ResolvedImage[] = [];
  for (const image of unique) {
    const e = found.get(image)!;
    lock.images[image] = e;
    entries.push({ image, command: [...e.entrypoint], args: [...e.cmd] });
  }
  return { entries, lock, diagnostics };
}
