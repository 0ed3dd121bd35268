/**
 * The KRM function image (scripts/function-image.mjs: node, its shared libraries and the built CLI, made
 * by mkimage -root without Docker): reproducible, valid OCI, and run by the REAL kustomize as a
 * `container:` function through podman (kustomize calls `docker`; a shim on PATH runs podman), where it
 * gives exactly what the exec function gives (fixtures/krm-kustomize/expected-kustomize.yaml). Also: the
 * runtime image as `runtime-image save` writes it is read by another OCI implementation (podman load).
 * Needs a built tree (npm run build), Go, and podman (Debian package `podman`) for the last test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RUNTIME_IMAGE_TAG } from '../src/generated/runtime-image.js';
import { readLayout } from '../src/image/layout.js';
import { saveRuntimeImage } from '../src/image/save.js';
import { untar } from '../src/image/tar.js';
import { cannotBuild, FIXTURES, ROOT, run, toolPath } from './integrations/tools.js';

const NAME = 'localhost/startorder/function:test';
const work = mkdtempSync(join(tmpdir(), 'startorder-function-'));
const build = (out: string) => {
  const r = run(process.execPath, [join(ROOT, 'scripts', 'function-image.mjs'), '--out', out, '--name', NAME], { timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};
let first = '';
let printed = '';

before(() => {
  first = join(work, 'first.tar');
  printed = build(first);
});

test('function image: two builds give the same bytes; the layout is valid OCI for this machine', async () => {
  const second = join(work, 'second.tar');
  assert.equal(build(second), printed);
  assert.ok(readFileSync(first).equals(readFileSync(second)), 'the two tarballs differ');
  const entries = untar(new Uint8Array(readFileSync(first)));
  const files = new Map(entries.filter((e) => e.data).map((e) => [e.name, e.data!]));
  const layout = await readLayout((p) => Promise.resolve(files.get(p)));
  assert.equal(printed, `${NAME}@${layout.root.digest}`);
  assert.deepEqual(layout.platforms, [`linux/${process.arch === 'x64' ? 'amd64' : process.arch}`]);
  assert.equal(layout.root.annotations?.['io.containerd.image.name'], NAME);
});

/** podman, with limits this machine lets a container have (podman asks for nofile/nproc beyond them). */
function podman(): { env: NodeJS.ProcessEnv; why?: string } {
  const env = { ...process.env, CONTAINERS_CONF: join(work, 'containers.conf') };
  writeFileSync(env.CONTAINERS_CONF, '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=1024:1024"]\n');
  if (spawnSync('podman', ['--version']).status !== 0) return { env, why: 'podman is not installed (Debian: apt-get install podman)' };
  return { env };
}

after(() => {
  spawnSync('podman', ['rmi', '--force', NAME, RUNTIME_IMAGE_TAG], { env: podman().env, stdio: 'ignore' });
});

test('runtime image: what save writes loads into podman (which picks this platform from the index) and runs', async (t) => {
  const { env, why } = podman();
  if (why) return void t.skip(why);
  const file = join(work, 'runtime.tar');
  const saved = await saveRuntimeImage(file);
  const load = run('podman', ['load', '--input', file], { env, timeout: 300_000 });
  assert.equal(load.status, 0, load.stderr);
  const inspect = run('podman', ['image', 'inspect', '--format', '{{.Architecture}} {{.User}} {{json .Config.Entrypoint}}', RUNTIME_IMAGE_TAG], { env });
  assert.equal(inspect.stdout.trim(), `${process.arch === 'x64' ? 'amd64' : process.arch} 65532:65532 ["/startorder-entrypoint"]`, inspect.stderr);
  // The wrapper runs itself as the child: scratch, read-only root, uid 65532; `probe file` exits 0 when the file exists.
  const args = ['run', '--rm', '--network', 'none', '--read-only', RUNTIME_IMAGE_TAG, '-entrypoint', '/startorder-entrypoint', '--', 'probe', 'file'];
  const ok = run('podman', [...args, '/startorder-entrypoint'], { env, timeout: 120_000 });
  assert.equal(ok.status, 0, ok.stderr);
  const missing = run('podman', [...args, '/nonexistent'], { env, timeout: 120_000 });
  assert.notEqual(missing.status, 0, 'probe file of a missing file must fail');
  assert.ok(saved.platforms.includes('linux/amd64'));
});

test('function image: the real kustomize runs it as a container function through podman, same output as the exec function', (t) => {
  const { env, why } = podman();
  if (why) return void t.skip(why);
  const kwhy = cannotBuild('kustomize');
  if (kwhy) return void t.skip(kwhy);
  const load = run('podman', ['load', '--input', first], { env, timeout: 300_000 });
  assert.equal(load.status, 0, load.stderr);
  assert.match(load.stdout + load.stderr, new RegExp(NAME.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  // kustomize runs `docker run --rm -i … --network none --user nobody --security-opt=no-new-privileges IMAGE`.
  const shim = join(work, 'shim');
  mkdirSync(shim);
  writeFileSync(join(shim, 'docker'), '#!/bin/sh\nexec podman "$@"\n');
  chmodSync(join(shim, 'docker'), 0o755);
  const dir = join(work, 'kustomization');
  cpSync(join(FIXTURES, 'krm-kustomize'), dir, { recursive: true });
  const spec = join(dir, 'startorder.yaml');
  const edited = readFileSync(spec, 'utf8').replace(/exec:\n\s+path: \S+/, `container:\n        image: ${NAME}`);
  assert.notEqual(edited, readFileSync(spec, 'utf8'), 'the fixture names its exec function as expected');
  writeFileSync(spec, edited);
  const r = run(toolPath('kustomize'), ['build', '--enable-alpha-plugins', dir], { env: { ...env, PATH: `${shim}:${env.PATH}` }, timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, 'krm-kustomize', 'expected-kustomize.yaml'), 'utf8'));
  assert.match(r.stdout, /startorder\.dev\/applied/);
});
