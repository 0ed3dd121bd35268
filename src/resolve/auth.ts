import { DOCKER_HUB } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/v2/` → `host:5000`. */
function keyHost(key: string): string {
  const h = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return h === 'index.docker.io' || h === 'registry-1.docker.io' ? DOCKER_HUB : h;
}

/** config.json cannot be read or is not one; the message names the file. */
export class DockerConfigError extends Error {}

/**
 * Where the Docker config.json is, and how to read it (the port: src/resolve/ reads no file itself).
 * `read` gives undefined when there is no such file, and throws (any error) when it cannot be read.
 */
export interface DockerConfigSource {
  path: string;
  read(): Promise<string | undefined>;
}

/**
 * Credentials from config.json (`auths.<host>.auth`, base64 `user:password`, or its
 * `username`/`password` fields), read once when first needed. A missing file means no credentials;
 * a file that is not JSON throws. Credential helpers (`credsStore`, `credHelpers`) are not run.
 */
export class DockerConfig {
  private auths?: Map<string, Credentials>;
  private helpers = false;
  constructor(private readonly source: DockerConfigSource) {}

  get path(): string {
    return this.source.path;
  }

  /** True when config.json names credential helpers (which startorder does not run); after credentialsFor. */
  get usesHelpers(): boolean {
    return this.helpers;
  }

  async credentialsFor(registry: string): Promise<Credentials | undefined> {
    return (await this.load()).get(keyHost(registry));
  }

  private async load(): Promise<Map<string, Credentials>> {
    if (this.auths) return this.auths;
    let text: string | undefined;
    try {
      text = await this.source.read();
    } catch (e) {
      throw new DockerConfigError(`cannot read ${this.path}: ${(e as Error).message}`);
    }
    this.auths = text === undefined ? new Map() : this.parse(text);
    return this.auths;
  }

  private parse(text: string): Map<string, Credentials> {
    const out = new Map<string, Credentials>();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DockerConfigError(`${this.path} is not valid JSON: ${(e as Error).message}`);
    }
    const root = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    this.helpers = typeof root.credsStore === 'string' || (typeof root.credHelpers === 'object' && root.credHelpers !== null);
    const auths = (typeof root.auths === 'object' && root.auths !== null ? root.auths : {}) as Record<string, unknown>;
    for (const key of Object.keys(auths).sort()) {
      const a = auths[key] as Record<string, unknown> | null;
      if (!a || typeof a !== 'object') continue;
      let creds: Credentials | undefined;
      if (typeof a.auth === 'string' && a.auth !== '') {
        const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i < 0) throw new DockerConfigError(`${this.path}: auths["${key}"].auth is not base64 of "user:password"`);
        creds = { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      } else if (typeof a.username === 'string' && typeof a.password === 'string') {
        creds = { username: a.username, password: a.password };
      }
      const host = keyHost(key);
      // An exact `host` key wins over `https://host/…` forms of the same host.
      if (creds && (!out.has(host) || key.toLowerCase() === host)) out.set(host, creds);
    }
    return out;
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2] ?? '')) !== null) {
    if (p[0] === '') break;
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}
