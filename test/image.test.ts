import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUNTIME_IMAGE, RUNTIME_IMAGE_DIGEST, RUNTIME_IMAGE_TAG } from '../src/generated/runtime-image.js';
import { LayoutError, layoutTar, readLayout, type ReadFile } from '../src/image/layout.js';
import { layoutDir, saveLayout, saveRuntimeImage, SHIPPED_LAYOUT } from '../src/image/save.js';
import { tar, untar } from '../src/image/tar.js';

// The runtime image the package ships (runtime-image/, made by `npm run build`), the digest the CLI is
// pinned to, and `runtime-image save`. The reproducibility of the build itself is
// runtime/cmd/mkimage's TestRuntimeImageReproducible.
const REPO = join(import.meta.dirname, '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'startorder-image-'));
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fromEntries = (entries: { name: string; data?: Uint8Array }[]): ReadFile => {
  const files = new Map(entries.filter((e) => e.data).map((e) => [e.name, e.data!]));
  return (p) => Promise.resolve(files.get(p));
};

test('image: the generated RUNTIME_IMAGE names the shipped layout by its index digest', async () => {
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  assert.equal(RUNTIME_IMAGE_TAG, `ghcr.io/startorder-dev/startorder-entrypoint:v${version}`);
  assert.equal(RUNTIME_IMAGE, `${RUNTIME_IMAGE_TAG}@${RUNTIME_IMAGE_DIGEST}`);
  const layout = await readLayout(layoutDir(SHIPPED_LAYOUT));
  assert.equal(layout.root.digest, RUNTIME_IMAGE_DIGEST);
  assert.equal(sha256(layout.files.get(`blobs/${RUNTIME_IMAGE_DIGEST.replace(':', '/')}`)!), RUNTIME_IMAGE_DIGEST);
  assert.deepEqual(layout.platforms, ['linux/amd64', 'linux/arm64']);
  assert.equal(layout.root.annotations?.['org.opencontainers.image.ref.name'], `v${version}`);
  // Nothing in the directory that index.json does not reach.
  const onDisk = readdirSync(join(SHIPPED_LAYOUT, 'blobs', 'sha256')).map((f) => `blobs/sha256/${f}`);
  assert.deepEqual(onDisk.sort(), [...layout.files.keys()].filter((p) => p.startsWith('blobs/')).sort());
});

test('image: npm pack carries the whole layout', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const packed = new Set((JSON.parse(r.stdout)[0].files as { path: string }[]).map((f) => f.path));
  const wanted = ['oci-layout', 'index.json', ...readdirSync(join(SHIPPED_LAYOUT, 'blobs', 'sha256')).map((f) => `blobs/sha256/${f}`)];
  assert.ok(wanted.length >= 9, `${wanted.length} files in runtime-image/`);
  for (const f of wanted) assert.ok(packed.has(`runtime-image/${f}`), `runtime-image/${f} is not in the package`);
});

