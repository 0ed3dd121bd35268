import { test } from 'node:test';
import assert from 'node:assert/strict';

import { asWorkload } from '../src/select/resources.js';
import { completePlan, planWorkload } from '../src/plan/plan.js';
import { normalizeSpec } from '../src/spec/normalize.js';
import type { ImageEntry, Obj } from '../src/types.js';

const noPlace = () => undefined;

function job(): { w: NonNullable<ReturnType<typeof asWorkload>>; podSpec: Obj } {
  const value: Obj = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'db', image: 'postgres:16' },
            { name: 'app', image: 'app:1', command: ['/app'] },
            { name: 'cache', image: 'redis:7' },
          ],
        },
      },
    },
  };
  const w = asWorkload({ file: 'in.yaml', document: 0, path: [], value, kind: 'Job', name: 'j' })!;
  return { w, podSpec: ((value.spec as Obj).template as Obj).spec as Obj };
}

const spec = (images: ImageEntry[] = []) =>
  normalizeSpec({ mode: 'wrapper', containers: [{ name: 'app', after: ['db', 'cache'] }], images }, { name: 's', origin: 'StartOrder/s' }, {});

test('deferImages: a container without command whose image is unknown is data, not missing-command', () => {
  const { w, podSpec } = job();
  const r = planWorkload(w, podSpec, spec(), noPlace, { deferImages: true });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.unresolved, [
    { container: 'db', image: 'postgres:16', list: 'containers', index: 0 },
    { container: 'cache', image: 'redis:7', list: 'containers', index: 2 },
  ]);
  assert.deepEqual(r.plan!.wrapped.find((x) => x.name === 'db')!.argv, []);
});

test('without deferImages nothing changes: missing-command, no plan', () => {
  const { w, podSpec } = job();
  const r = planWorkload(w, podSpec, spec(), noPlace);
  assert.equal(r.plan, undefined);
  assert.equal(r.unresolved, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.container, d.path]),
    [
      ['missing-command', 'db', ['spec', 'template', 'spec', 'containers', 0]],
      ['missing-command', 'cache', ['spec', 'template', 'spec', 'containers', 2]],
    ],
  );
});

test('completePlan with the images gives the plan planWorkload gives when the spec has them', () => {
  const { w, podSpec } = job();
  const images = [
    { image: 'postgres:16', command: ['docker-entrypoint.sh'], args: ['postgres'] },
    { image: 'redis:7', command: ['redis-server'] },
  ];
  const done = completePlan(w, podSpec, planWorkload(w, podSpec, spec(), noPlace, { deferImages: true }), images, noPlace);
  const direct = planWorkload(w, podSpec, spec(images), noPlace);
  assert.deepEqual(done.diagnostics, []);
  assert.deepEqual(done.plan, direct.plan);
  assert.deepEqual(done.plan!.wrapped.find((x) => x.name === 'db')!.argv, ['docker-entrypoint.sh', 'postgres']);
});

test('completePlan: an image still unknown gives the same missing-command as planWorkload, and no plan', () => {
  const { w, podSpec } = job();
  const images = [{ image: 'redis:7', command: ['redis-server'] }];
  const done = completePlan(w, podSpec, planWorkload(w, podSpec, spec(), noPlace, { deferImages: true }), images, noPlace);
  const direct = planWorkload(w, podSpec, spec(images), noPlace);
  assert.equal(done.plan, undefined);
  assert.deepEqual(done.diagnostics, direct.diagnostics);
  assert.deepEqual(
    done.diagnostics.map((d) => d.container),
    ['db'],
  );
});

test("completePlan: the spec's own images table wins over a resolved entry of the same image", () => {
  const { w, podSpec } = job();
  const own = [
    { image: 'postgres:16', command: ['own'] },
    { image: 'redis:7', command: ['redis-server'] },
  ];
  const planned = planWorkload(w, podSpec, spec(own), noPlace, { deferImages: true });
  assert.equal(planned.unresolved, undefined);
  const done = completePlan(w, podSpec, planned, [{ image: 'postgres:16', command: ['resolved'] }], noPlace);
  assert.deepEqual(done.plan!.wrapped.find((x) => x.name === 'db')!.argv, ['own']);
});
