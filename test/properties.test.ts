import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { transform } from '../src/pipeline/index.js';
import { RECORD_ANNOTATION } from '../src/rewrite/names.js';
import { parseRecord } from '../src/rewrite/record.js';
import { validatePodSpec } from '../src/validate/pod-schema.js';
import { waitsInOutput } from '../src/validate/validate.js';

const NAMES = ['app', 'proxy', 'config', 'migrate', 'logs', 'cache'];

/** A Deployment or Job with 2–6 containers, an acyclic order over them, and a spec that states it. */
const scenario = fc
  .record({
    n: fc.integer({ min: 2, max: 6 }),
    kind: fc.constantFrom('Deployment', 'Job', 'Pod'),
    mode: fc.constantFrom('auto', 'wrapper', 'native'),
    version: fc.constantFrom('1.27', '1.29', '1.33'),
    gate: fc.boolean(),
    flow: fc.boolean(),
    comment: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    edgeSeed: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('Started', 'Ready', 'Completed', 'Exited')), { maxLength: 8 }),
  })
  .map((s) => {
    const names = NAMES.slice(0, s.n);
    // i < j keeps the order acyclic: names[j] waits for names[i]
    const after = new Map<string, Map<string, string>>();
    for (const [a, b, cond] of s.edgeSeed) {
      const i = a % s.n;
      const j = b % s.n;
      if (i >= j) continue;
      const restartAlways = s.kind === 'Deployment' || s.kind === 'Pod';
      const done = cond === 'Completed' || cond === 'Exited';
      const c = done && (restartAlways || s.mode === 'wrapper') ? 'Ready' : cond;
      if (!after.has(names[j]!)) after.set(names[j]!, new Map());
      after.get(names[j]!)!.set(names[i]!, c);
    }
    return { ...s, names, after };
  });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function render(s: Scenario): { input: string; spec: string } {
  const containers = s.names.map((n) => ({ name: n, image: `${n}:1`, command: [`/bin/${n}`], args: ['--name=$(POD_NAME)'] }));
  const pod: Record<string, unknown> = { containers, ...(s.kind === 'Deployment' ? {} : { restartPolicy: 'Never' }) };
  const template = { metadata: { labels: { app: 'x' } }, spec: pod };
  const obj =
    s.kind === 'Pod'
      ? { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: pod }
      : s.kind === 'Job'
        ? { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { template } }
        : { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: { matchLabels: { app: 'x' } }, template } };
  const untouched = `# ${s.comment}\napiVersion: v1\nkind: ConfigMap\nmetadata:   {name: c}   # odd spacing kept\ndata:\n  mode: "0644"\n  flag: on\n`;
  const input = `${untouched}---\n${stringify(obj, { flow: s.flow, lineWidth: 0 } as never)}`;
  const spec = stringify({
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name: 's' },
    spec: {
      mode: s.mode,
      kubernetesVersion: s.version,
      ...(s.gate ? { gate: { annotation: 'startorder.dev/ready' } } : {}),
      containers: s.names.map((n) => ({ name: n, ...(s.after.has(n) ? { after: [...s.after.get(n)!].map(([d, c]) => ({ name: d, condition: c })) } : {}) })),
    },
  });
  return { input, spec };
}

const podSpecOf = (doc: Record<string, any>) => (doc.kind === 'Pod' ? doc.spec : doc.spec.template.spec);
const podMetaOf = (doc: Record<string, any>) => (doc.kind === 'Pod' ? doc.metadata : doc.spec.template.metadata);

test('properties: idempotent, revertible, valid, untouched documents kept, graph recoverable', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { input, spec } = render(s);
      const configs = [{ name: 'spec.yaml', text: spec }];
      const r = transform([{ name: 'in.yaml', text: input }], { configs });
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      // native mode on an old cluster, or a native-impossible graph, are the only refusals allowed
      if (errors.length > 0) {
        assert.ok(
          errors.every((d) => d.code === 'native-impossible'),
          JSON.stringify(errors),
        );
        return;
      }
      const out = r.files[0]!.text;
      // idempotence
      const again = transform([{ name: 'in.yaml', text: out }], { configs });
      assert.equal(again.files[0]!.text, out);
      // untouched document: byte for byte
      assert.ok(out.startsWith(input.slice(0, input.indexOf('---\n') + 4)));
      // revert restores the data
      const back = transform([{ name: 'in.yaml', text: out }], { revert: true });
      const docsIn = parseAllDocuments(input, { version: '1.1' }).map((d) => d.toJS());
      const docsBack = parseAllDocuments(back.files[0]!.text, { version: '1.1' }).map((d) => d.toJS());
      assert.deepEqual(docsBack, docsIn);
      // every output pod is valid Kubernetes, and the graph can be read back from it
      const doc = parse(out.slice(out.indexOf('---\n') + 4), { version: '1.1' }) as Record<string, any>;
      assert.deepEqual(validatePodSpec(podSpecOf(doc)), []);
      const record = parseRecord(podMetaOf(doc).annotations[RECORD_ANNOTATION])!;
      const edges = [...s.after].flatMap(([n, deps]) => [...deps].map(([d, c]) => `${d}>${n}:${c}`)).sort();
      assert.deepEqual(record.edges.map(([d, n, c]) => `${d}>${n}:${c}`).sort(), edges);
      const waits = waitsInOutput(podSpecOf(doc));
      for (const [d, n, c, m] of record.edges) if (m === 'wrapper') assert.ok(waits.get(n)?.includes(`/startorder/run/${d}/${c.toLowerCase()}`));
    }),
    { numRuns: 300 },
  );
});
