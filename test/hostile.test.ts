/**
 * Hostile but valid manifests, generated as text (not printed by a library, so they look like what
 * people write): duplicate names in volumeMounts/env/ports, anchors and aliases (a merge key too),
 * flow and block mixed, comments everywhere, numeric-looking quoted strings, tabs inside scalars,
 * CRLF, a BOM, no final newline, `...` markers, leading blank lines. Properties over the bytes:
 * untouched documents are byte-identical, a second run is byte-identical, revert is byte-exact, and
 * sigs.k8s.io/yaml (kubectl, the apiserver) reads the output as the `yaml` package does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { transform } from '../src/pipeline/index.js';
import { goRead } from './goyaml.js';

const NAMES = ['app', 'proxy', 'config', 'logs'];
const WORDS = ['"0o17"', "'0x_1'", '"yes"', '"1_000"', '--flag=a b', '"tab\there"', '"$(POD_NAME)"', '\'--x="q"\''];

const container = fc.record({
  flow: fc.boolean(),
  comment: fc.constantFrom('', '  # end of line', '   #x'),
  commentAbove: fc.boolean(),
  words: fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }),
  argsToo: fc.boolean(),
  dupMounts: fc.boolean(),
  dupEnv: fc.boolean(),
  ports: fc.boolean(),
});

const manifest = fc.record({
  n: fc.integer({ min: 2, max: 4 }),
  containers: fc.array(container, { minLength: 4, maxLength: 4 }),
  aliasCommand: fc.boolean(),
  mergeKey: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  leadingBlank: fc.boolean(),
  endMarker: fc.boolean(),
  untouchedFirst: fc.boolean(),
  nullAffinity: fc.boolean(),
  mode: fc.constantFrom('wrapper', 'native', 'auto'),
  edges: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 4 }),
});

type M = typeof manifest extends fc.Arbitrary<infer T> ? T : never;

function containerText(m: M, i: number): string {
  const c = m.containers[i]!;
  const name = NAMES[i]!;
  const lines: string[] = [];
  if (c.commentAbove) lines.push(`  # the ${name} container`);
  lines.push(`  - name: ${name}${c.comment}`);
  lines.push(`    image: "${name}:1"`);
  const words = [`/bin/${name}`, ...c.words];
  if (m.aliasCommand && i === 0) lines.push(`    command: &cmd [${words.join(', ')}]`);
  else if (m.aliasCommand && i === m.n - 1 && i > 0) lines.push('    command: *cmd');
  else if (c.flow) lines.push(`    command: [${words.join(', ')}]${c.comment}`);
  else lines.push('    command:', ...words.map((w, j) => `    - ${w}${j === 0 ? c.comment : ''}`));
  if (c.argsToo) lines.push('    args:', '    # an option left out', '    - --serve   # serve');
  if (i === 0) lines.push('    resources: &res', '      limits: {cpu: "1"}');
  else if (m.mergeKey) lines.push('    resources:', '      <<: *res', '      requests: {cpu: 10m}');
  if (c.dupMounts)
    lines.push(
      '    volumeMounts:',
      '    - {name: data, mountPath: /tmp, subPath: tmp}',
      '    - name: data',
      '      mountPath: /opt/conf',
      '      subPath: conf',
      '      readOnly: true',
    );
  if (c.dupEnv) lines.push('    env: [{name: A, value: "1"}, {name: A, value: "0o17"}]');
  if (c.ports) lines.push('    ports:', `    - {containerPort: ${9000 + i}, name: p${i}}`);
  return lines.join('\n');
}

function render(m: M): { input: string; spec: string } {
  const pod = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p   # the pod',
    'spec:',
    ...(m.nullAffinity ? ['  affinity:', '    podAffinity:'] : []),
    '  containers:',
    ...Array.from({ length: m.n }, (_v, i) => containerText(m, i)),
    '  volumes:',
    '  - {name: data, emptyDir: {}}',
  ].join('\n');
  const untouched = [
    '# untouched',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:   {name: c}',
    'data:',
    '  a: "0644"',
    '  b: on\t# tab before the comment',
  ].join('\n');
  const docs = m.untouchedFirst ? [untouched, pod] : [pod, untouched];
  let text = (m.leadingBlank ? '\n' : '') + docs.join(m.endMarker ? '\n...\n# after the marker\n---\n' : '\n---\n') + (m.finalNewline ? '\n' : '');
  if (m.crlf) text = text.replace(/\n/g, '\r\n');
  if (m.bom) text = `\uFEFF${text}`;
  const after = new Map<string, Set<string>>();
  for (const [a, b] of m.edges) {
    const i = a % m.n;
    const j = b % m.n;
    if (i >= j) continue;
    if (!after.has(NAMES[j]!)) after.set(NAMES[j]!, new Set());
    after.get(NAMES[j]!)!.add(NAMES[i]!);
  }
  if (after.size === 0) after.set(NAMES[1]!, new Set([NAMES[0]!]));
  const spec = [
    'apiVersion: startorder.dev/v1alpha1',
    'kind: StartOrder',
    'metadata: {name: s}',
    'spec:',
    `  mode: ${m.mode}`,
    '  kubernetesVersion: "1.33"',
    '  containers:',
    ...[...after].map(([n, deps]) => `  - {name: ${n}, after: [${[...deps].join(', ')}]}`),
  ].join('\n');
  return { input: text, spec: `${spec}\n` };
}

function run(input: string, spec: string) {
  return transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 'order.yaml', text: spec }] });
}

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v;

test('hostile manifests: untouched bytes, idempotent, revert byte-exact, same meaning to sigs.k8s.io/yaml', async () => {
  const outputs: string[] = [];
  fc.assert(
    fc.property(manifest, (m) => {
      const { input, spec } = render(m);
      let r: ReturnType<typeof run>;
      try {
        r = run(input, spec);
      } catch (e) {
        if (process.env.HOSTILE_DUMP) writeFileSync(process.env.HOSTILE_DUMP, `${spec}\n#---input---\n${input}`);
        throw e;
      }
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      // the only refusal allowed: native mode where the order cannot be native
      if (errors.length > 0) {
        assert.ok(
          errors.every((e) => e.code === 'native-impossible'),
          JSON.stringify(errors),
        );
        return;
      }
      const out = r.files[0]!.text;
      const untouchedIn = input.slice(input.indexOf('# untouched'), input.indexOf('b: on') + 5);
      assert.ok(out.includes(untouchedIn), 'the untouched document keeps its bytes');
      assert.equal(run(out, spec).files[0]!.text, out, 'a second run is byte-identical');
      const back = transform([{ name: 'in.yaml', text: out }], { revert: true });
      assert.deepEqual(
        back.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      assert.equal(back.files[0]!.text, input, 'revert is byte-exact');
      outputs.push(out);
    }),
    { numRuns: Number(process.env.HOSTILE_RUNS ?? 150), endOnFailure: true },
  );
  // One Go process for all of them: each document as kubectl reads it.
  const docs = outputs.flatMap((out) => {
    const text = out.replace(/^\uFEFF/, '');
    return parseAllDocuments(text, { version: '1.1' })
      .filter((d) => d.contents !== null)
      .map((d) => ({ text: text.slice(d.range[0], d.range[2]), value: d.toJS({ maxAliasCount: -1 }) as unknown }));
  });
  const go = await goRead(docs.map((d) => d.text));
  go.forEach((g, i) => assert.deepEqual(sortKeys(g), sortKeys(docs[i]!.value), docs[i]!.text));
});
