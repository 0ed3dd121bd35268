/**
 * The package as a user gets it: `npm pack` of the built tree, installed into an empty project with
 * npm. The installed CLI, the bundled example, the library API (with its types) and the schemas must
 * work from there, with nothing of this repository on the path. npm fetches the four runtime
 * dependencies from its cache (or the registry on a machine that never ran `npm ci`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ROOT, BIN } from './tools.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });

describe('npm pack, installed into an empty project', () => {
  const work = mkdtempSync(join(tmpdir(), 'startorder-pack-'));
  const app = join(work, 'app');
  let installed = '';

  before(() => {
    // npm test built dist/ first; --ignore-scripts packs exactly that build (prepare would rebuild it
    // under the feet of the suites reading dist/ at the same time). The release workflow does the same.
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', work, '--json'], ROOT);
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    spawnSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-test', private: true, type: 'module' }));
    const inst = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    assert.equal(inst.status, 0, inst.stderr);
    installed = join(app, 'node_modules', pkg.name);
  });

  test('ships only what the package needs (no tests, sources, fixtures or stale bundle chunks)', () => {
    const top = readdirSync(installed).sort();
    assert.deepEqual(
      top.filter((f) => !['bin', 'dist', 'schemas', 'examples', 'package.json', 'README.md', 'LICENSE', 'runtime-image'].includes(f)),
      [],
    );
    // every chunk in dist/bundle is reachable from an entry: a stale one would be dead weight
    const bundle = join(installed, 'dist', 'bundle');
    const files = readdirSync(bundle).filter((f) => f.endsWith('.js'));
    const text = files.map((f) => readFileSync(join(bundle, f), 'utf8')).join('\n');
    for (const f of files.filter((x) => x.startsWith('chunk-'))) assert.ok(text.includes(`./${f}`), `dist/bundle/${f} is imported by no bundle file`);
  });

  test('npx startorder --version prints the package version', () => {
    const r = spawnSync('npx', ['--no-install', 'startorder', '--version'], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('the bundled example, run by the installed CLI, gives the same bytes as this checkout', () => {
    const ex = join(installed, 'examples', 'config-sidecar');
    const args = ['-c', join(ex, 'startorder.yaml'), join(ex, 'deployment.yaml')];
    const r = spawnSync('npx', ['--no-install', 'startorder', ...args], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const here = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    assert.equal(here.status, 0, here.stderr);
    assert.match(r.stdout, /startorder-init/);
    assert.equal(r.stdout, here.stdout);
  });

  test('the library API and the schemas resolve through the exports map', () => {
    const script = [
      "import { transform, ExitCode } from 'startorder';",
      "import { readFileSync } from 'node:fs';",
      "import { fileURLToPath } from 'node:url';",
      "const schema = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('startorder/schemas/startorder.schema.json')), 'utf8'));",
      "const ex = fileURLToPath(new URL('./node_modules/startorder/examples/config-sidecar/', import.meta.url));",
      "const read = (f) => ({ name: ex + f, text: readFileSync(ex + f, 'utf8') });",
      "const r = await transform([read('deployment.yaml')], { configs: [read('startorder.yaml')] });",
      "console.log(JSON.stringify({ ok: ExitCode.ok, title: schema.title ?? schema.$id ?? null, errors: r.diagnostics.filter((d) => d.severity === 'error').length, changed: r.files.map((f) => f.changed) }));",
    ].join('\n');
    writeFileSync(join(app, 'use.mjs'), script);
    const r = spawnSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: number; title: unknown; errors: number; changed: boolean[] };
    assert.equal(out.ok, 0);
    assert.notEqual(out.title, null);
    assert.equal(out.errors, 0);
    assert.deepEqual(out.changed, [true]);
  });

  test('the types: a TypeScript user of the package type-checks (and a wrong use does not)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const opts = [
      '--noEmit',
      '--strict',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--types',
      'node',
      '--typeRoots',
      join(ROOT, 'node_modules', '@types'),
    ];
    // One run checks both ways: if the types were missing (any), the @ts-expect-error line would be an error itself.
    const use = [
      "import { transform, type Diagnostic } from 'startorder';",
      "const r = await transform([{ name: 'a.yaml', text: '' }]);",
      'const d: Diagnostic[] = r.diagnostics;',
      '// @ts-expect-error a file name is a string',
      'await transform([{ name: 1, text: 2 }]);',
      'console.log(d.length);',
      'export {};',
    ].join('\n');
    writeFileSync(join(app, 'use.ts'), use);
    const r = spawnSync(process.execPath, [tsc, ...opts, 'use.ts'], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
