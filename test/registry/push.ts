/** Test helper: pushes images through the distribution API (blob uploads, then the manifest). */
import { createHash, randomBytes } from 'node:crypto';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Pushed {
  digest: string;
  size: number;
}

export interface ImageSpec {
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  os?: string;
  architecture?: string;
  variant?: string;
}

export class Pusher {
  private authorization?: string;
  constructor(
    private readonly url: string,
    private readonly creds?: { username: string; password: string },
  ) {}

  private basic(): string | undefined {
    return this.creds ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}` : undefined;
  }

  private async request(method: string, urlOrPath: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const url = urlOrPath.startsWith('http') ? urlOrPath : `${this.url}${urlOrPath}`;
    const go = () =>
      fetch(url, {
        method,
        headers: { ...headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
        ...(body ? { body } : {}),
        redirect: 'manual',
      });
    let res = await go();
    if (res.status !== 401) return res;
    await res.arrayBuffer();
    const h = res.headers.get('www-authenticate') ?? '';
    if (/^basic/i.test(h)) this.authorization = this.basic();
    else if (/^bearer/i.test(h)) {
      const param = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(h)?.[1];
      const t = new URL(param('realm')!);
      t.searchParams.set('service', param('service') ?? '');
      t.searchParams.set('scope', param('scope') ?? '');
      const basic = this.basic();
      const tr = await fetch(t, { headers: basic ? { authorization: basic } : {} });
      if (tr.status !== 200) throw new Error(`token: HTTP ${tr.status}`);
      this.authorization = `Bearer ${((await tr.json()) as { token: string }).token}`;
    }
    res = await go();
    return res;
  }

  async blob(repo: string, bytes: Buffer): Promise<Pushed> {
    const digest = sha256(bytes);
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`);
    await start.arrayBuffer();
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const loc = new URL(start.headers.get('location')!, this.url);
    loc.searchParams.set('digest', digest);
    const put = await this.request('PUT', loc.toString(), bytes, { 'content-type': 'application/octet-stream' });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
    return { digest, size: bytes.length };
  }

  async manifest(repo: string, reference: string, value: unknown, mediaType: string): Promise<Pushed> {
    const bytes = Buffer.from(JSON.stringify(value));
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, bytes, { 'content-type': mediaType });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`manifest ${repo}:${reference}: HTTP ${res.status} ${text}`);
    return { digest: sha256(bytes), size: bytes.length };
  }

  /** A single-platform OCI image; `tag` undefined pushes it by digest only. */
  async image(repo: string, tag: string | undefined, spec: ImageSpec): Promise<Pushed> {
    const config = Buffer.from(
      JSON.stringify({
        architecture: spec.architecture ?? 'amd64',
        os: spec.os ?? 'linux',
        ...(spec.variant ? { variant: spec.variant } : {}),
        config: {
          Env: ['PATH=/usr/bin:/bin'],
          ...(spec.entrypoint !== undefined ? { Entrypoint: spec.entrypoint } : {}),
          ...(spec.cmd !== undefined ? { Cmd: spec.cmd } : {}),
        },
        rootfs: { type: 'layers', diff_ids: [sha256(Buffer.from('layer'))] },
      }),
    );
    const c = await this.blob(repo, config);
    const l = await this.blob(repo, randomBytes(64));
    const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...c }, layers: [{ mediaType: OCI_LAYER, ...l }] };
    const byDigest = await this.manifest(repo, sha256(Buffer.from(JSON.stringify(manifest))), manifest, OCI_MANIFEST);
    if (tag) await this.manifest(repo, tag, manifest, OCI_MANIFEST);
    return byDigest;
  }

  /** A multi-arch OCI index over images pushed first, tagged `tag`. */
  async index(repo: string, tag: string, images: { pushed: Pushed; os: string; architecture: string; variant?: string }[]): Promise<Pushed> {
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((i) => ({
        mediaType: OCI_MANIFEST,
        ...i.pushed,
        platform: { architecture: i.architecture, os: i.os, ...(i.variant ? { variant: i.variant } : {}) },
      })),
    };
    return this.manifest(repo, tag, index, OCI_INDEX);
  }
}
