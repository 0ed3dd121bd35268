import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { run, transform } from '../src/pipeline/index.js';
import { runInParts, splitStream } from '../src/pipeline/parts.js';

const one = readFileSync(new URL('../examples/config-sidecar/deployment.yaml', import.meta.url), 'utf8');
const spec = readFileSync(new URL('../examples/config-sidecar/startorder.yaml', import.meta.url), 'utf8').replace(/ {2}selector:\n( {4}.*\n)+/, '');
const cm = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}   # untouched\ndata: {a: "1"}\n`;

function stream(n: number, specAt: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === specAt) docs.push(spec);
    docs.push(i % 3 === 0 ? cm(i) : one.replace('name: web\n', `name: web-${i}\n`));
  }
  return docs.join('---\n');
}

test('splitStream finds the documents the parser finds', () => {
  assert.equal(splitStream('a: 1\n---\nb: 2\n---\n')!.length, 3);
  assert.equal(splitStream('# c\n---\na: 1\n')!.length, 1);
  assert.equal(splitStream('a: 1\n...\n---\nb: 1\n'), undefined);
  assert.equal(splitStream('a: |\n  ---\n  x\n')!.length, 1);
});

for (const n of [450, 700]) {
  test(`a stream of ${n} documents in parts${n > 500 ? ' and threads' : ''} gives the same output as one transform`, async () => {
    const text = stream(n, Math.floor(n / 2));
    const input = [{ name: 'big.yaml', text }];
    const whole = transform(input, {});
    const parts = await runInParts({ inputs: input });
    assert.ok(parts, 'the stream was split');
    assert.equal(parts.files[0]!.text, whole.files[0]!.text);
    assert.deepEqual(parts.diagnostics, whole.diagnostics);
  });
}

test('diagnostics from a part carry the line and document of the whole stream', async () => {
  const text = `${stream(500, 10)}---\n${one.replace('name: web\n', 'name: broken\n').replace('        command: ["/bin/web"]\n', '')}`;
  const input = [{ name: 'big.yaml', text }];
  const whole = transform(input, {});
  const parts = await runInParts({ inputs: input });
  assert.ok(parts);
  assert.deepEqual(
    parts.diagnostics.map((d) => [d.code, d.document, d.line, d.column]),
    whole.diagnostics.map((d) => [d.code, d.document, d.line, d.column]),
  );
  assert.equal(parts.diagnostics[0]!.code, 'missing-command');
  assert.ok(parts.diagnostics[0]!.line! > 10000);
  assert.deepEqual(parts.files, []);
});

test('run itself chooses parts for a large stream (keeping no plans), one piece when the plans are needed', async () => {
  const inputs = [{ name: 'big.yaml', text: stream(450, 10) }];
  const parted = await run({ inputs });
  const whole = await run({ inputs, needPlans: true });
  assert.deepEqual(parted.plans, []);
  assert.equal(whole.plans.length, 300);
  assert.equal(parted.files[0]!.text, whole.files[0]!.text);
});
