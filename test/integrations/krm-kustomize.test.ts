/**
 * startorder as a kustomize exec KRM function, run by the REAL kustomize v5
 * (`kustomize build --enable-alpha-plugins --enable-exec`), against fixtures/krm-kustomize.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { cannotBuild, FIXTURES, golden, ROOT, run, toolPath } from './tools.js';

const FIXTURE = join(FIXTURES, 'krm-kustomize');
const WRAPPER = join(ROOT, 'test', 'integrations', 'startorder-krm.sh');

function kustomize(t: { skip: (m: string) => void }): string | undefined {
  const why = cannotBuild('kustomize');
  if (why) return void t.skip(why);
  return toolPath('kustomize');
}

/** A copy of the fixture whose exec path is absolute (it no longer sits two folders under the repo). */
function copyFixture(edit: (spec: string) => string = (s) => s): string {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-kustomize-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const spec = join(dir, 'startorder.yaml');
  writeFileSync(spec, edit(readFileSync(spec, 'utf8').replace('../../test/integrations/startorder-krm.sh', WRAPPER)));
  return dir;
}

const annotationsOf = (list: any) => (list.items as any[]).map((i) => ({ kind: i.kind, name: i.metadata.name, annotations: i.metadata.annotations }));

test("kustomize: the exec function rewrites the Deployment (golden), kustomize's annotations survive", (t) => {
  const k = kustomize(t);
  if (!k) return;
  const trace = mkdtempSync(join(tmpdir(), 'startorder-trace-'));
  const r = run(k, ['build', '--enable-alpha-plugins', '--enable-exec', FIXTURE], { env: { ...process.env, STARTORDER_KRM_TRACE: trace } });
  assert.equal(r.status, 0, r.stderr);
  const g = golden(join(FIXTURE, 'expected-kustomize.yaml'), r.stdout);
  assert.equal(g.actual, g.expected, 'kustomize build output differs from fixtures/krm-kustomize/expected-kustomize.yaml');
  // Our function really ran: the record annotation is there, and the StartOrder is not in the output.
  assert.match(r.stdout, /startorder\.dev\/applied/);
  assert.doesNotMatch(r.stdout, /kind: StartOrder/);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const dep = docs.find((d) => d.kind === 'Deployment');
  assert.equal(dep.metadata.namespace, 'shop', "kustomize's own transformers still apply");
  assert.deepEqual(
    dep.spec.template.spec.initContainers.map((c: any) => c.name),
    ['startorder-init', 'config-agent'],
  );
  // What went in and came out of the function: the KRM envelope, annotations kept as they came.
  const input = parse(readFileSync(join(trace, 'in.yaml'), 'utf8'));
  const output = parse(readFileSync(join(trace, 'out.yaml'), 'utf8'));
  assert.equal(input.kind, 'ResourceList');
  assert.equal(input.functionConfig.kind, 'StartOrder');
  assert.equal(output.kind, 'ResourceList');
  assert.equal(output.results, undefined, 'no results on success');
  const keys = Object.keys(input.items[0].metadata.annotations);
  assert.ok(
    keys.some((a) => a.startsWith('internal.config.kubernetes.io/')),
    `kustomize sent its internal annotations: ${keys.join(', ')}`,
  );
  assert.ok(keys.includes('kustomize.config.k8s.io/id') && keys.includes('config.k8s.io/id'), keys.join(', '));
  assert.deepEqual(annotationsOf(output), annotationsOf(input));
});

test('kustomize: without --enable-exec the function does not run (kustomize skips it silently)', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const trace = mkdtempSync(join(tmpdir(), 'startorder-trace-'));
  const r = run(k, ['build', '--enable-alpha-plugins', FIXTURE], { env: { ...process.env, STARTORDER_KRM_TRACE: trace } });
  assert.doesNotMatch(r.stdout, /startorder\.dev\/applied/);
  assert.equal(existsSync(join(trace, 'in.yaml')), false, 'the exec function was not started');
  const off = run(k, ['build', FIXTURE]);
  assert.notEqual(off.status, 0);
  assert.match(off.stderr, /external plugins disabled/);
});

