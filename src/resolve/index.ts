/**
 * `--resolve-images`: the ENTRYPOINT and CMD of images, looked up through the OCI distribution API
 * and recorded by digest in a lock file, so that containers without `command` can be ordered.
 *
 * The only network access of startorder. Nothing here writes files: the caller writes the returned
 * lock, and only when there are no diagnostics.
 */
import type { Code, Diagnostic } from '../diagnostics.js';
import { DockerConfig, DockerConfigError, type DockerConfigSource } from './auth.js';
import { formatPlatform, lookUp, parsePlatform, type Platform } from './image.js';
import { emptyLockfile, type LockEntry, type Lockfile } from './lockfile.js';
import { parseReference, ImageReferenceError, type ImageRef } from './reference.js';
import { RegistryError } from './failures.js';
import { RegistryClient } from './registry.js';

export { readLockfile, writeLockfile, emptyLockfile, lockFormatFor, DEFAULT_LOCK_FILE, type Lockfile, type LockEntry } from './lockfile.js';
export { parseReference, type ImageRef } from './reference.js';
export type { DockerConfigSource } from './auth.js';

export const DEFAULT_PLATFORM = 'linux/amd64';
export const DEFAULT_TIMEOUT_MS = 20_000;
const PARALLEL = 4;

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
  /** Registries (`host` or `host:port`) reached over plain HTTP; loopback ones always are. */
  insecureRegistries?: string[];
  /** Per request, body included; default 20 s. */
  timeoutMs?: number;
}

/** The outside world of a lookup: the network, and the Docker config.json with the credentials. */
export interface ResolvePorts {
  fetch: typeof fetch;
  dockerConfig: DockerConfigSource;
}

export interface ResolveResult {
  /** One per image resolved, in the order given (duplicates once). */
  entries: ResolvedImage[];
  /** The input lock plus what was looked up; when there are diagnostics, the input lock unchanged. */
  lock: Lockfile;
  /** Sorted by image, each with `image` set; any of them means: write nothing. */
  diagnostics: Diagnostic[];
}

/** Why a lock entry cannot stand for `ref` on `platform`; undefined when it can. */
function mismatch(entry: LockEntry, ref: ImageRef, platform: string): string | undefined {
  if (entry.platform !== platform) return `it is recorded for platform ${entry.platform}, but ${platform} is wanted`;
  if (entry.reference !== ref.canonical) return `it is recorded as ${entry.reference}, but the image normalises to ${ref.canonical}`;
  if (ref.digest && entry.digest !== ref.digest && entry.index !== ref.digest)
    return `it is recorded with digest ${entry.index ?? entry.digest}, but the image names ${ref.digest}`;
  return undefined;
}

async function pool<T>(items: readonly T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

type Fail = (code: Code, image: string, message: string, hint: string) => void;

/** The images the lock has (checked against `ref` and the platform), and those left to look up. */
function fromLock(
  unique: readonly string[],
  opts: ResolveOptions,
  lock: Lockfile,
  wanted: string,
  fail: Fail,
): { found: Map<string, LockEntry>; toLookUp: { image: string; ref: ImageRef }[] } {
  const found = new Map<string, LockEntry>();
  const toLookUp: { image: string; ref: ImageRef }[] = [];
  for (const image of unique) {
    let ref: ImageRef;
    try {
      ref = parseReference(image);
    } catch (e) {
      if (!(e instanceof ImageReferenceError)) throw e;
      fail('image-reference-invalid', image, `cannot resolve "${image}": ${e.message}`, 'Fix the image reference in the manifest.');
      continue;
    }
    const entry = Object.hasOwn(lock.images, image) ? lock.images[image] : undefined;
    if (entry) {
      const why = mismatch(entry, ref, wanted);
      if (why)
        fail(
          'lock-mismatch',
          image,
          `the lock file's entry for "${image}" does not match: ${why}`,
          `Remove the entry "${image}" from the lock file and run with --resolve-images (without --locked) to record it again${entry.platform !== wanted ? `, or pass --platform ${entry.platform}` : ''}.`,
        );
      else found.set(image, entry);
    } else if (opts.locked) {
      fail(
        'image-not-locked',
        image,
        `"${image}" is not in the lock file, and --locked forbids looking it up (registry ${ref.registry})`,
        'Run once with --resolve-images without --locked (where the registry is reachable) and commit the updated lock file.',
      );
    } else toLookUp.push({ image, ref });
  }
  return { found, toLookUp };
}

/** Looks the images up in their registries, a few at a time, one client (and its tokens) per API host. */
async function fromRegistries(
  toLookUp: readonly { image: string; ref: ImageRef }[],
  opts: ResolveOptions,
  ports: ResolvePorts,
  platform: Platform,
  found: Map<string, LockEntry>,
  fail: Fail,
): Promise<void> {
  const dockerConfig = new DockerConfig(ports.dockerConfig);
  const clients = new Map<string, RegistryClient>();
  const clientOpts = { fetch: ports.fetch, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, insecureRegistries: opts.insecureRegistries ?? [], dockerConfig };
  await pool(toLookUp, PARALLEL, async ({ image, ref }) => {
    let client = clients.get(ref.apiHost);
    if (!client) clients.set(ref.apiHost, (client = new RegistryClient(ref.registry, ref.apiHost, clientOpts)));
    try {
      found.set(image, await lookUp(ref, client, platform));
    } catch (e) {
      if (e instanceof RegistryError) fail(e.code, image, `cannot resolve "${image}": ${e.message}`, e.hint);
      else if (e instanceof DockerConfigError)
        fail(
          'docker-config-invalid',
          image,
          `cannot resolve "${image}" (registry ${ref.registry}): ${e.message}`,
          'Fix the Docker config file, or point DOCKER_CONFIG at another directory.',
        );
      else throw e;
    }
  });
}

/**
 * Resolves the ENTRYPOINT (→ command) and CMD (→ args) of each image: from `opts.lock` when it has
 * the image for the platform, else (unless `locked`) from the registry, through `ports` (needed then).
 */
export async function resolveImages(images: readonly string[], opts: ResolveOptions, ports?: ResolvePorts): Promise<ResolveResult> {
  const inputLock = opts.lock ?? emptyLockfile();
  const diagnostics: Diagnostic[] = [];
  const fail: Fail = (code, image, message, hint) => void diagnostics.push({ code, severity: 'error', message, hint, image });
  const platformText = opts.platform ?? DEFAULT_PLATFORM;
  const platform = parsePlatform(platformText);
  const unique = [...new Set(images)];
  if (!platform) {
    for (const image of unique)
      fail(
        'platform-invalid',
        image,
        `cannot resolve "${image}": platform "${platformText}" is not os/arch[/variant]`,
        'Pass --platform like linux/amd64 or linux/arm64/v8.',
      );
    return { entries: [], lock: inputLock, diagnostics };
  }
  const { found, toLookUp } = fromLock(unique, opts, inputLock, formatPlatform(platform), fail);
  if (toLookUp.length > 0) {
    if (!ports) throw new Error('resolveImages: images to look up, but no registry ports (pass locked: true for the lock file alone)');
    await fromRegistries(toLookUp, opts, ports, platform, found, fail);
  }
  if (diagnostics.length > 0) {
    diagnostics.sort((a, b) => (a.image! < b.image! ? -1 : a.image! > b.image! ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
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
