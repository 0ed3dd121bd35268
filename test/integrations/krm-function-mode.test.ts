/**
 * Function mode (a ResourceList on stdin) beyond the golden cases of krm-kpt.test.ts (issue 8): flags,
 * the results of runs that would otherwise pass in silence, stderr as kustomize shows it, results
 * of an earlier function, `items: []`, and the ResourceList's bytes kept around our results.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../helpers.js';

const deployment = (annotations = '', podAnnotations = '') => `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
    annotations:
      internal.config.kubernetes.io/path: deploy/web.yaml
      internal.config.kubernetes.io/index: "0"
${annotations}  spec:
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: web}
${podAnnotations}      spec:
        containers:
        - name: app
          image: registry.example.com/web:1.4.2
          command: [/bin/web, --config, /etc/app/config.yaml]
        - name: config-agent
          image: registry.example.com/config-agent:2.0.1
          command: [/bin/config-agent]
`;

const CUSTOM = `- apiVersion: example.com/v1
  kind: Widget
  metadata:
    name: big   # a custom resource: not ours to touch
    annotations:
      internal.config.kubernetes.io/path: deploy/widget.yaml
      internal.config.kubernetes.io/index: "0"
  spec:
    count: 123456789012345678
    ratio: 1.50
`;

const STARTORDER_FC = (selector = '') => `functionConfig:
  apiVersion: startorder.dev/v1alpha1
  kind: StartOrder
  metadata:
    name: web
  spec:
${selector}    mode: wrapper
    containers:
    - name: config-agent
      ready: {file: /etc/app/config.yaml}
    - name: app
      after: [config-agent]
`;

const list = (items: string, rest = '') => `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items}${rest}`;

type Result = {
  message: string;
  severity: string;
  resourceRef?: Record<string, string>;
  field?: { path: string };
  file?: { path: string; index?: number };
  tags?: { code?: string };
};
async function fn(input: string, args: string[] = [], files: Record<string, string> = {}) {
  const r = await runCli(args, files, input);
  const out = parse(r.stdout) as { items: unknown[]; results?: Result[] };
  return { ...r, out, results: out.results ?? [] };
}
const codes = (rs: Result[]) => rs.map((x) => [x.tags?.code, x.severity]);

test('function mode: a spec given as functionConfig that selects nothing is an error result at its selector', async () => {
  const r = await fn(list(deployment(), STARTORDER_FC('    selector: {names: [other]}\n')));
  assert.equal(r.code, 1);
  assert.deepEqual(codes(r.results), [['spec-selects-nothing', 'error']]);
  assert.deepEqual(r.results[0]!.resourceRef, { apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', name: 'web' });
  assert.equal(r.results[0]!.field?.path, 'spec.selector');
});

test('function mode: -c is honoured; --resolve-images, --locked, --lock-file and -o are refused with a result each', async () => {
  const spec = STARTORDER_FC()
    .replace(/^functionConfig:\n/, '')
    .replace(/^ {2}/gm, '');
  const honoured = await fn(list(deployment()), ['-c', 'order.yaml'], { 'order.yaml': spec });
  assert.equal(honoured.code, 0, honoured.stderr);
  assert.match(honoured.stdout, /startorder\.dev\/applied/);
  for (const flags of [['--resolve-images'], ['--locked'], ['--lock-file', 'x.lock'], ['-o', 'json'], ['--platform', 'linux/arm64'], ['--write']]) {
    const r = await fn(list(deployment(), STARTORDER_FC()), flags);
    assert.equal(r.code, 1, flags.join(' '));
    assert.deepEqual(codes(r.results), [['flag-unsupported', 'error']], flags.join(' '));
    assert.doesNotMatch(r.stdout, /startorder\.dev\/applied/, 'nothing changed');
  }
});

test('function mode: no spec anywhere is a warning result, not a silent exit 0', async () => {
  const r = await fn(list(deployment()));
  assert.equal(r.code, 0);
  assert.deepEqual(codes(r.results), [['no-spec', 'warning']]);
  // kpt's function-input without arguments: the result is on that ConfigMap.
  const kpt = await fn(list(deployment(), 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n'));
  assert.deepEqual(codes(kpt.results), [['no-spec', 'warning']]);
  assert.equal(kpt.results[0]!.resourceRef?.name, 'function-input');
  // A pod template annotation is a spec: then there is nothing to say.
  const annotated = await fn(
    list(deployment('', '        annotations:\n          startorder.dev/spec: "{containers: [{name: config-agent}, {name: app, after: [config-agent]}]}"\n')),
  );
  assert.deepEqual(annotated.results, []);
  assert.match(annotated.stdout, /startorder\.dev\/applied/);
});

test('function mode: a StartOrder among the items (no functionConfig) is a warning result on that item', async () => {
  const item = `- apiVersion: startorder.dev/v1alpha1
  kind: StartOrder
  metadata:
    name: order
    annotations:
      internal.config.kubernetes.io/path: order.yaml
  spec:
    containers: [{name: config-agent}, {name: app, after: [config-agent]}]
`;
  const r = await fn(list(deployment() + item));
  assert.equal(r.code, 0);
  assert.deepEqual(codes(r.results).sort(), [
    ['no-spec', 'warning'],
    ['spec-item-ignored', 'warning'],
  ]);
  const ignored = r.results.find((x) => x.tags?.code === 'spec-item-ignored')!;
  assert.equal(ignored.resourceRef?.name, 'order');
  assert.equal(ignored.file?.path, 'order.yaml');
  // The same StartOrder given as the functionConfig too (kpt sends local-config files as items): no warning.
  const both = await fn(list(deployment() + item.replace('name: order', 'name: web'), STARTORDER_FC()));
  assert.deepEqual(both.results, []);
});

test('function mode: a functionConfig StartOrder without apiVersion, or of another group, is an error result', async () => {
  for (const [fc, field] of [
    [STARTORDER_FC().replace('  apiVersion: startorder.dev/v1alpha1\n', ''), 'kind'],
    [STARTORDER_FC().replace('startorder.dev/v1alpha1', 'example.com/v1'), 'apiVersion'],
  ] as const) {
    const r = await fn(list(deployment(), fc));
    assert.equal(r.code, 1);
    assert.deepEqual(codes(r.results), [['spec-api-version', 'error']]);
    assert.equal(r.results[0]!.field?.path, field);
  }
});

test('function mode: kubernetesVersion: 1.30 unquoted in a ConfigMap is read as a number: an error that says to quote it', async () => {
  const fc =
    'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: startorder}\n  data:\n    mode: native\n    kubernetesVersion: 1.30\n    spec: "{containers: [{name: config-agent}, {name: app, after: [config-agent]}]}"\n';
  const r = await fn(list(deployment(), fc));
  assert.equal(r.code, 1);
  assert.deepEqual(codes(r.results), [['function-config-invalid', 'error']]);
  assert.equal(r.results[0]!.field?.path, 'data.kubernetesVersion');
  assert.match(r.results[0]!.message, /"1\.30"/);
});

test('function mode: a bad kubernetesVersion or mode in a ConfigMap is an error at that key', async () => {
  for (const [key, value] of [
    ['kubernetesVersion', '"banana"'],
    ['kubernetesVersion', '"2.0"'],
    ['mode', 'fast'],
  ]) {
    const fc = `functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: startorder}\n  data:\n    ${key}: ${value}\n    spec: "{containers: [{name: config-agent}, {name: app, after: [config-agent]}]}"\n`;
    const r = await fn(list(deployment(), fc));
    assert.equal(r.code, 1, `${key}: ${value}`);
    assert.deepEqual(
      r.results.map((x) => [x.tags?.code, x.field?.path]),
      [['function-config-invalid', `data.${key}`]],
      `${key}: ${value}`,
    );
  }
});

test("function mode: stderr has one line per result naming the user's file, the object, the field and the line inside it", async () => {
  const annotation = '        annotations:\n          startorder.dev/spec: "{containers: [{name: app, after: [config-agnt]}]}"\n';
  const r = await fn(list(deployment('', annotation)));
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, r.results.length, r.stderr);
  assert.match(
    lines[0]!,
    /^deploy\/web\.yaml: error\[unknown-container\]: Deployment\/shop\/web spec\.template\.metadata\.annotations\["startorder\.dev\/spec"\] \(line 16 of the object\): /,
  );
  assert.doesNotMatch(r.stderr, /<stdin>/);
  // kpt prints the results itself (and then stderr): there the lines are not written.
  const kpt = await fn(list(deployment('', annotation), 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n'));
  assert.equal(kpt.code, 1);
  assert.equal(kpt.results.length, 1);
  assert.equal(kpt.stderr, '');
});

test('function mode: a list without items answers with items: []; a field result always has its resourceRef', async () => {
  const r = await fn('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n');
  assert.deepEqual(r.out.items, []);
  assert.match(r.stdout, /^items: \[\]$/m);
  const bad = await fn('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n');
  assert.equal(bad.code, 1);
  for (const res of bad.results) if (res.field) assert.ok(res.resourceRef, JSON.stringify(res));
  for (const res of (await fn(list(deployment(), STARTORDER_FC('    selector: {names: [other]}\n')))).results)
    if (res.field) assert.ok(res.resourceRef, JSON.stringify(res));
});

test('function mode: results of an earlier function are kept, ours come after them', async () => {
  const earlier = 'results:\n- message: checked by an earlier function\n  severity: info\n';
  const r = await fn(list(deployment(), STARTORDER_FC('    selector: {names: [other]}\n') + earlier));
  assert.deepEqual(
    r.results.map((x) => x.message.slice(0, 10)),
    ['checked by', r.results[1]!.message.slice(0, 10)],
  );
  assert.equal(r.results[1]!.tags?.code, 'spec-selects-nothing');
  // Nothing of ours to say: the earlier results are there as they were.
  const ok = await fn(list(deployment(), STARTORDER_FC() + earlier));
  assert.deepEqual(ok.results, [{ message: 'checked by an earlier function', severity: 'info' }]);
});

test('function mode: an answer with results keeps every byte of the ResourceList (comments, 2^53+ integers), YAML and JSON', async () => {
  const input = `# licence header\n${list(CUSTOM + deployment(), STARTORDER_FC('    selector: {names: [other]}\n'))}`;
  const r = await fn(input);
  assert.equal(r.code, 1);
  assert.ok(r.stdout.startsWith(input), 'the ResourceList is unchanged up to the results appended');
  assert.match(r.stdout, /count: 123456789012345678\n/);
  const json = JSON.stringify(
    {
      apiVersion: 'config.kubernetes.io/v1',
      kind: 'ResourceList',
      items: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'big' }, spec: { count: 1 } }],
      functionConfig: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { containers: 'a' } },
    },
    null,
    2,
  ).replace('"count": 1', '"count": 123456789012345678');
  const j = await runCli([], {}, json);
  assert.equal(j.code, 1);
  assert.match(j.stdout, /"count": 123456789012345678\b/);
  assert.ok(j.stdout.startsWith(json.slice(0, json.lastIndexOf('}')).trimEnd()), 'JSON in: the same bytes, results added before the closing brace');
  assert.ok(Array.isArray(JSON.parse(j.stdout).results));
});

test('--help documents function mode', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /ResourceList/);
  assert.match(r.stdout, /function mode/i);
  assert.match(r.stdout, /local-config/);
});
