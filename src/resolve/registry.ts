import { basicHeader, parseChallenge, type Credentials, type DockerConfig } from './auth.js';
import { digestOf, networkReason, RegistryError, sha256, unexpectedStatus } from './failures.js';
import { schemeFor, type ImageRef } from './reference.js';

export { RegistryError } from './failures.js';

export const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
export const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');
/** Manifests and config blobs are small; anything larger is not one. */
const MAX_BYTES = 4 * 1024 * 1024;

export interface ClientOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  insecureRegistries: readonly string[];
  dockerConfig: DockerConfig;
}

export interface Fetched {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** One registry API host: remembers its bearer tokens per repository. */
export class RegistryClient {
  readonly base: string;
  protected tokens = new Map<string, string>();
  /** Basic credentials once the registry asked for them. */
  protected basic?: string;

  constructor(
    readonly registry: string,
    readonly apiHost: string,
    protected readonly opts: ClientOptions,
  ) {
    this.base = `${schemeFor(apiHost, opts.insecureRegistries)}://${apiHost}`;
  }

  /** One request (GET unless `init` says otherwise); a network failure is a RegistryError. */
  protected async send(url: string, headers: Record<string, string>, init: { method?: string; body?: Uint8Array } = {}): Promise<Response> {
    try {
      // The timeout covers the whole exchange, body included (see read()).
      return await this.opts.fetch(url, { ...init, headers, redirect: 'follow', signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (e) {
      throw this.network(e);
    }
  }

  protected network(e: unknown): RegistryError {
    const n = networkReason(e, this.opts.timeoutMs);
    return new RegistryError(n.code, `registry ${this.registry} (${this.base}): ${n.reason}`, this.networkHint());
  }

  protected networkHint(): string {
    return `Check that ${this.base} is reachable from here${this.base.startsWith('https:') ? ' (and serves HTTPS; a plain-HTTP registry must be listed with --insecure-registry)' : ''}, or run with --locked and a startorder.lock that has this image.`;
  }

  protected async read(res: Response): Promise<Buffer> {
    try {
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.length > MAX_BYTES)
        throw new RegistryError(
          'registry-bad-response',
          `registry ${this.registry}: ${res.url} sent ${buf.length} bytes, more than a manifest or image config can be`,
          'Check the image reference.',
        );
      return buf;
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw this.network(e);
    }
  }

  /** GET with the registry's auth dance: anonymous first, then what the 401 challenge asks for. */
  private async get(ref: ImageRef, path: string, accept?: string): Promise<Response> {
    const url = `${this.base}/v2/${ref.repository}/${path}`;
    const headers: Record<string, string> = accept ? { accept } : {};
    const token = this.tokens.get(ref.repository);
    const auth = token ? `Bearer ${token}` : this.basic;
    let res = await this.send(url, auth ? { ...headers, authorization: auth } : headers);
    if (res.status !== 401) return res;
    await res.arrayBuffer().catch(() => undefined);
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    const creds = await this.opts.dockerConfig.credentialsFor(this.registry);
    if (challenge?.scheme === 'bearer') {
      const t = await this.fetchToken(ref, challenge.params, creds);
      this.tokens.set(ref.repository, t);
      res = await this.send(url, { ...headers, authorization: `Bearer ${t}` });
    } else if (challenge?.scheme === 'basic' && creds && !this.basic) {
      this.basic = basicHeader(creds);
      res = await this.send(url, { ...headers, authorization: this.basic });
    }
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer().catch(() => undefined);
      throw this.denied(res.status, creds !== undefined);
    }
    return res;
  }

  protected denied(status: number, hadCreds: boolean): RegistryError {
    const cfg = this.opts.dockerConfig;
    const helpers = cfg.usesHelpers ? ' (credential helpers, credsStore/credHelpers, are not run by startorder: put the credentials in auths)' : '';
    const code = status === 403 ? 'registry-forbidden' : 'registry-unauthorized';
    return hadCreds
      ? new RegistryError(
          code,
          `registry ${this.registry} refused the credentials from ${cfg.path} (HTTP ${status})`,
          `Check the user and password for ${this.registry} in ${cfg.path} (e.g. \`docker login ${this.registry}\`), and that the user may pull this repository.`,
        )
      : new RegistryError(
          code,
          `registry ${this.registry} needs credentials (HTTP ${status}) and ${cfg.path} has none for it${helpers}`,
          `Log in (\`docker login ${this.registry}\`) so that ${cfg.path} has auths["${this.registry}"], or set DOCKER_CONFIG to the directory of a config.json that has.`,
        );
  }

  /** A bearer token from the challenge's realm, for `scopes` (default: pull of the repository the challenge is about). */
  protected async fetchToken(ref: ImageRef, params: Record<string, string>, creds: Credentials | undefined, scopes?: readonly string[]): Promise<string> {
    const realm = params.realm;
    if (!realm)
      throw new RegistryError(
        'registry-auth-invalid',
        `registry ${this.registry} asked for a bearer token without saying where to get it (no realm)`,
        'The registry is misconfigured; ask its operator.',
      );
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(
        'registry-auth-invalid',
        `registry ${this.registry}: token realm "${realm}" is not a URL`,
        'The registry is misconfigured; ask its operator.',
      );
    }
    if (url.protocol === 'http:' && schemeFor(url.host, this.opts.insecureRegistries) !== 'http') {
      throw new RegistryError(
        'registry-insecure-token',
        `registry ${this.registry}: token endpoint ${realm} is plain HTTP`,
        `Credentials are not sent over plain HTTP; list ${url.host} with --insecure-registry if that is intended.`,
      );
    }
    if (params.service) url.searchParams.set('service', params.service);
    if (scopes) for (const s of scopes) url.searchParams.append('scope', s);
    else url.searchParams.set('scope', params.scope ?? `repository:${ref.repository}:pull`);
    const res = await this.send(url.toString(), creds ? { authorization: basicHeader(creds) } : {});
    const body = await this.read(res);
    if (res.status === 401 || res.status === 403) throw this.denied(res.status, creds !== undefined);
    if (res.status !== 200)
      throw new RegistryError(
        'registry-auth-invalid',
        `registry ${this.registry}: token endpoint ${url.origin}${url.pathname} answered HTTP ${res.status}`,
        'Check the credentials and that the registry is up.',
      );
    let json: { token?: unknown; access_token?: unknown };
    try {
      json = JSON.parse(body.toString('utf8')) as typeof json;
    } catch {
      throw new RegistryError(
        'registry-auth-invalid',
        `registry ${this.registry}: token endpoint ${url.origin}${url.pathname} did not answer JSON`,
        'The registry is misconfigured; ask its operator.',
      );
    }
    const token = typeof json.token === 'string' ? json.token : typeof json.access_token === 'string' ? json.access_token : undefined;
    if (!token)
      throw new RegistryError(
        'registry-auth-invalid',
        `registry ${this.registry}: token endpoint gave no token`,
        'The registry is misconfigured; ask its operator.',
      );
    return token;
  }