test('image: rebuilding from the sources gives the shipped layout; save writes the bytes mkimage -out writes', async () => {
  const dir = tmp();
  const r = spawnSync(
    process.execPath,
    [join(REPO, 'scripts', 'runtime-image.mjs'), '--layout', join(dir, 'layout'), '--tar', join(dir, 'mkimage.tar'), '--generated', join(dir, 'gen.ts')],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'gen.ts'), 'utf8'), new RegExp(`RUNTIME_IMAGE = '${RUNTIME_IMAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
  const saved = await saveRuntimeImage(join(dir, 'saved.tar'));
  assert.equal(saved.reference, RUNTIME_IMAGE);
  assert.ok(Buffer.from(readFileSync(join(dir, 'saved.tar'))).equals(readFileSync(join(dir, 'mkimage.tar'))), 'save and mkimage -out differ');
});

test('image: save, untar, the index digest is the pinned one and every blob checks out', async () => {
  const file = join(tmp(), 'runtime.tar');
  const saved = await saveRuntimeImage(file);
  const bytes = new Uint8Array(readFileSync(file));
  assert.deepEqual(bytes, saved.tarball);
  const entries = untar(bytes);
  assert.deepEqual(
    entries.slice(0, 4).map((e) => e.name),
    ['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/'],
  );
  const names = entries.slice(4).map((e) => e.name);
  assert.deepEqual(names, [...names].sort(), 'blobs sorted');
  const layout = await readLayout(fromEntries(entries));
  assert.equal(layout.root.digest, RUNTIME_IMAGE_DIGEST);
  assert.deepEqual(saved.platforms, ['linux/amd64', 'linux/arm64']);
  // Deterministic: a second save gives the same bytes; every header is 0:0, mtime 0 (USTAR fields).
  assert.deepEqual((await saveRuntimeImage(file)).tarball, bytes);
  for (let at = 0, i = 0; i < entries.length; i++) {
    const h = bytes.subarray(at, at + 512);
    const text = (o: number, w: number) => Buffer.from(h.subarray(o, o + w)).toString('latin1');
    assert.deepEqual([text(108, 8), text(116, 8), text(136, 12)], ['0000000\0', '0000000\0', '00000000000\0'], entries[i]!.name);
    at += 512 + Math.ceil((entries[i]!.data?.length ?? 0) / 512) * 512;
  }
});

test('image: a layout that is not the pinned image, or is damaged, is refused with what is wrong', async () => {
  const good = untar(layoutTar(await readLayout(layoutDir(SHIPPED_LAYOUT))));
  const code = async (entries: { name: string; data?: Uint8Array }[], digest?: string) =>
    saveLayout(fromEntries(entries), digest).then(
      () => 'accepted',
      (e: unknown) => (e instanceof LayoutError ? `${e.code} ${e.path}` : String(e)),
    );
  assert.equal(await code(good), 'accepted');
  assert.equal(await code(good, `sha256:${'0'.repeat(64)}`), 'digest index.json');
  const largest = [...good].sort((a, b) => (b.data?.length ?? 0) - (a.data?.length ?? 0))[0]!;
  const flipped = new Uint8Array(largest.data!);
  flipped[100] = flipped[100]! ^ 1;
  assert.equal(await code(good.map((e) => (e === largest ? { ...e, data: flipped } : e))), `digest ${largest.name}`);
  assert.equal(await code(good.map((e) => (e === largest ? { ...e, data: largest.data!.subarray(1) } : e))), `size ${largest.name}`);
  assert.equal(await code(good.filter((e) => e !== largest)), `missing ${largest.name}`);
  assert.equal(await code(good.filter((e) => e.name !== 'oci-layout')), 'missing oci-layout');
  // The image index blob saying it is a manifest: re-point index.json at a rewritten blob.
  const root = JSON.parse(Buffer.from(good.find((e) => e.name === 'index.json')!.data!).toString());
  const indexBlob = good.find((e) => e.name === `blobs/${root.manifests[0].digest.replace(':', '/')}`)!;
  const lying = Buffer.from(Buffer.from(indexBlob.data!).toString().replace('image.index.v1', 'image.manifest.v1'));
  root.manifests[0] = { ...root.manifests[0], digest: sha256(lying), size: lying.length };
  const edited = [...good, { name: `blobs/${sha256(lying).replace(':', '/')}`, data: lying }].map((e) =>
    e.name === 'index.json' ? { name: e.name, data: Buffer.from(JSON.stringify(root)) } : e,
  );
  assert.equal(await code(edited, sha256(lying)), `media-type blobs/${sha256(lying).replace(':', '/')}`);
});

test('image: tar and untar round-trip; names tar cannot hold are refused', () => {
  const entries = [{ name: 'a/' }, { name: 'a/b', data: new Uint8Array(513).fill(7) }, { name: 'c', data: new Uint8Array(0) }];
  assert.deepEqual(untar(tar(entries)), entries);
  assert.equal(tar(entries).length, 512 * (1 + 1 + 2 + 1) + 1024);
  for (const name of ['x'.repeat(101), '/abs', 'a/../b', 'sp ace', 'ü']) assert.throws(() => tar([{ name, data: new Uint8Array(1) }]), RangeError, name);
  assert.throws(() => tar([{ name: 'dir/', data: new Uint8Array(1) }]), RangeError);
  const bad = tar([{ name: 'x', data: new Uint8Array(1) }]);
  bad[0] = 'y'.charCodeAt(0);
  assert.throws(() => untar(bad), /checksum/);
});
