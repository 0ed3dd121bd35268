import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

// These run the built artifact (bin/ → dist/), as a user does after `npm ci`, so packaging mistakes fail here.
const BIN = join(import.meta.dirname, '..', 'bin', 'startorder.js');
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'config-sidecar');
const run = (args: string[], input?: string, cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd });

test('bin: transforms the bundled example, the app waits for the config sidecar to be ready', () => {
  const r = run(['-c', join(EXAMPLE, 'startorder.yaml'), join(EXAMPLE, 'deployment.yaml')]);
  assert.equal(r.status, 0, r.stderr);
  const d = parse(r.stdout);
  const app = d.spec.template.spec.containers.find((c: any) => c.name === 'app');
  assert.deepEqual(app.command, ['/startorder/bin/entrypoint']);
  assert.equal(app.args[app.args.indexOf('-wait_status') + 1], '/startorder/run/config-agent/ready');
  assert.equal(d.spec.template.spec.initContainers[0].name, 'startorder-init');
});

test('bin: reads stdin, writes only manifests on stdout and diagnostics on stderr', () => {
  const input = readFileSync(join(EXAMPLE, 'deployment.yaml'), 'utf8');
  const spec = readFileSync(join(EXAMPLE, 'startorder.yaml'), 'utf8');
  const r = run([], `${input}---\n${spec}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout, /kind: StartOrder/);
  assert.match(r.stdout, /startorder\.dev\/applied/);
});

test('bin: --help has examples; an unknown flag is a usage error (2)', () => {
  const h = run(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Examples:/);
  assert.match(h.stdout, /Exit codes/);
  const u = run(['--frobnicate']);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /frobnicate/);
});

test('bin: --write rewrites only changed files, in place; check then passes; revert restores the data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-bin-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, 'other.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}   # kept\n');
  const spec = join(dir, 'startorder.yaml');
  const manifests = [join(dir, 'deployment.yaml'), join(dir, 'other.yaml')];
  const before = readFileSync(manifests[0]!, 'utf8');
  assert.equal(run(['check', '-c', spec, ...manifests]).status, 1);
  const w = run(['-c', spec, '--write', ...manifests]);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(w.stdout, '');
  assert.equal(readFileSync(manifests[1]!, 'utf8'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}   # kept\n');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
  const c = run(['check', '-c', spec, ...manifests]);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.equal(run(['revert', '--write', manifests[0]!]).status, 0);
  assert.deepEqual(parse(readFileSync(manifests[0]!, 'utf8')), parse(before));
});

test('bin: an error writes nothing, not even with --write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-bin-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  const spec = join(dir, 'startorder.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('after: [config-agent]', 'after: [nobody]'));
  const before = readFileSync(join(dir, 'deployment.yaml'), 'utf8');
  const r = run(['-c', spec, '--write', join(dir, 'deployment.yaml')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /startorder\.yaml:\d+:\d+: error\[unknown-container\]/);
  assert.match(r.stderr, /fix: /);
  assert.equal(readFileSync(join(dir, 'deployment.yaml'), 'utf8'), before);
});

test('bin: graph draws Mermaid and DOT with the mechanism on each edge', () => {
  const args = ['-c', join(EXAMPLE, 'startorder.yaml'), join(EXAMPLE, 'deployment.yaml')];
  const m = run(['graph', ...args]);
  assert.match(m.stdout, /^flowchart LR/);
  assert.match(m.stdout, /-->\|Ready · wrapper\|/);
  const d = run(['graph', '--format', 'dot', ...args]);
  assert.match(d.stdout, /^digraph startorder/);
  assert.match(d.stdout, /"0\/config-agent" -> "0\/app" \[label="Ready \(wrapper\)"\]/);
});

test('bin: a KRM ResourceList on stdin comes back as a ResourceList with results', () => {
  const input = readFileSync(join(EXAMPLE, 'deployment.yaml'), 'utf8');
  const spec = parse(readFileSync(join(EXAMPLE, 'startorder.yaml'), 'utf8'));
  const list = { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [parse(input)], functionConfig: spec };
  const ok = run([], JSON.stringify(list));
  assert.equal(ok.status, 0, ok.stderr);
  const out = parse(ok.stdout);
  assert.equal(out.kind, 'ResourceList');
  assert.equal(out.items[0].spec.template.spec.initContainers[0].name, 'startorder-init');
  const bad = structuredClone(list) as any;
  bad.functionConfig.spec.containers[1].after = ['ghost'];
  const r = run([], JSON.stringify(bad));
  assert.equal(r.status, 1);
  const res = parse(r.stdout);
  assert.equal(res.items[0].spec.template.spec.containers[0].command[0], '/bin/web');
  assert.equal(res.results[0].severity, 'error');
  assert.equal(res.results[0].tags.code, 'unknown-container');
});

test('bin: a reader that stops early (| head) ends the run quietly', () => {
  const r = spawnSync(
    'bash',
    [
      '-o',
      'pipefail',
      '-c',
      `node ${BIN} -c ${join(EXAMPLE, 'startorder.yaml')} ${Array(300).fill(join(EXAMPLE, 'deployment.yaml')).join(' ')} | head -c 10 >/dev/null`,
    ],
    { encoding: 'utf8' },
  );
  assert.doesNotMatch(r.stderr, /EPIPE|internal error/);
});

test('bin: graph draws the order from rewritten manifests alone (the applied annotation)', () => {
  const out = run(['-c', join(EXAMPLE, 'startorder.yaml'), join(EXAMPLE, 'deployment.yaml')]).stdout;
  const g = run(['graph', '--format', 'json'], out);
  assert.equal(g.status, 0, g.stderr);
  const views = JSON.parse(g.stdout) as { workload: string; edges: { dep: string; dependent: string; condition: string; mechanism: string }[] }[];
  assert.deepEqual(
    views.map((v) => [v.workload, v.edges]),
    [['Deployment/web', [{ dep: 'config-agent', dependent: 'app', condition: 'Ready', mechanism: 'wrapper' }]]],
  );
});

test('bin: explain says what rewritten manifests already do', () => {
  const out = run(['-c', join(EXAMPLE, 'startorder.yaml'), join(EXAMPLE, 'deployment.yaml')]).stdout;
  const e = run(['explain'], out);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /Deployment\/web: already rewritten/);
  assert.match(e.stdout, /app starts after config-agent is ready \(wrapper\)/);
});

test('bin: runtime-image save FILE writes the pinned runtime image; a wrong call is a usage error', async () => {
  const { RUNTIME_IMAGE_DIGEST } = await import('../src/generated/runtime-image.js');
  const { readLayout } = await import('../src/image/layout.js');
  const { untar } = await import('../src/image/tar.js');
  const file = join(mkdtempSync(join(tmpdir(), 'startorder-save-')), 'runtime.tar');
  const r = run(['runtime-image', 'save', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(RUNTIME_IMAGE_DIGEST));
  const files = new Map(
    untar(new Uint8Array(readFileSync(file)))
      .filter((e) => e.data)
      .map((e) => [e.name, e.data!]),
  );
  const layout = await readLayout((p) => Promise.resolve(files.get(p)));
  assert.equal(layout.root.digest, RUNTIME_IMAGE_DIGEST);
  for (const bad of [['runtime-image'], ['runtime-image', 'load', file], ['runtime-image', 'save']]) {
    const u = run(bad);
    assert.equal(u.status, 2, `${bad.join(' ')}: ${u.stderr}`);
    assert.match(u.stderr, /usage: startorder runtime-image save FILE/);
  }
});

test('bin: stdin among files is read where "-" stands; "-" twice is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-stdin-'));
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-file}\n';
  writeFileSync(join(dir, 'cm.yaml'), cm);
  const input = readFileSync(join(EXAMPLE, 'deployment.yaml'), 'utf8');
  const r = run(['-c', join(EXAMPLE, 'startorder.yaml'), '-', join(dir, 'cm.yaml')], input);
  assert.equal(r.status, 0, r.stderr);
  const docs = r.stdout.split(/^---$/m);
  assert.equal(docs.length, 2, r.stdout);
  assert.match(docs[0]!, /startorder\.dev\/applied/);
  assert.ok(r.stdout.endsWith(cm), r.stdout);
  const twice = run(['-', '-'], input);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /stdin \("-"\) is given twice/);
  assert.equal(twice.stdout, '');
});

test('bin: a file that is not UTF-8 is an error at its first such byte, nothing written; its bytes are never replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-enc-'));
  const latin1 = Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  writeFileSync(join(dir, 'latin1.yaml'), latin1);
  writeFileSync(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: ConfigMap\n', 'utf16le')]));
  for (const [file, where] of [
    ['latin1.yaml', /latin1\.yaml:4:6: error\[input-not-utf8\]: .* byte 0xE9 at line 4, column 6/],
    ['utf16.yaml', /utf16\.yaml:1:1: error\[input-not-utf8\]: .*UTF-16 byte-order mark/],
  ] as const) {
    const r = run([join(dir, file)]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, where);
    const w = run(['--write', join(dir, file)]);
    assert.equal(w.status, 1);
  }
  assert.deepEqual(readFileSync(join(dir, 'latin1.yaml')), latin1);
  const s = spawnSync(process.execPath, [BIN, '-'], { input: latin1 });
  assert.equal(s.status, 1);
  assert.match(s.stderr.toString(), /<stdin>:4:6: error\[input-not-utf8\]/);
});

test('bin: runtime-image save to a directory or into a missing directory: one line, exit 2, no file left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-save-'));
  const d = run(['runtime-image', 'save', dir]);
  assert.equal(d.status, 2, d.stderr);
  assert.equal(d.stderr, `startorder: cannot write ${dir}: it is a directory (give a file name: ${dir}/startorder-runtime.tar)\n`);
  const m = run(['runtime-image', 'save', join(dir, 'no', 'x.tar')]);
  assert.equal(m.status, 2);
  assert.match(m.stderr, /^startorder: cannot write .*: its directory does not exist\n$/);
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(!readdirSync(tmpdir()).some((f) => f.startsWith(`${dir.slice(tmpdir().length + 1)}.tmp-`)));
});
