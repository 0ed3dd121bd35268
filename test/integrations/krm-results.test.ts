/**
 * withResults (issue 8): results are added to a ResourceList by editing its text, never by printing
 * it again. Every case checks that the text outside the edit is unchanged and that the answer parses
 * to the list with the results (earlier ones first).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { withResults } from '../../src/krm/index.js';

const ours = [{ message: 'ours', severity: 'error', resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }, field: { path: 'data.a' } }];

const cases: [string, string][] = [
  [
    'block list, compact items',
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}   # kept\n  data: {n: 123456789012345678}\n',
  ],
  [
    'block list, indented items, no final newline',
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: x}',
  ],
  [
    'earlier block results',
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n  - message: earlier\n    severity: info\n# trailing comment\n',
  ],
  ['earlier flow results', 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults: [{message: earlier, severity: info}]\n'],
  ['results: null', 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\nfunctionConfig: {}\n'],
  ['JSON, pretty', '{\n  "apiVersion": "config.kubernetes.io/v1",\n  "kind": "ResourceList",\n  "items": [{"n": 123456789012345678}]\n}\n'],
  [
    'JSON, one line, earlier results',
    '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [], "results": [{"message": "earlier", "severity": "info"}]}',
  ],
];

for (const [name, text] of cases) {
  test(`withResults: ${name}`, () => {
    const out = withResults(text, ours, true);
    const before = parse(text) as { results?: unknown[] };
    const after = parse(out, { intAsBigInt: true }) as { results: unknown[]; items: unknown[] };
    assert.deepEqual(after.results, [...(before.results ?? []), ...ours]);
    assert.ok(Array.isArray(after.items));
    // Everything that was there is still there, in order: the edit only inserts.
    let j = 0;
    for (let i = 0; i < out.length && j < text.length; i++) if (out[i] === text[j]) j++;
    assert.equal(j, text.length, `the input is a subsequence of the answer:\n${out}`);
    assert.doesNotMatch(out, /123456789012345680/);
  });
}

test('withResults: nothing to add and items present: the very same text', () => {
  const text = 'kind: ResourceList\nitems: []   # x\n';
  assert.equal(withResults(text, [], true), text);
});

test('withResults: no items: `items: []` is added', () => {
  const out = withResults('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n', [], true);
  assert.equal(out, 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n');
});
