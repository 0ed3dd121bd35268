/**
 * The webhook's pure parts: the JSON Patch diff (checked by applying it, also over generated JSON),
 * JSON Pointer escaping, LabelSelector matching and the overlap rule, warnings and field paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fieldPath, warningOf } from '../src/webhook/admission.js';
import { escapeToken, jsonPatch } from '../src/webhook/patch.js';
import { canOverlap, selects } from '../src/webhook/selector.js';
import { applyPatch } from './webhook-fixtures.js';

describe('jsonPatch', () => {
  it('equal values: no operation', () => {
    assert.deepEqual(jsonPatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
  });

  it('add, replace and remove at the right pointer, with ~0 and ~1 escaping', () => {
    const before = { metadata: { annotations: { 'a/b': 'x', 'c~d': 'y', gone: 'z' } } };
    const after = { metadata: { annotations: { 'a/b': 'x2', 'c~d': 'y', 'new/~': 'n' } } };
    assert.deepEqual(jsonPatch(before, after), [
      { op: 'remove', path: '/metadata/annotations/gone' },
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'x2' },
      { op: 'add', path: '/metadata/annotations/new~1~0', value: 'n' },
    ]);
    assert.equal(escapeToken('~/'), '~0~1');
  });

  it('arrays: element by element, extra elements added at the end or removed from the end', () => {
    const c = (name: string, image: string) => ({
      name,
      image,
      resources: { requests: { cpu: '100m', memory: '64Mi' } },
      terminationMessagePath: '/dev/termination-log',
    });
    assert.deepEqual(jsonPatch({ v: [c('a', 'x:1'), c('b', 'y:1')] }, { v: [c('a', 'x:1'), c('b', 'y:2'), c('c', 'z:1')] }), [
      { op: 'replace', path: '/v/1/image', value: 'y:2' },
      { op: 'add', path: '/v/2', value: c('c', 'z:1') },
    ]);
    const ops = jsonPatch({ v: [1, 2, 3, 4] }, { v: [1] });
    assert.deepEqual(applyPatch({ v: [1, 2, 3, 4] }, ops), { v: [1] });
    assert.ok(ops.every((o) => o.op === 'remove' || o.op === 'replace'));
  });

  it('an array rewritten through and through is replaced whole (fewer bytes)', () => {
    const ops = jsonPatch({ args: ['a', 'b', 'c'] }, { args: ['-x', '1', '-y', '2', '--', 'a', 'b', 'c'] });
    assert.deepEqual(ops, [{ op: 'replace', path: '/args', value: ['-x', '1', '-y', '2', '--', 'a', 'b', 'c'] }]);
  });

  it('a type change (object to array, value to null) is a replace', () => {
    assert.deepEqual(jsonPatch({ a: { x: 1 } }, { a: [1] }), [{ op: 'replace', path: '/a', value: [1] }]);
    assert.deepEqual(jsonPatch({ a: 1 }, { a: null }), [{ op: 'replace', path: '/a', value: null }]);
  });

  it('property: applying jsonPatch(a, b) to a gives b, for generated JSON', () => {
    const key = fc.constantFrom('a', 'b', 'c/d', 'e~f', '', '0', '-');
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null), fc.boolean(), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
    })).object;
    fc.assert(
      fc.property(json, json, (a, b) => {
        assert.deepEqual(applyPatch(a, jsonPatch(a, b)), b);
      }),
      { numRuns: 500 },
    );
  });
});

describe('LabelSelector', () => {
  const labels = { app: 'web', tier: 'frontend' };
  it('matchLabels and each operator', () => {
    assert.equal(selects(undefined, labels), true);
    assert.equal(selects({}, labels), true);
    assert.equal(selects({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(selects({ matchLabels: { app: 'web', tier: 'backend' } }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'canary', operator: 'NotIn', values: ['true'] }] }, labels), true, 'NotIn matches a pod without the key');
    assert.equal(selects({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, labels), true);
    assert.equal(selects({ matchLabels: { app: 'web' } }, undefined), false);
  });

  it('overlap: only a key whose requirements together allow no value rules it out', () => {
    const cases: [unknown, unknown, boolean][] = [
      [undefined, { matchLabels: { app: 'web' } }, true],
      [{}, {}, true],
      [{ matchLabels: { app: 'web' } }, { matchLabels: { app: 'web' } }, true],
      [{ matchLabels: { app: 'web' } }, { matchLabels: { tier: 'frontend' } }, true],
      [{ matchLabels: { app: 'web' } }, { matchLabels: { app: 'db' } }, false],
      [{ matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
      [{ matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
      [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, false],
      [
        { matchExpressions: [{ key: 'x', operator: 'In', values: ['a', 'b'] }] },
        { matchExpressions: [{ key: 'x', operator: 'In', values: ['b', 'c'] }] },
        true,
      ],
      [{ matchExpressions: [{ key: 'x', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'x', operator: 'In', values: ['c'] }] }, false],
      [{ matchExpressions: [{ key: 'x', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['b'] }] }, true],
      [{ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] }, { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['b'] }] }, true],
    ];
    for (const [a, b, overlap] of cases) {
      assert.equal(canOverlap(a, b).overlap, overlap, JSON.stringify([a, b]));
      assert.equal(canOverlap(b, a).overlap, overlap, `symmetric: ${JSON.stringify([b, a])}`);
    }
  });

  it('property: when two selectors both select some labels, canOverlap says they overlap', () => {
    const value = fc.constantFrom('a', 'b', 'c');
    const key = fc.constantFrom('x', 'y');
    const expr = fc.oneof(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(value, { minLength: 1, maxLength: 2 }) }),
      fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    );
    const selector = fc.record({
      matchLabels: fc.dictionary(key, value, { maxKeys: 2, noNullPrototype: true }),
      matchExpressions: fc.array(expr, { maxLength: 2 }),
    });
    const labelSet = fc.dictionary(key, value, { maxKeys: 2, noNullPrototype: true });
    fc.assert(
      fc.property(selector, selector, fc.array(labelSet, { minLength: 20, maxLength: 20 }), (a, b, pods) => {
        if (pods.some((l) => selects(a, l) && selects(b, l))) assert.equal(canOverlap(a, b).overlap, true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('admission text', () => {
  it('field paths as the apiserver writes them', () => {
    assert.equal(fieldPath(['spec', 'containers', 1, 'after', 0]), 'spec.containers[1].after[0]');
    assert.equal(fieldPath([]), '');
  });
  it('a warning is one line of at most 120 characters', () => {
    const w = warningOf({ code: 'cycle', severity: 'error', message: `a\nb ${'x'.repeat(300)}`, container: 'app' });
    assert.ok(w.length <= 120 && !w.includes('\n'));
    assert.match(w, /^startorder error\[cycle\] \(container app\): a b x+…$/);
  });
});

describe('startorder webhook flags', () => {
  it('defaults of the contract; bad values are usage errors', async () => {
    const { parseWebhookFlags, WebhookUsageError } = await import('../src/webhook/command.js');
    assert.deepEqual(parseWebhookFlags([]), { port: 8443, certFile: '/etc/startorder/tls/tls.crt', keyFile: '/etc/startorder/tls/tls.key', onError: 'allow' });
    assert.deepEqual(
      parseWebhookFlags(['--on-error', 'deny', '--kubernetes-version', 'v1.31', '--runtime-image', 'mirror.example/entrypoint:1', '--namespace-scope', 'shop']),
      {
        port: 8443,
        certFile: '/etc/startorder/tls/tls.crt',
        keyFile: '/etc/startorder/tls/tls.key',
        onError: 'deny',
        kubernetesVersion: '1.31',
        runtimeImage: 'mirror.example/entrypoint:1',
        namespace: 'shop',
      },
    );
    for (const bad of [['--port', 'x'], ['--on-error', 'maybe'], ['--kubernetes-version', '2.0'], ['extra']])
      assert.throws(() => parseWebhookFlags(bad), WebhookUsageError, bad.join(' '));
    assert.throws(() => parseWebhookFlags(['--nope']), /Unknown option/);
  });

  it('--runtime-image is the wrapper image the pods get', async () => {
    const { mutate } = await import('../src/webhook/mutate.js');
    const { replicaSetPod, review, startOrder } = await import('./webhook-fixtures.js');
    const spec = {
      mode: 'wrapper',
      containers: [
        { name: 'db-proxy', ready: { tcpSocket: { port: 5432 } } },
        { name: 'app', after: ['db-proxy'] },
      ],
    };
    const pod = replicaSetPod();
    const r = mutate(
      review(pod).request,
      { list: () => [startOrder('web', spec)] },
      { defaults: { runtimeImage: 'mirror.example/entrypoint:1' }, onError: 'deny' },
    );
    const out = applyPatch(pod, JSON.parse(Buffer.from(r.response.patch!, 'base64').toString()));
    assert.equal(out.spec.initContainers[0].image, 'mirror.example/entrypoint:1');
  });
});
