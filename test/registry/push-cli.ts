/** Test helpers for `runtime-image push`: the command with counted requests, and the image read back from the registry. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { nodeDockerConfig } from '../../src/cli/node-registry.js';
import { pushCommand } from '../../src/image/push-command.js';
import { DockerConfig } from '../../src/resolve/auth.js';
import { parseReference } from '../../src/resolve/reference.js';
import { RegistryClient } from '../../src/resolve/registry.js';
import { tempDir } from './registry.js';

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
export function dockerConfig(auths: Record<string, unknown> = {}): string {
  const dir = tempDir('docker-config');
  made.push(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

export interface Pushed {
  code: number;
  stderr: string;
  /** Requests by `METHOD path` kind: `HEAD blob`, `POST upload`, `PATCH upload`, `PUT upload`, `PUT manifest`, `GET manifest`. */
  counts: Record<string, number>;
  ms: number;
}

function kind(method: string, url: string): string {
  const path = new URL(url).pathname;
  const what = path.includes('/blobs/uploads/') ? 'upload' : path.includes('/blobs/') ? 'blob' : path.includes('/manifests/') ? 'manifest' : path;
  return `${method} ${what}`;
}

export async function push(argv: string[], configDir = dockerConfig()): Promise<Pushed> {
  let stderr = '';
  const counts: Record<string, number> = {};
  const counting = ((input: string | URL, init?: RequestInit) => {
    const k = kind(init?.method ?? 'GET', input.toString());
    counts[k] = (counts[k] ?? 0) + 1;
    return fetch(input, init);
  }) as typeof fetch;
  const t0 = performance.now();
  const code = await pushCommand(argv, { stderr: (s) => void (stderr += s), ports: { fetch: counting, dockerConfig: nodeDockerConfig(configDir) } });
  return { code, stderr, counts, ms: Math.round(performance.now() - t0) };
}

/** Reads the image back by tag with its own client: the index's digest, then every manifest and blob, each digest checked. */
export async function readBack(image: string, configDir = dockerConfig()): Promise<string> {
  const ref = parseReference(image);
  const client = new RegistryClient(ref.registry, ref.apiHost, {
    fetch,
    timeoutMs: 10_000,
    insecureRegistries: [],
    dockerConfig: new DockerConfig(nodeDockerConfig(configDir)),
  });
  const index = await client.manifest(ref, ref.tag!);
  for (const m of JSON.parse(index.bytes.toString()).manifests as { digest: string }[]) {
    const manifest = JSON.parse((await client.manifest(ref, m.digest)).bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const b of [manifest.config, ...manifest.layers]) assert.equal(sha256(await client.blob(ref, b.digest)), b.digest);
  }
  return index.digest;
}
