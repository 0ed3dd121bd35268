/**
 * Bad input and the file system (issue 8): --write through symlinks, the temporary file, mode/owner/
 * group, read-only file systems and unwritable directories, symlink loops, dangling links and FIFOs,
 * the spec file given twice, --kubernetes-version. These run the CLI on the real file system.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeIO } from '../src/cli/node-io.js';
import type { IO } from '../src/cli/io.js';
import { cli } from './target.js';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'config-sidecar');
const SPEC = readFileSync(join(EXAMPLE, 'startorder.yaml'), 'utf8');
const DEPLOYMENT = readFileSync(join(EXAMPLE, 'deployment.yaml'), 'utf8');
const isRoot = process.getuid?.() === 0;

const base = nodeIO();
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: IO = { ...base, argv, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await cli(io);
  return { code, stdout, stderr };
}
const json = (stderr: string) => (stderr.trim() ? (JSON.parse(stderr) as { code: string; severity: string; file?: string; line?: number }[]) : []);

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-fs-'));
  writeFileSync(join(dir, 'order.yaml'), SPEC);
  return dir;
}

test('--write through a symlink writes the target and keeps the link', async () => {
  const dir = workdir();
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'deploy.yaml'), DEPLOYMENT);
  symlinkSync(join('real', 'deploy.yaml'), join(dir, 'link.yaml'));
  const r = await run(['-c', join(dir, 'order.yaml'), '--write', join(dir, 'link.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(join(dir, 'link.yaml')).isSymbolicLink(), 'the link is still a link');
  assert.equal(readlinkSync(join(dir, 'link.yaml')), join('real', 'deploy.yaml'));
  assert.match(readFileSync(join(dir, 'real', 'deploy.yaml'), 'utf8'), /startorder\.dev\/applied/);
  assert.deepEqual(readdirSync(join(dir, 'real')), ['deploy.yaml'], 'no temporary file is left');
  assert.deepEqual(readdirSync(dir).sort(), ['link.yaml', 'order.yaml', 'real']);
});

test('--write keeps mode, owner and group of the original', { skip: !isRoot ? 'needs root to give the file to another user' : false }, async () => {
  const dir = workdir();
  const file = join(dir, 'deploy.yaml');
  writeFileSync(file, DEPLOYMENT);
  chmodSync(file, 0o640);
  chownSync(file, 1234, 4321);
  const r = await run(['-c', join(dir, 'order.yaml'), '--write', file]);
  assert.equal(r.code, 0, r.stderr);
  const st = statSync(file);
  assert.match(readFileSync(file, 'utf8'), /startorder\.dev\/applied/);
  assert.equal(st.mode & 0o7777, 0o640);
  assert.equal(st.uid, 1234);
  assert.equal(st.gid, 4321);
});

test('the temporary file is created exclusively (O_EXCL) under a name nobody can guess', async () => {
  const dir = workdir();
  const file = join(dir, 'deploy.yaml');
  writeFileSync(file, DEPLOYMENT);
  // Watch the open calls: the temporary file is opened with 'wx' next to the target, never twice with one name.
  const opened: { path: string; flags: unknown }[] = [];
  const open = fsp.open;
  (fsp as { open: unknown }).open = (p: string, flags: unknown, mode: unknown) => {
    opened.push({ path: String(p), flags });
    return open(p, flags as string, mode as number);
  };
  try {
    for (let i = 0; i < 2; i++) {
      writeFileSync(file, DEPLOYMENT);
      const r = await run(['-c', join(dir, 'order.yaml'), '--write', file]);
      assert.equal(r.code, 0, r.stderr);
    }
  } finally {
    (fsp as { open: unknown }).open = open;
  }
  const tmps = opened.filter((o) => o.path.startsWith(dir) && o.path !== file && o.path !== join(dir, 'order.yaml'));
  assert.equal(tmps.length, 2, JSON.stringify(opened));
  for (const t of tmps) {
    assert.equal(t.flags, 'wx');
    assert.equal(join(t.path, '..'), dir, 'next to the target');
    assert.doesNotMatch(t.path, new RegExp(`${process.pid}`), 'not named after the pid');
  }
  assert.notEqual(tmps[0]!.path, tmps[1]!.path);
  assert.deepEqual(readdirSync(dir).sort(), ['deploy.yaml', 'order.yaml']);
});

test(
  '--write on a read-only file system: one located line, exit 2, nothing written',
  { skip: !isRoot ? 'needs root to mount a read-only tmpfs' : false },
  async (t) => {
    const dir = workdir();
    const mnt = join(dir, 'ro');
    mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) return void t.skip(`this machine does not allow mounting a tmpfs: ${mount.stderr.trim()}`);
    try {
      writeFileSync(join(mnt, 'a.yaml'), DEPLOYMENT);
      writeFileSync(join(mnt, 'b.yaml'), DEPLOYMENT);
      writeFileSync(join(mnt, 'order.yaml'), SPEC);
      assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
      // The spec inside the directory too: its warning and the error come in one JSON array.
      const r = await run(['-c', join(mnt, 'order.yaml'), '--write', '--error-format', 'json', mnt]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(
        json(r.stderr).map((d) => [d.code, d.file]),
        [
          ['spec-given-twice', join(mnt, 'order.yaml')],
          ['write-failed', join(mnt, 'a.yaml')],
        ],
      );
      const text = await run(['-c', join(dir, 'order.yaml'), '--write', join(mnt, 'a.yaml'), join(mnt, 'b.yaml')]);
      assert.equal(text.code, 2);
      assert.equal(text.stderr.trim().split('\n').length, 1, text.stderr);
      assert.match(text.stderr, new RegExp(`^${join(mnt, 'a.yaml')}: error\\[write-failed\\]`));
      assert.doesNotMatch(text.stderr, /internal error|\n\s+at /);
      assert.equal(readFileSync(join(mnt, 'a.yaml'), 'utf8'), DEPLOYMENT);
    } finally {
      spawnSync('umount', [mnt]);
    }
  },
);

test(
  '--write on a full file system: exit 2, the original intact, no temporary file left',
  { skip: !isRoot ? 'needs root to mount a tmpfs' : false },
  async (t) => {
    const dir = workdir();
    const mnt = join(dir, 'full');
    mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) return void t.skip(`this machine does not allow mounting a tmpfs: ${mount.stderr.trim()}`);
    try {
      writeFileSync(join(mnt, 'deploy.yaml'), DEPLOYMENT);
      // Fill what is left, so the rewritten file cannot be written in full.
      try {
        writeFileSync(join(mnt, 'filler'), Buffer.alloc(1 << 20));
      } catch {
        // ENOSPC: the file system is full now, as wanted
      }
      const r = await run(['-c', join(dir, 'order.yaml'), '--write', '--error-format', 'json', join(mnt, 'deploy.yaml')]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(
        json(r.stderr).map((d) => [d.code, d.file]),
        [['write-failed', join(mnt, 'deploy.yaml')]],
      );
      assert.equal(readFileSync(join(mnt, 'deploy.yaml'), 'utf8'), DEPLOYMENT);
      assert.deepEqual(readdirSync(mnt).sort(), ['deploy.yaml', 'filler']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  },
);

test(
  '--write into an unwritable directory: exit 2, no file changed, not even the writable ones',
  { skip: !isRoot ? 'needs root to run the CLI as another user' : false },
  () => {
    const dir = workdir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'ok'));
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'ok', 'a.yaml'), DEPLOYMENT);
    writeFileSync(join(dir, 'locked', 'b.yaml'), DEPLOYMENT);
    // nobody may write ok/ and ok/a.yaml, and locked/b.yaml, but not the directory locked/.
    chownSync(join(dir, 'ok'), 65534, 65534);
    chownSync(join(dir, 'ok', 'a.yaml'), 65534, 65534);
    chownSync(join(dir, 'locked', 'b.yaml'), 65534, 65534);
    chmodSync(join(dir, 'locked'), 0o755);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test', 'cli-source.ts'),
        '-c',
        join(dir, 'order.yaml'),
        '--write',
        join(dir, 'ok', 'a.yaml'),
        join(dir, 'locked', 'b.yaml'),
      ],
      { uid: 65534, gid: 65534, encoding: 'utf8', cwd: ROOT, env: { ...process.env, HOME: dir } },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^${join(dir, 'locked', 'b.yaml')}: error\\[write-failed\\]: .*permission denied`));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readFileSync(join(dir, 'ok', 'a.yaml'), 'utf8'), DEPLOYMENT, 'the writable file was not written either');
    assert.deepEqual(readdirSync(join(dir, 'ok')), ['a.yaml']);
    assert.deepEqual(readdirSync(join(dir, 'locked')), ['b.yaml']);
  },
);

test('a directory with a symlink loop and a second path to a file: each object once', async () => {
  const dir = workdir();
  const k8s = join(dir, 'k8s');
  mkdirSync(join(k8s, 'apps'), { recursive: true });
  writeFileSync(join(k8s, 'apps', 'deploy.yaml'), DEPLOYMENT);
  symlinkSync('..', join(k8s, 'apps', 'loop'));
  symlinkSync(join('apps', 'deploy.yaml'), join(k8s, 'again.yaml'));
  const r = await run(['-c', join(dir, 'order.yaml'), k8s]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/^kind: Deployment$/gm)?.length, 1, r.stdout);
  // The same file named twice on the command line is read once as well.
  const twice = await run(['-c', join(dir, 'order.yaml'), join(k8s, 'apps', 'deploy.yaml'), join(k8s, 'again.yaml')]);
  assert.equal(twice.code, 0, twice.stderr);
  assert.equal(twice.stdout.match(/^kind: Deployment$/gm)?.length, 1);
});

test('a dangling symlink and a FIFO in a directory are warnings that name them', async () => {
  const dir = workdir();
  const k8s = join(dir, 'k8s');
  mkdirSync(k8s);
  writeFileSync(join(k8s, 'deploy.yaml'), DEPLOYMENT);
  symlinkSync('gone.yaml', join(k8s, 'dangling.yaml'));
  assert.equal(spawnSync('mkfifo', [join(k8s, 'pipe.yaml')]).status, 0);
  const r = await run(['-c', join(dir, 'order.yaml'), '--error-format', 'json', k8s]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    json(r.stderr).map((d) => [d.code, d.severity, d.file]),
    [
      ['input-skipped', 'warning', join(k8s, 'dangling.yaml')],
      ['input-skipped', 'warning', join(k8s, 'pipe.yaml')],
    ],
  );
  assert.match(r.stdout, /startorder\.dev\/applied/);
  rmSync(join(k8s, 'pipe.yaml'));
});

test('the spec file given both with -c and as an input is "given twice", read once', async () => {
  const dir = workdir();
  writeFileSync(join(dir, 'deploy.yaml'), DEPLOYMENT);
  const r = await run(['-c', join(dir, 'order.yaml'), '--error-format', 'json', dir]);
  assert.equal(r.code, 0, r.stderr);
  const diags = json(r.stderr);
  assert.deepEqual(
    diags.map((d) => [d.code, d.file, d.line]),
    [['spec-given-twice', join(dir, 'order.yaml'), 1]],
  );
  assert.match(r.stdout, /startorder\.dev\/applied/);
  assert.doesNotMatch(r.stdout, /kind: StartOrder/);
});

test('--kubernetes-version takes MAJOR.MINOR[.PATCH] with an optional v, and nothing else', async () => {
  const dir = workdir();
  writeFileSync(join(dir, 'deploy.yaml'), DEPLOYMENT);
  for (const bad of ['banana', '2.0', '1', '1.', 'v1.x']) {
    const r = await run(['-c', join(dir, 'order.yaml'), '--kubernetes-version', bad, join(dir, 'deploy.yaml')]);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--kubernetes-version/);
    assert.equal(r.stdout, '');
  }
  for (const good of ['1.33', 'v1.28', '1.30.2']) {
    const r = await run(['-c', join(dir, 'order.yaml'), '--kubernetes-version', good, join(dir, 'deploy.yaml')]);
    assert.equal(r.code, 0, `${good}: ${r.stderr}`);
  }
});
