import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transform } from '../src/pipeline/index.js';

test('restore: a file with CRLF line ends keeps CRLF on every line, printed ones included', () => {
  const input =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: a\n    command: [/app]\n  - name: proxy\n    image: p\n    command: [/proxy]\n'.replace(
      /\n/g,
      '\r\n',
    );
  const spec =
    'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: s}\nspec:\n  mode: wrapper\n  containers:\n  - name: app\n    after: [proxy]\n';
  const out = transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 's.yaml', text: spec }] }).files[0]!.text;
  assert.ok(out.length > input.length);
  assert.equal(out.split('\n').filter((l) => l !== '' && !l.endsWith('\r')).length, 0);
});
