import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  containerList,
  containerNames,
  containersOf,
  getIn,
  isStartOrder,
  isWorkloadKind,
  KUBERNETES_VERSION,
  podPaths,
  resourceRef,
  setIn,
  splitPointer,
  TEMPLATE_PATHS,
  WORKLOAD_KINDS,
  workloadId,
} from '../src/kube/index.js';

test('podPaths: a Pod is its own template, a CronJob nests it in jobTemplate, the others in spec.template', () => {
  assert.deepEqual(podPaths('Pod'), { metadata: ['metadata'], spec: ['spec'] });
  assert.deepEqual(podPaths('Deployment'), { metadata: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] });
  assert.deepEqual(podPaths('CronJob'), {
    metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  });
  for (const k of WORKLOAD_KINDS) {
    const p = podPaths(k);
    assert.equal(p.spec.at(-1), 'spec');
    assert.deepEqual(p.spec.slice(0, -1), p.metadata.slice(0, -1), k);
    assert.ok(
      TEMPLATE_PATHS.some((t) => t.join('/') === p.spec.slice(0, -1).join('/')),
      k,
    );
  }
});

test('podPaths returns fresh arrays: changing one does not change the table', () => {
  const p = podPaths('Job');
  (p.spec as string[]).push('x');
  assert.deepEqual(podPaths('Job').spec, ['spec', 'template', 'spec']);
});

test('isWorkloadKind: the eight kinds, nothing else', () => {
  assert.equal(WORKLOAD_KINDS.length, 8);
  for (const k of WORKLOAD_KINDS) assert.ok(isWorkloadKind(k));
  for (const k of ['Service', 'deployment', 'List', '']) assert.ok(!isWorkloadKind(k), k);
});

test('workloadId: kind/namespace/name, namespace only when set, a stand-in for no name', () => {
  assert.equal(workloadId({ kind: 'Deployment', name: 'web', namespace: 'prod' }), 'Deployment/prod/web');
  assert.equal(workloadId({ kind: 'Pod', name: 'p' }), 'Pod/p');
  assert.equal(workloadId({ kind: 'Pod', namespace: '' }), 'Pod/<unnamed>');
  assert.equal(workloadId({ kind: 'Job', namespace: 'n' }, ''), 'Job/n/');
});

test('resourceRef: only the fields that are known', () => {
  assert.deepEqual(resourceRef({ kind: 'Pod' }), { kind: 'Pod' });
  assert.deepEqual(resourceRef({ kind: 'Job', apiVersion: 'batch/v1', name: 'j', namespace: 'n' }), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: 'j',
    namespace: 'n',
  });
  assert.deepEqual(Object.keys(resourceRef({ kind: 'Pod', name: '', namespace: '', apiVersion: '' })), ['kind']);
});

test('containersOf: init containers first, with list and index; non-objects skipped but counted', () => {
  const pod = { containers: [{ name: 'a' }, null, { name: 'b' }], initContainers: [{ name: 'i' }] };
  assert.deepEqual(
    containersOf(pod).map((c) => [c.list, c.index, c.container.name]),
    [
      ['initContainers', 0, 'i'],
      ['containers', 0, 'a'],
      ['containers', 2, 'b'],
    ],
  );
  assert.deepEqual(
    containersOf(pod, ['containers']).map((c) => c.container.name),
    ['a', 'b'],
  );
  assert.deepEqual(containersOf({ containers: 'x' }), []);
  assert.deepEqual(
    containerList(pod, 'containers').map((c) => c.name),
    ['a', 'b'],
  );
  assert.deepEqual(containerList({}, 'initContainers'), []);
});

test('containerNames: string names of both lists', () => {
  assert.deepEqual([...containerNames({ containers: [{ name: 'a' }, { name: 3 }], initContainers: [{ name: 'i' }, 'x'] })].sort(), ['a', 'i']);
});

test('getIn: follows keys and indexes, undefined where the path leaves the data', () => {
  const v = { a: { b: [10, { c: 'x' }] } };
  assert.equal(getIn(v, ['a', 'b', 1, 'c']), 'x');
  assert.equal(getIn(v, ['a', 'b', 0]), 10);
  assert.equal(getIn(v, ['a', 'z', 'c']), undefined);
  assert.equal(getIn(v, ['a', 'b', 0, 'x']), undefined);
  assert.equal(getIn(null, ['a']), undefined);
  assert.equal(getIn(v, []), v);
});

test('setIn: sets in place and returns the root; an empty path changes nothing', () => {
  const v = { a: { b: [1, 2] } };
  assert.equal(setIn(v, ['a', 'b', 1], 'x'), v);
  assert.deepEqual(v, { a: { b: [1, 'x'] } });
  setIn(v, ['a', 'c'], true);
  assert.deepEqual(v, { a: { b: [1, 'x'], c: true } });
  assert.deepEqual(setIn(v, [], 0), { a: { b: [1, 'x'], c: true } });
});

test('splitPointer: unescapes ~1 and ~0; without data all-digit segments are indexes', () => {
  assert.deepEqual(splitPointer(''), []);
  assert.deepEqual(splitPointer('/spec/containers/0/a~1b~0c'), ['spec', 'containers', 0, 'a/b~c']);
  assert.deepEqual(splitPointer('/labels/7'), ['labels', 7]);
});

test('splitPointer with data: a number only where the data has a list', () => {
  const data = { labels: { '7': 'x' }, list: [{ '0': 1 }] };
  assert.deepEqual(splitPointer('/labels/7', data), ['labels', '7']);
  assert.deepEqual(splitPointer('/list/0/0', data), ['list', 0, '0']);
  assert.deepEqual(splitPointer('/missing/3', data), ['missing', '3']);
});

test('isStartOrder: kind StartOrder of the startorder.dev group, any version', () => {
  assert.ok(isStartOrder({ apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder' }));
  assert.ok(isStartOrder({ apiVersion: 'startorder.dev/v9', kind: 'StartOrder' }));
  assert.ok(!isStartOrder({ apiVersion: 'example.com/v1', kind: 'StartOrder' }));
  assert.ok(!isStartOrder({ kind: 'StartOrder' }));
  assert.ok(!isStartOrder({ apiVersion: 'startorder.dev/v1alpha1', kind: 'Other' }));
  assert.ok(!isStartOrder([]));
});

test('KUBERNETES_VERSION: 1.x with an optional v and patch', () => {
  for (const v of ['1.33', 'v1.33', '1.33.2']) assert.match(v, KUBERNETES_VERSION);
  for (const v of ['2.0', '1', '1.33.', 'v1.x']) assert.doesNotMatch(v, KUBERNETES_VERSION);
});
