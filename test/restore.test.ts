import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { restoreLines } from '../src/emit/restore.js';
import { transform } from '../src/pipeline/index.js';

test('restore: spacing before comments and inside brackets is given back on unchanged lines', () => {
  const original = 'a:\n  args: [ "x", "y" ]   # why\n  b: 1\n';
  const printed = 'a:\n  args: ["x", "y"] # why\n  b: 1\n  c: 2\n';
  assert.equal(restoreLines(original, printed), 'a:\n  args: [ "x", "y" ]   # why\n  b: 1\n  c: 2\n');
});

test('restore: a file that mixes indentation styles keeps its own indentation where nothing changed', () => {
  const input = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: init
    image: i
    command: [/init]
  containers:
      - name: app
        image: a
        command: [/app]
        ports:
            - containerPort: 80
      - name: proxy
        image: p
        command: [/proxy]
`;
  const spec = 'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: s}\nspec:\n  mode: wrapper\n  containers:\n  - name: app\n    after: [proxy]\n';
  const out = transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 's.yaml', text: spec }] }).files[0]!.text;
  // the untouched block keeps its bytes, indentation included
  assert.ok(out.includes('        ports:\n            - containerPort: 80\n'), out);
  assert.ok(out.includes('  initContainers:\n  - name: startorder-init\n'), out);
  // and the document still means what the transform meant
  const again = transform([{ name: 'in.yaml', text: out }], { configs: [{ name: 's.yaml', text: spec }] }).files[0]!.text;
  assert.equal(again, out);
  assert.equal((parse(out) as any).spec.containers[0].ports[0].containerPort, 80);
});

test('restore: the indentation pass is dropped when the check refuses it', () => {
  const original = 'a:\n    - x\n    - y\n';
  const printed = 'a:\n  - x\n  - y\n  - z\n';
  assert.equal(restoreLines(original, printed, () => false), printed);
  assert.equal(restoreLines(original, printed, () => true), 'a:\n    - x\n    - y\n    - z\n');
});

test('restore: a file with CRLF line ends keeps CRLF on every line, printed ones included', () => {
  const input = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: a\n    command: [/app]\n  - name: proxy\n    image: p\n    command: [/proxy]\n'.replace(/\n/g, '\r\n');
  const spec = 'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: s}\nspec:\n  mode: wrapper\n  containers:\n  - name: app\n    after: [proxy]\n';
  const out = transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 's.yaml', text: spec }] }).files[0]!.text;
  assert.ok(out.length > input.length);
  assert.equal(out.split('\n').filter((l) => l !== '' && !l.endsWith('\r')).length, 0);
});