  /** A manifest or index by tag or digest, its digest checked. */
  async manifest(ref: ImageRef, reference: string): Promise<Fetched> {
    const res = await this.get(ref, `manifests/${reference}`, ACCEPT);
    const bytes = await this.read(res);
    if (res.status === 404) {
      throw new RegistryError(
        'registry-not-found',
        `registry ${this.registry} has no ${reference.includes(':') ? 'manifest' : 'tag'} "${reference}" in repository ${ref.repository} (HTTP 404)`,
        `Check the image name and tag of "${ref.original}" (is it pushed to ${this.registry}?).`,
      );
    }
    if (res.status !== 200) throw unexpectedStatus(this.registry, res.status, `manifest ${ref.repository}:${reference}`, bytes);
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const algorithm = reference.includes(':') ? reference.slice(0, reference.indexOf(':')) : 'sha256';
    const computed = algorithm === 'sha256' ? sha256(bytes) : digestOf(bytes, algorithm);
    if (reference.includes(':') && computed !== reference) {
      throw new RegistryError(
        'registry-digest-mismatch',
        `registry ${this.registry} sent a manifest for ${ref.repository}@${reference} whose digest is ${computed ?? `not computable (${algorithm})`}`,
        'The registry or a proxy changed the manifest; do not trust it.',
      );
    }
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && header !== computed) {
      throw new RegistryError(
        'registry-digest-mismatch',
        `registry ${this.registry}: manifest ${ref.repository}:${reference} has digest ${computed}, but the registry says ${header}`,
        'The registry or a proxy changed the manifest; do not trust it.',
      );
    }
    return { bytes, mediaType, digest: computed ?? reference };
  }

  /** A blob (the image config), its digest checked. */
  async blob(ref: ImageRef, digest: string): Promise<Buffer> {
    const res = await this.get(ref, `blobs/${digest}`);
    const bytes = await this.read(res);
    if (res.status === 404)
      throw new RegistryError(
        'image-incomplete',
        `registry ${this.registry} has no blob ${digest} in ${ref.repository} (HTTP 404)`,
        `The image "${ref.original}" is incomplete in the registry; push it again.`,
      );
    if (res.status !== 200) throw unexpectedStatus(this.registry, res.status, `blob ${digest}`, bytes);
    const algorithm = digest.slice(0, digest.indexOf(':'));
    const computed = digestOf(bytes, algorithm);
    if (computed !== digest)
      throw new RegistryError(
        'registry-digest-mismatch',
        `registry ${this.registry}: blob ${digest} of ${ref.repository} has digest ${computed ?? `not computable (${algorithm})`}`,
        'The registry or a proxy changed the blob; do not trust it.',
      );
    return bytes;
  }
}
