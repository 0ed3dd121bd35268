/**
 * A stream processed in parts says about a spec what one transform says (issue 8): "selects nothing"
 * and "names a resource that is not a workload" hold only when no part used the spec.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { transform } from '../src/pipeline/index.js';
import { runInParts } from '../src/pipeline/parts.js';

const one = readFileSync(new URL('../examples/config-sidecar/deployment.yaml', import.meta.url), 'utf8');
// Selected by name only: a kind in the selector would rule the custom resource out by itself.
const spec = readFileSync(new URL('../examples/config-sidecar/startorder.yaml', import.meta.url), 'utf8').replace('    kinds: [Deployment]\n', '');
const cm = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\ndata: {a: "1"}\n`;
const knative =
  'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: a}, {name: config-agent, image: b}]\n';

function stream(first: string, last: string, n = 600): string {
  const docs = [first];
  for (let i = 0; i < n; i++) docs.push(cm(i));
  docs.push(last);
  return docs.join('---\n');
}

async function both(text: string) {
  const input = [{ name: 'big.yaml', text }];
  const options = { configs: [{ name: 'order.yaml', text: spec }] };
  const whole = transform(input, options);
  const parts = await runInParts({ ...options, inputs: input });
  assert.ok(parts, 'the stream was split');
  return { whole: whole.diagnostics.map((d) => d.code), parts: parts.diagnostics.map((d) => d.code) };
}

test('stream: a spec used in a late part is not "selects nothing" because of the early parts', async () => {
  const r = await both(stream(cm(-1), one));
  assert.deepEqual(r.parts, r.whole);
  assert.deepEqual(r.parts, []);
});

test("stream: a custom resource of the spec's name in an early part, the workload in a late one: nothing to say", async () => {
  const r = await both(stream(knative, one));
  assert.deepEqual(r.parts, r.whole);
  assert.deepEqual(r.parts, []);
});

test('stream: only the custom resource: said once, as in one piece', async () => {
  const r = await both(stream(knative, cm(-2)));
  assert.deepEqual(r.parts, r.whole);
  assert.deepEqual(r.parts, ['not-a-workload']);
});