test('kustomize: an invalid spec fails the build; the function still returns the whole ResourceList with results', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const dir = copyFixture((s) => s.replace('after: [config-agent]', 'after: [config-agnt]'));
  const trace = mkdtempSync(join(tmpdir(), 'startorder-trace-'));
  const r = run(k, ['build', '--enable-alpha-plugins', '--enable-exec', dir], { env: { ...process.env, STARTORDER_KRM_TRACE: trace } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /couldn't execute function: exit status 1/);
  const input = parse(readFileSync(join(trace, 'in.yaml'), 'utf8'));
  const output = parse(readFileSync(join(trace, 'out.yaml'), 'utf8'));
  assert.deepEqual(output.items, input.items, 'every item comes back unchanged');
  assert.equal(output.results.length, 1);
  const [res] = output.results;
  assert.equal(res.severity, 'error');
  assert.match(res.message, /config-agnt/);
  assert.deepEqual(res.resourceRef, { apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', name: 'web' });
  assert.equal(res.field.path, 'spec.containers[1].after[0]');
  assert.equal(res.tags.code, 'unknown-container');
});

/** A copy of the fixture with more lines in its kustomization.yaml. */
function withKustomization(extra: string, edit?: (spec: string) => string): string {
  const dir = copyFixture(edit);
  const k = join(dir, 'kustomization.yaml');
  writeFileSync(k, readFileSync(k, 'utf8') + extra);
  return dir;
}

test('kustomize: selector.names still match after namePrefix, nameSuffix and namespace (previousNames)', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const dir = withKustomization('namePrefix: pre-\nnameSuffix: -suf\n');
  const r = run(k, ['build', '--enable-alpha-plugins', '--enable-exec', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /spec-selects-nothing/);
  const dep = parseAllDocuments(r.stdout)
    .map((d) => d.toJS())
    .find((d) => d.kind === 'Deployment');
  assert.equal(dep.metadata.name, 'pre-web-suf');
  assert.ok(dep.spec.template.metadata.annotations['startorder.dev/applied'], 'the renamed Deployment was rewritten');
});

test('kustomize: a functionConfig that selects nothing fails the build with one line naming the spec and the field, not <stdin>', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const dir = copyFixture((s) => s.replace('names: [web]', 'names: [shop-web]'));
  const r = run(k, ['build', '--enable-alpha-plugins', '--enable-exec', dir]);
  assert.notEqual(r.status, 0);
  const ours = r.stderr.split('\n').filter((l) => l.includes('[spec-selects-nothing]'));
  assert.equal(ours.length, 1, r.stderr);
  assert.match(ours[0]!, /^StartOrder\/web: error\[spec-selects-nothing\]: spec\.selector \(line \d+ of the object\): /);
  assert.doesNotMatch(r.stderr, /<stdin>/);
});

test('kustomize: a custom resource with an integer above 2^53 comes through the function as it was', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const dir = withKustomization('resources:\n  - widget.yaml\n');
  // kustomization.yaml has resources: already; a second key would be invalid: put it in the list instead.
  const kfile = join(dir, 'kustomization.yaml');
  writeFileSync(
    kfile,
    readFileSync(kfile, 'utf8')
      .replace(/\nresources:\n {2}- widget\.yaml\n$/, '\n')
      .replace('  - service.yaml', '  - service.yaml\n  - widget.yaml'),
  );
  writeFileSync(join(dir, 'widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: big\nspec:\n  count: 123456789012345678\n');
  const r = run(k, ['build', '--enable-alpha-plugins', '--enable-exec', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /count: 123456789012345678\n/);
});

test('kustomize fn run: errors reach its user as one stderr line each, with the file from the path annotation', (t) => {
  const k = kustomize(t);
  if (!k) return;
  // The function declared in the directory: its StartOrder is also one of the items, with its path.
  const dir = mkdtempSync(join(tmpdir(), 'startorder-fnrun-'));
  writeFileSync(join(dir, 'deploy.yaml'), readFileSync(join(FIXTURE, 'input.yaml'), 'utf8'));
  writeFileSync(
    join(dir, 'startorder.yaml'),
    readFileSync(join(FIXTURE, 'startorder.yaml'), 'utf8')
      .replace('../../test/integrations/startorder-krm.sh', WRAPPER)
      .replace('names: [web]', 'names: [nope]'),
  );
  const declared = run(k, ['fn', 'run', '--enable-exec', dir]);
  assert.notEqual(declared.status, 0);
  assert.match(declared.stderr, /^startorder\.yaml: error\[spec-selects-nothing\]: StartOrder\/web spec\.selector \(line \d+ of the object\): /m);
  // --exec-path with key=value arguments: kustomize's own "function-input" ConfigMap (kpt's twin).
  const dir2 = mkdtempSync(join(tmpdir(), 'startorder-fnrun-'));
  writeFileSync(join(dir2, 'deploy.yaml'), readFileSync(join(FIXTURE, 'input.yaml'), 'utf8'));
  const args = run(k, ['fn', 'run', '--enable-exec', '--exec-path', WRAPPER, dir2, '--', 'mode=wrapper']);
  assert.notEqual(args.status, 0);
  assert.match(args.stderr, /^ConfigMap\/function-input: error\[function-config-invalid\]: data\.spec( \(line \d+ of the object\))?: /m);
  assert.equal(readFileSync(join(dir2, 'deploy.yaml'), 'utf8'), readFileSync(join(FIXTURE, 'input.yaml'), 'utf8'), 'nothing written back on error');
});

test('kustomize fn run, three times in a row: byte-identical after the first run; a later edit survives or is a located error', (t) => {
  const k = kustomize(t);
  if (!k) return;
  const dir = mkdtempSync(join(tmpdir(), 'startorder-fnrun3-'));
  const licence = '# Copyright 2026 The Example Authors.\n# SPDX-License-Identifier: Apache-2.0\n\n';
  writeFileSync(join(dir, 'deploy.yaml'), licence + readFileSync(join(FIXTURE, 'input.yaml'), 'utf8'));
  writeFileSync(
    join(dir, 'widget.yaml'),
    '# a custom resource with a big number\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: big\nspec:\n  count: 123456789012345678   # above 2^53\n',
  );
  writeFileSync(
    join(dir, 'startorder.yaml'),
    readFileSync(join(FIXTURE, 'startorder.yaml'), 'utf8').replace('../../test/integrations/startorder-krm.sh', WRAPPER).replace('mode: auto', 'mode: wrapper'),
  );
  const fnRun = () => {
    const r = run(k, ['fn', 'run', '--enable-exec', dir]);
    return { r, deploy: readFileSync(join(dir, 'deploy.yaml'), 'utf8'), widget: readFileSync(join(dir, 'widget.yaml'), 'utf8') };
  };
  const first = fnRun();
  assert.equal(first.r.status, 0, first.r.stderr);
  // kustomize itself drops the blank line under the header (kyaml re-serializes the file); the
  // comments are the function's business: they must stay, once.
  assert.ok(first.deploy.startsWith('# Copyright 2026 The Example Authors.\n# SPDX-License-Identifier: Apache-2.0\n'), 'the licence header stays on top');
  assert.match(first.deploy, /startorder\/bin\/entrypoint/);
  assert.match(first.widget, /count: 123456789012345678 +# above 2\^53\n/, 'the number keeps all its digits (kyaml respaces the comment)');
  const second = fnRun();
  const third = fnRun();
  assert.equal(second.deploy, first.deploy, 'second run: byte-identical');
  assert.equal(third.deploy, first.deploy, 'third run: byte-identical');
  assert.equal(third.widget, first.widget);
  assert.equal(first.deploy.split('Copyright').length, 2, 'the licence comment does not multiply');

  // A mount the user adds to a wrapped container between runs survives the next run.
  const edited = first.deploy.replace(
    /( +)- name: config\n( +)mountPath: \/etc\/app\n/,
    (m, a: string, b: string) => `${m}${a}- name: cache\n${b}mountPath: /var/cache\n`,
  );
  assert.notEqual(edited, first.deploy);
  writeFileSync(join(dir, 'deploy.yaml'), edited);
  const fourth = fnRun();
  assert.equal(fourth.r.status, 0, fourth.r.stderr);
  assert.match(fourth.deploy, /- name: cache\n +mountPath: \/var\/cache\n/, 'the new mount is kept');
  assert.equal(fnRun().deploy, fourth.deploy, 'and stays put');

  // A patch that strips the wrapper's flags is reported with the field, and nothing is written.
  const stripped = fourth.deploy.replace(/args: \[-status_dir[^\n]*\]/, 'args: ["--config", "/etc/app/config.yaml"]');
  assert.notEqual(stripped, fourth.deploy);
  writeFileSync(join(dir, 'deploy.yaml'), stripped);
  const bad = run(k, ['fn', 'run', '--enable-exec', dir]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /deploy\.yaml: error\[record-mismatch\]: Deployment\/web spec\.template\.spec\.containers\[0\]\.args/);
  assert.equal(readFileSync(join(dir, 'deploy.yaml'), 'utf8'), stripped, 'nothing written back on error');
});
