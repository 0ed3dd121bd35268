#!/usr/bin/env node
// The webhook image: the function image (scripts/function-image.mjs: node + the bundle, entrypoint
// [/usr/bin/node, /app/bin/startorder.js], user 65532) is also the image of `startorder webhook` (the
// Deployment passes args ["webhook", …]). This script builds it and pushes it to a registry, so a
// Deployment can pull it by digest:
//
//   node --import tsx scripts/webhook-image.mjs REGISTRY/REPO:TAG [--insecure-registry HOST] [--out FILE]
//
// prints REGISTRY/REPO:TAG@DIGEST on stdout. The push uses the CLI's own push code (src/image/push.ts
// pushLayout with the layout's own digest, src/resolve/upload.ts PushClient): `startorder runtime-image
// push` itself pushes only the runtime image it pins, so it cannot push this one. Needs a built tree
// (npm run build) and Go; tsx (a devDependency) loads the TypeScript sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLayout } from '../src/image/layout.ts';
import { pushLayout } from '../src/image/push.ts';
import { untar } from '../src/image/tar.ts';
import { DockerConfig } from '../src/resolve/auth.ts';
import { parseReference } from '../src/resolve/reference.ts';
import { PushClient } from '../src/resolve/upload.ts';
import { nodeDockerConfig } from '../src/cli/node-registry.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { insecure: [], out: undefined, target: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--insecure-registry') opts.insecure.push(argv[++i]);
    else if (argv[i] === '--out') opts.out = resolve(argv[++i]);
    else if (!opts.target && !argv[i].startsWith('-')) opts.target = argv[i];
    else throw new Error(`usage: webhook-image.mjs REGISTRY/REPO:TAG [--insecure-registry HOST] [--out FILE] (at ${argv[i]})`);
  }
  if (!opts.target) throw new Error('usage: webhook-image.mjs REGISTRY/REPO:TAG [--insecure-registry HOST] [--out FILE]');
  return opts;
}

/** A ReadFile over the files of an OCI layout tarball (mkimage writes `./`-less or `./` names). */
function tarballReader(file) {
  const files = new Map(untar(new Uint8Array(readFileSync(file))).map((e) => [e.name.replace(/^\.\//, ''), e.data]));
  return async (path) => files.get(path);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ref = parseReference(opts.target);
  const tag = ref.tag ?? 'latest';
  const tmp = mkdtempSync(join(tmpdir(), 'startorder-webhook-image-'));
  try {
    const out = opts.out ?? join(tmp, 'webhook-image.tar');
    const t0 = Date.now();
    const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'function-image.mjs'), '--out', out, '--name', opts.target], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (b.status !== 0) throw new Error(`function-image.mjs exited ${b.status ?? b.signal}`);
    const layout = await readLayout(tarballReader(out));
    const t1 = Date.now();
    const client = new PushClient(ref, {
      fetch: globalThis.fetch,
      timeoutMs: 120_000,
      insecureRegistries: opts.insecure,
      dockerConfig: new DockerConfig(nodeDockerConfig()),
    });
    const s = await pushLayout(client, layout, tag, undefined, layout.root.digest);
    const back = await client.manifest(ref, tag);
    if (back.digest !== s.digest) throw new Error(`after the push ${opts.target} names ${back.digest}, not ${s.digest}`);
    process.stderr.write(
      `webhook-image: built in ${((t1 - t0) / 1000).toFixed(1)}s; pushed ${s.blobs.uploaded} blobs (${s.blobs.bytes} bytes, ` +
        `${s.blobs.present} already there) in ${((Date.now() - t1) / 1000).toFixed(1)}s\n`,
    );
    const named = opts.target.replace(/@.*$/, '');
    console.log(`${named}@${s.digest}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`webhook-image: ${e.message}\n`);
  process.exit(1);
});
