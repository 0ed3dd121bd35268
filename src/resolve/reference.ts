/**
 * Image references, normalised as Docker does: `nginx` is `docker.io/library/nginx:latest`, the first
 * path component is a registry only when it has a `.` or a `:` or is `localhost`, and docker.io is
 * served by `registry-1.docker.io`.
 */

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface ImageRef {
  /** The reference as written in the manifest. */
  original: string;
  /** Registry as Docker names it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Host (and port) the distribution API is called on. */
  apiHost: string;
  /** Repository path: `library/nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Fully qualified: `docker.io/library/nginx:latest`, `host/repo:tag@sha256:…`. */
  canonical: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

/** Not an image reference; the message says why. (Not the JavaScript built-in ReferenceError.) */
export class ImageReferenceError extends Error {}

/** Parses an image reference; throws ImageReferenceError with a reason when it is not one. */
export function parseReference(ref: string): ImageRef {
  const original = ref;
  if (ref.trim() !== ref || ref === '') throw new ImageReferenceError(`"${ref}" is not an image reference`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError(`"${ref}": "${digest}" is not a digest (algorithm:hex, e.g. sha256:…)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(`"${ref}": "${tag}" is not a valid tag`);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  let registry: string;
  let repository: string;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first;
    repository = rest.slice(slash + 1);
    if (!HOST.test(registry)) throw new ImageReferenceError(`"${ref}": "${registry}" is not a registry host`);
  } else {
    registry = DOCKER_HUB;
    repository = rest;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!REPOSITORY.test(repository)) {
    throw new ImageReferenceError(`"${ref}": "${repository}" is not a repository name (lowercase letters, digits and separators . _ __ -)`);
  }
  if (!tag && !digest) tag = 'latest';
  const apiHost = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const canonical = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { original, registry, apiHost, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), canonical };
}

/** Host without the port: `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`. */
export function hostname(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i >= 0 ? hostPort.slice(0, i) : hostPort;
}

/**
 * `http:` for loopback registries and the ones listed with --insecure-registry (by `host` or
 * `host:port`); `https:` everywhere else.
 */
export function schemeFor(apiHost: string, insecure: readonly string[] = []): 'http' | 'https' {
  const h = hostname(apiHost).toLowerCase();
  if (h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)) return 'http';
  const listed = insecure.map((s) =>
    s
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/.*$/, '')
      .toLowerCase(),
  );
  return listed.includes(apiHost.toLowerCase()) || listed.includes(h) ? 'http' : 'https';
}
