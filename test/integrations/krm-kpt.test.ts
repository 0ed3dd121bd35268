/**
 * kpt's side of the KRM function contract (`kpt fn eval --exec startorder`). kpt cannot be built on
 * this machine's toolchain set, so these fixtures are ResourceLists written from kpt's documentation
 * (fixtures/krm-kpt/<case>/input.yaml → expected.yaml, expected-exit): the "function-input" ConfigMap
 * kpt sends without a functionConfig (data from `-- key=value` arguments, or empty), both forms of the
 * path/index annotations, and results that are read whatever the exit code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { BIN, FIXTURES, golden, REGEN, run } from './tools.js';

const DIR = join(FIXTURES, 'krm-kpt');
const cases = readdirSync(DIR)
  .filter((n) => statSync(join(DIR, n)).isDirectory())
  .sort();

test('kpt: there are cases', () => assert.ok(cases.length >= 5, cases.join(', ')));

for (const name of cases) {
  test(`kpt: ${name}`, () => {
    const input = readFileSync(join(DIR, name, 'input.yaml'), 'utf8');
    const r = run(process.execPath, [BIN], { input });
    if (REGEN) writeFileSync(join(DIR, name, 'expected-exit'), `${r.status}\n`);
    assert.equal(r.status, Number(readFileSync(join(DIR, name, 'expected-exit'), 'utf8')), r.stderr);
    const g = golden(join(DIR, name, 'expected.yaml'), r.stdout);
    assert.equal(g.actual, g.expected);

    // The contract, whatever the case: the whole ResourceList comes back, results read regardless of the exit code.
    const inList = parse(input);
    const out = parse(r.stdout);
    assert.equal(out.kind, 'ResourceList');
    assert.equal(out.apiVersion, inList.apiVersion);
    assert.equal(out.items.length, inList.items.length);
    assert.deepEqual(out.functionConfig, inList.functionConfig);
    for (const [i, item] of (out.items as any[]).entries()) {
      assert.deepEqual(
        item.metadata.annotations ? Object.fromEntries(Object.entries(item.metadata.annotations).filter(([k]) => !k.startsWith('startorder.dev/'))) : undefined,
        inList.items[i].metadata.annotations,
        `annotations of item ${i} as they came`,
      );
    }
    const results = (out.results ?? []) as any[];
    for (const res of results) {
      assert.ok(['error', 'warning', 'info'].includes(res.severity), JSON.stringify(res));
      assert.equal(typeof res.message, 'string');
      assert.ok(res.resourceRef?.kind && res.resourceRef?.name, `resourceRef: ${JSON.stringify(res)}`);
      assert.equal(typeof res.field?.path, 'string', `field: ${JSON.stringify(res)}`);
    }
    assert.equal(
      r.status === 1,
      results.some((x) => x.severity === 'error'),
      'exit 1 exactly when a result is an error',
    );
    if (r.status === 1) assert.deepEqual(out.items, inList.items, 'on error nothing is changed');
  });
}

test('kpt: a result on an item carries the file from either form of the path/index annotations', () => {
  for (const legacy of [false, true]) {
    const prefix = legacy ? 'config.kubernetes.io' : 'internal.config.kubernetes.io';
    const input = readFileSync(join(DIR, 'error-results', 'input.yaml'), 'utf8').replaceAll('internal.config.kubernetes.io/', `${prefix}/`);
    const r = run(process.execPath, [BIN], { input });
    assert.equal(r.status, 1);
    const res = parse(r.stdout).results[0];
    assert.deepEqual(res.file, { path: 'deploy/web.yaml', index: 0 }, prefix);
    assert.deepEqual(res.resourceRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' });
  }
});

test('kpt: a JSON ResourceList comes back as JSON, with results', () => {
  const list = parse(readFileSync(join(DIR, 'bad-function-config', 'input.yaml'), 'utf8'));
  const r = run(process.execPath, [BIN], { input: JSON.stringify(list) });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.items, list.items);
  assert.equal(out.results[0].field.path, 'data.containers');
});

test('kpt: data.spec that is not YAML is an error result on the ConfigMap', () => {
  const list = parse(readFileSync(join(DIR, 'function-input-spec', 'input.yaml'), 'utf8'));
  list.functionConfig.data.spec = 'containers: [unclosed';
  const r = run(process.execPath, [BIN], { input: JSON.stringify(list) });
  assert.equal(r.status, 1);
  const res = JSON.parse(r.stdout).results[0];
  assert.equal(res.tags.code, 'function-config-invalid');
  assert.deepEqual([res.resourceRef.kind, res.resourceRef.name, res.field.path], ['ConfigMap', 'function-input', 'data.spec']);
});
