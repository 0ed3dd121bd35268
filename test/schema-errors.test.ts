import { test } from 'node:test';
import assert from 'node:assert/strict';

import { validateAnnotationSpec, validateStartOrderDocument } from '../src/spec/schema.js';
import { validatePodSpec } from '../src/validate/pod-schema.js';

const order = (spec: unknown) => ({ apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name: 'o' }, spec });

test('StartOrder: an unknown field is reported at the field, a missing one at its parent', () => {
  const problems = validateStartOrderDocument(order({ containers: [{ after: [], colour: 1 }] }));
  assert.deepEqual(
    problems.map((p) => p.path),
    [
      ['spec', 'containers', 0],
      ['spec', 'containers', 0, 'colour'],
    ],
  );
  assert.match(problems[1]!.message, /^unknown field "colour"$/);
});

test("StartOrder: ready's oneOf is one sentence, not a missing field per branch", () => {
  const problems = validateStartOrderDocument(order({ containers: [{ name: 'a', ready: {} }] }));
  assert.deepEqual(
    problems.map((p) => p.path.join('.')),
    ['spec.containers.0.ready'],
  );
  assert.match(problems[0]!.message, /exactly one of/);
});

test('StartOrder: a map key that looks like a number stays a string in the path', () => {
  const problems = validateStartOrderDocument(order({ selector: { matchLabels: { '1': 5 } }, containers: [{ name: 'a' }] }));
  assert.ok(problems.length > 0);
  for (const p of problems) assert.deepEqual(p.path, ['spec', 'selector', 'matchLabels', '1']);
});

test('annotation spec: a selector is refused with its own sentence', () => {
  const problems = validateAnnotationSpec({ selector: {}, containers: [{ name: 'a' }] });
  assert.ok(problems.some((p) => /selects its own workload/.test(p.message)));
});

test('PodSpec: list indexes are numbers, wrong types say the type without null', () => {
  const problems = validatePodSpec({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 'http' }] }] });
  assert.deepEqual(
    problems.map((p) => p.path),
    [['containers', 0, 'ports', 0, 'containerPort']],
  );
  assert.equal(problems[0]!.message, 'must be integer');
});

test('PodSpec: a nodeSelector key that looks like a number stays a string', () => {
  const problems = validatePodSpec({ containers: [{ name: 'a', image: 'x' }], nodeSelector: { '0': 1 } });
  assert.deepEqual(
    problems.map((p) => p.path),
    [['nodeSelector', '0']],
  );
});
