#!/usr/bin/env node
// Builds the KRM function image: the CLI for kustomize `container:` functions and `kpt fn eval
// --image`, without Docker. One layer, made by runtime/cmd/mkimage -root from a staged tree:
//   /usr/bin/node            this machine's node binary (process.execPath)
//   /lib…, /lib64/…          the shared libraries `ldd` lists for it, at the paths it lists
//   /app/bin, /app/dist/bundle, /app/package.json, /app/node_modules (the runtime dependencies)
//   /etc/passwd, /etc/group  root, nobody (kustomize runs functions as --user nobody), nonroot
//   /tmp                     1777
// Entrypoint [/usr/bin/node, /app/bin/startorder.js], User 65532:65532. Reproducible: the same node,
// libraries and build give the same bytes (mkimage fixes times, owners, modes and order).
// Needs a built tree (npm run build) and Go.
//
//   node scripts/function-image.mjs [--out FILE] [--name REF]      prints REF@DIGEST
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch];

function args(argv) {
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  const opts = { out: resolve(REPO, 'function-image.tar'), name: `ghcr.io/startorder-dev/startorder-function:v${version}` };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    if (!(key in opts) || argv[i + 1] === undefined) throw new Error(`usage: function-image.mjs [--out FILE] [--name REF] (at ${argv[i]})`);
    opts[key] = key === 'out' ? resolve(argv[i + 1]) : argv[i + 1];
  }
  return opts;
}

/** The files ldd names for `binary`: `libc.so.6 => /lib/…/libc.so.6 (…)` and `/lib64/ld-linux-x86-64.so.2 (…)`. */
function sharedLibraries(binary) {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${binary}: ${r.stderr || r.status}`);
  return [...r.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/g)].map((m) => m[1]).sort();
}

/** The package directories of `deps` and of everything they depend on, resolved as Node does (nearest node_modules up). */
function dependencyClosure(deps) {
  const found = new Map(); // package dir → true
  const visit = (name, from) => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (found.has(candidate)) return;
        found.set(candidate, true);
        const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8'));
        for (const d of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(d, candidate);
        return;
      }
      if (dir === REPO || dir === dirname(dir)) {
        throw new Error(`cannot find the package ${name} (needed from ${from})`);
      }
    }
  };
  for (const d of deps) visit(d, REPO);
  return [...found.keys()].sort();
}

function stage(root) {
  const node = realpathSync(process.execPath);
  const put = (src, dst) => {
    mkdirSync(dirname(join(root, dst)), { recursive: true });
    cpSync(realpathSync(src), join(root, dst), { recursive: true, dereference: true });
  };
  put(node, 'usr/bin/node');
  for (const lib of sharedLibraries(node)) put(lib, lib.slice(1));
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js'))) throw new Error('dist/bundle/ is missing: run npm run build first');
  put(join(REPO, 'bin'), 'app/bin');
  put(join(REPO, 'dist', 'bundle'), 'app/dist/bundle');
  const { name, version, type, bin, dependencies } = pkg;
  writeFileSync(join(root, 'app', 'package.json'), `${JSON.stringify({ name, version, type, bin, dependencies }, null, 2)}\n`);
  for (const dir of dependencyClosure(Object.keys(dependencies ?? {}))) {
    put(dir, join('app', dir.slice(REPO.length + 1)));
  }
  mkdirSync(join(root, 'etc'));
  writeFileSync(
    join(root, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n',
  );
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\nnonroot:x:65532:\n');
  mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
  spawnSync('chmod', ['1777', join(root, 'tmp')]); // mkdir's mode is masked by the umask
}

function main() {
  const opts = args(process.argv.slice(2));
  if (!ARCH) throw new Error(`function-image: no image architecture for ${process.arch}`);
  const started = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'startorder-function-'));
  try {
    stage(root);
    const go = process.env.GO || 'go';
    const r = spawnSync(
      go,
      [
        'run',
        './cmd/mkimage',
        '-root',
        root,
        '-arch',
        ARCH,
        '-name',
        opts.name,
        '-entrypoint',
        '/usr/bin/node',
        '-entrypoint',
        '/app/bin/startorder.js',
        '-out',
        opts.out,
      ],
      {
        cwd: join(REPO, 'runtime'),
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`mkimage -root exited ${r.status ?? r.signal ?? r.error}`);
    process.stdout.write(r.stdout);
    process.stderr.write(`function-image: ${opts.out} (linux/${ARCH}, ${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
