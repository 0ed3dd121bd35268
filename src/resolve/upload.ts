/**
 * Push support for the distribution API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push):
 * HEAD of a blob, uploads (monolithic POST+PUT, chunked POST+PATCH…+PUT), cross-repository mounts,
 * and manifest PUTs, with the same auth as the lookups of --resolve-images (Docker config.json, basic
 * auth, bearer tokens, asked here for `repository:REPO:pull,push`).
 */
import { basicHeader, parseChallenge } from './auth.js';
import { RegistryError, sha256, unexpectedStatus } from './failures.js';
import type { ImageRef } from './reference.js';
import { RegistryClient } from './registry.js';

interface Init {
  method: string;
  body?: Uint8Array;
  headers?: Record<string, string>;
}

/** A registry client that can also write: one per target repository (its token covers that push). */
export class PushClient extends RegistryClient {
  /** Requests sent, by method (`HEAD`, `POST`, …), retries after a 401 included. */
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly target: ImageRef,
    opts: ConstructorParameters<typeof RegistryClient>[2],
    /** A repository of the same registry to mount blobs from (`?mount=…&from=…`). */
    private readonly from?: string,
  ) {
    super(target.registry, target.apiHost, opts);
  }

  private scopes(): string[] {
    return [`repository:${this.target.repository}:pull,push`, ...(this.from ? [`repository:${this.from}:pull`] : [])];
  }

  protected override send(url: string, headers: Record<string, string>, init: { method?: string; body?: Uint8Array } = {}): Promise<Response> {
    const m = init.method ?? 'GET';
    this.counts[m] = (this.counts[m] ?? 0) + 1;
    return super.send(url, headers, init);
  }

  protected override networkHint(): string {
    return `Check that ${this.base} is reachable from here${this.base.startsWith('https:') ? ' (and serves HTTPS; a plain-HTTP registry must be listed with --insecure-registry)' : ''}.`;
  }

  protected override denied(status: number, hadCreds: boolean): RegistryError {
    const e = super.denied(status, hadCreds);
    return new RegistryError(e.code, e.message, e.hint.replace('may pull this repository', `may push to ${this.target.repository}`));
  }

  /** A request with the auth dance: what is known first, then what a 401 challenge asks for (pull,push). */
  private async request(url: string, init: Init): Promise<Response> {
    const headers = init.headers ?? {};
    const key = this.target.repository;
    const auth = this.tokens.has(key) ? `Bearer ${this.tokens.get(key)}` : this.basic;
    const go = (a?: string) =>
      this.send(url, a ? { ...headers, authorization: a } : headers, { method: init.method, ...(init.body ? { body: init.body } : {}) });
    let res = await go(auth);
    if (res.status !== 401) return res;
    await res.arrayBuffer().catch(() => undefined);
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    const creds = await this.opts.dockerConfig.credentialsFor(this.registry);
    if (challenge?.scheme === 'bearer') {
      const t = await this.fetchToken(this.target, challenge.params, creds, this.scopes());
      this.tokens.set(key, t);
      res = await go(`Bearer ${t}`);
    } else if (challenge?.scheme === 'basic' && creds && !this.basic) {
      this.basic = basicHeader(creds);
      res = await go(this.basic);
    }
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer().catch(() => undefined);
      throw this.denied(res.status, creds !== undefined);
    }
    return res;
  }

  private url(path: string): string {
    return `${this.base}/v2/${this.target.repository}/${path}`;
  }

  /** True when the repository has the blob (HEAD 200), false on 404. */
  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request(this.url(`blobs/${digest}`), { method: 'HEAD' });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw unexpectedStatus(this.registry, res.status, `HEAD blob ${digest}`, Buffer.alloc(0));
  }

  /** Starts an upload; with `from`, asks to mount `digest` first: 'mounted' (201), else the upload's URL (202). */
  async startUpload(digest?: string): Promise<'mounted' | URL> {
    const query = this.from && digest ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(this.from)}` : '';
    const res = await this.request(this.url(`blobs/uploads/${query}`), { method: 'POST', headers: { 'content-length': '0' } });
    const body = await this.read(res);
    if (res.status === 201 && query) return 'mounted';
    if (res.status !== 202) throw unexpectedStatus(this.registry, res.status, `blob upload to ${this.target.repository}`, body);
    return this.location(res);
  }

  private location(res: Response): URL {
    const loc = res.headers.get('location');
    if (!loc)
      throw new RegistryError(
        'registry-bad-response',
        `registry ${this.registry} started an upload without a Location`,
        'The registry is not a distribution-API registry.',
      );
    return new URL(loc, this.base);
  }

  /** Sends `bytes` to an upload: whole in the closing PUT when `chunk` ≥ its size, else PATCH by PATCH of `chunk` bytes. */
  async upload(at: URL, bytes: Uint8Array, chunk: number): Promise<void> {
    let url = at;
    if (bytes.length > chunk) {
      for (let start = 0; start < bytes.length; start += chunk) {
        const part = bytes.subarray(start, Math.min(bytes.length, start + chunk));
        const headers = { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + part.length - 1}` };
        const res = await this.request(url.toString(), { method: 'PATCH', body: part, headers });
        const body = await this.read(res);
        if (res.status !== 202) throw unexpectedStatus(this.registry, res.status, `blob chunk ${start}-${start + part.length - 1}`, body);
        url = this.location(res);
      }
    }
    const digest = sha256(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    url.searchParams.set('digest', digest);
    const last = bytes.length > chunk ? undefined : bytes;
    const headers = { 'content-type': 'application/octet-stream', ...(last ? {} : { 'content-length': '0' }) };
    const res = await this.request(url.toString(), { method: 'PUT', headers, ...(last ? { body: last } : {}) });
    const body = await this.read(res);
    if (res.status !== 201) throw unexpectedStatus(this.registry, res.status, `blob ${digest}`, body);
  }

  /** PUTs a manifest or index under `reference` (a tag or its digest); checks the digest the registry gives it. */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    const res = await this.request(this.url(`manifests/${reference}`), { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } });
    const body = await this.read(res);
    if (res.status !== 201) throw unexpectedStatus(this.registry, res.status, `manifest ${this.target.repository}:${reference}`, body);
    const want = sha256(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    const got = res.headers.get('docker-content-digest');
    if (got && got !== want)
      throw new RegistryError(
        'registry-digest-mismatch',
        `registry ${this.registry} stored manifest ${this.target.repository}:${reference} as ${got}, not ${want}`,
        'The registry rewrote the manifest; push to a registry that keeps manifests as sent.',
      );
  }
}
