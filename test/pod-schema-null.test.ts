import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transform } from '../src/pipeline/index.js';
import { validatePodSpec } from '../src/validate/pod-schema.js';

// The apiserver reads a null optional field as absent; the validate stage must not be stricter.
const pod = (extra: Record<string, unknown>, container: Record<string, unknown> = {}) => ({
  containers: [{ name: 'app', image: 'app:1', ...container }],
  ...extra,
});

test('pod schema: null optional fields are accepted, at every depth', () => {
  assert.deepEqual(validatePodSpec(pod({ affinity: { podAffinity: null, podAntiAffinity: null } })), []);
  assert.deepEqual(validatePodSpec(pod({ affinity: null, nodeSelector: null, tolerations: null, securityContext: null, volumes: null })), []);
  assert.deepEqual(validatePodSpec(pod({}, { command: null, args: null, env: null, resources: null, livenessProbe: null, ports: null })), []);
  assert.deepEqual(validatePodSpec(pod({ restartPolicy: null, initContainers: null })), []);
});

test('pod schema: required fields stay non-null, and a wrong type is one issue at its path', () => {
  assert.deepEqual(validatePodSpec({ containers: null }), [{ path: ['containers'], message: 'must be array' }]);
  assert.deepEqual(validatePodSpec(pod({}, { name: null })), [{ path: ['containers', 0, 'name'], message: 'must be string' }]);
  assert.deepEqual(validatePodSpec(pod({ affinity: 'x' })), [{ path: ['affinity'], message: 'must be object' }]);
  assert.deepEqual(validatePodSpec(pod({ restartPolicy: 3 })), [{ path: ['restartPolicy'], message: 'must be string' }]);
});

test('a Deployment with `podAffinity:` (null, as database charts render it) is transformed, not rejected', () => {
  const input = `apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      affinity:
        podAffinity:
        podAntiAffinity:
      containers:
      - {name: db, image: db:1, command: [/db]}
      - {name: proxy, image: p:1, command: [/p]}
`;
  const spec =
    'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: s}\nspec:\n  mode: wrapper\n  containers:\n  - {name: db, after: [proxy]}\n';
  const r = transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 's.yaml', text: spec }] });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.match(r.files[0]!.text, /podAffinity:/);
});
