/**
 * Selection edge cases (issue 8): names after kustomize's namePrefix/nameSuffix/namespace, a spec that
 * names a custom resource, StartOrder documents of a foreign apiVersion, spec.kubernetesVersion, and
 * where "selects nothing" points.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { makeLocator } from '../src/load/locate.js';
import { parseFile } from '../src/load/parse.js';
import { asWorkload, resourcesOf } from '../src/select/resources.js';
import { select } from '../src/select/select.js';
import { collectSpecs } from '../src/spec/collect.js';
import { runCli } from './helpers.js';

const deployment = (name: string, annotations = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
${annotations}spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: app, image: app:1, command: [/app]}
        - {name: proxy, image: proxy:1, command: [/proxy]}
`;

const spec = (selector: string, extra = '') => `apiVersion: startorder.dev/v1alpha1
kind: StartOrder
metadata: {name: s}
spec:
${selector}${extra}  containers:
    - {name: proxy}
    - {name: app, after: [proxy]}
`;

type D = { code: string; severity: string; path?: (string | number)[]; line?: number; file?: string };
async function diagnose(input: string, specText: string, args: string[] = []) {
  const r = await runCli(['--error-format', 'json', '-c', 'spec.yaml', ...args, 'in.yaml'], { 'in.yaml': input, 'spec.yaml': specText });
  return { ...r, diags: (r.stderr ? JSON.parse(r.stderr) : []) as D[] };
}

const KUSTOMIZED = `  annotations:
    internal.config.kubernetes.io/previousKinds: Deployment,Deployment,Deployment
    internal.config.kubernetes.io/previousNames: web,web,pre-web
    internal.config.kubernetes.io/previousNamespaces: default,shop,shop
`;

test('selector.names match the names kustomize recorded before namePrefix/nameSuffix', async () => {
  const r = await diagnose(deployment('pre-web-suf', KUSTOMIZED), spec('  selector: {kinds: [Deployment], names: [web]}\n'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.diags, []);
  assert.match(r.stdout, /startorder\.dev\/applied/);
  // Each recorded name goes with the namespace it had then: web was in default, not in shop.
  const paired = await diagnose(deployment('pre-web-suf', KUSTOMIZED), spec('  selector: {names: [web], namespaces: [default]}\n'));
  assert.match(paired.stdout, /startorder\.dev\/applied/);
  const mismatch = await diagnose(deployment('pre-web-suf', KUSTOMIZED), spec('  selector: {names: [pre-web], namespaces: [default]}\n'));
  assert.deepEqual(
    mismatch.diags.map((d) => d.code),
    ['spec-selects-nothing'],
  );
  assert.doesNotMatch(mismatch.stdout, /startorder\.dev\/applied/);
});

test('"selects nothing" points at the selector of the spec', async () => {
  const r = await diagnose(deployment('web'), spec('  selector:\n    names: [other]\n'));
  assert.deepEqual(
    r.diags.map((d) => [d.code, d.file, d.path, d.line]),
    [['spec-selects-nothing', 'spec.yaml', ['spec', 'selector'], 6]],
  );
});

const CUSTOM = {
  'Knative Service': `apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: app, image: app:1}
        - {name: proxy, image: proxy:1}
`,
  'Argo Workflow': `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: web}
spec:
  entrypoint: main
  templates:
    - name: main
      container: {image: app:1}
`,
  'Tekton TaskRun': `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: web}
spec:
  taskSpec:
    steps:
      - {name: app, image: app:1}
`,
};

function selectOver(input: string, specText: string) {
  const files = [parseFile('in.yaml', input).file];
  const configs = [parseFile('spec.yaml', specText).file];
  const locate = makeLocator([...files, ...configs]);
  const specs = collectSpecs(configs, {}, locate).specs;
  const resources = resourcesOf(files);
  const workloads = resources.flatMap((r) => {
    const w = asWorkload(r);
    return w ? [{ workload: w, original: w.value }] : [];
  });
  return select(
    workloads,
    specs,
    {},
    locate,
    resources.filter((r) => !asWorkload(r)),
  );
}

for (const [what, doc] of Object.entries(CUSTOM)) {
  test(`a spec whose selector names a ${what} says it is not a workload startorder rewrites`, () => {
    const r = selectOver(doc, spec('  selector: {names: [web]}\n'));
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.file, d.path, d.line]),
      [['not-a-workload', 'error', 'spec.yaml', ['spec', 'selector', 'names', 0], 5]],
    );
    const kind = parseAllDocuments(doc)[0]!.toJS().kind as string;
    assert.match(r.diagnostics[0]!.message, new RegExp(`kind ${kind} .*it rewrites: Pod, Deployment`));
  });
}

test('a spec without selector whose containers are those of a Knative Service says so', () => {
  const r = selectOver(CUSTOM['Knative Service'], spec(''));
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.path]),
    [['not-a-workload', ['spec', 'containers']]],
  );
});

test('a workload next to the custom resource is still selected, and nothing is said about the custom resource', () => {
  const r = selectOver(`${deployment('web')}---\n${CUSTOM['Knative Service']}`, spec('  selector: {names: [web]}\n'));
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.selections.length, 1);
});

test('a StartOrder without apiVersion, or of another group, is an error at its apiVersion', async () => {
  for (const [head, path] of [
    ['kind: StartOrder\n', ['kind']],
    ['apiVersion: example.com/v1\nkind: StartOrder\n', ['apiVersion']],
  ] as const) {
    const doc = `${head}metadata: {name: s}\nspec:\n  containers: [{name: proxy}, {name: app, after: [proxy]}]\n`;
    const r = await runCli(['--error-format', 'json', 'in.yaml'], { 'in.yaml': `${deployment('web')}---\n${doc}` });
    assert.equal(r.code, 1, r.stderr);
    const diags = JSON.parse(r.stderr) as D[];
    assert.deepEqual(
      diags.map((d) => [d.code, d.path, d.line]),
      [['spec-api-version', path, 15]],
    );
  }
});

test('spec.kubernetesVersion takes MAJOR.MINOR[.PATCH] with an optional v: anything else is located', async () => {
  for (const bad of ['banana', '"2.0"', '"1"', '"1.33-rc"']) {
    const r = await diagnose(deployment('web'), spec('', `  kubernetesVersion: ${bad}\n`));
    assert.equal(r.code, 1, bad);
    assert.deepEqual(
      r.diags.map((d) => [d.code, d.path, d.line]),
      [['spec-invalid', ['spec', 'kubernetesVersion'], 5]],
      bad,
    );
  }
  const ok = await diagnose(deployment('web'), spec('', '  kubernetesVersion: "v1.33.1"\n'));
  assert.equal(ok.code, 0, ok.stderr);
});

test('native-impossible points at the spec field that asks for it', async () => {
  const withVersion = await diagnose(deployment('web'), spec('', '  mode: native\n  kubernetesVersion: "1.27"\n'));
  assert.deepEqual(
    withVersion.diags.map((d) => [d.code, d.file, d.path, d.line]),
    [['native-impossible', 'spec.yaml', ['spec', 'kubernetesVersion'], 6]],
  );
  const fromFlag = await diagnose(deployment('web'), spec('', '  mode: native\n'), ['--kubernetes-version', '1.27']);
  assert.deepEqual(
    fromFlag.diags.map((d) => [d.code, d.file, d.path, d.line]),
    [['native-impossible', 'spec.yaml', ['spec', 'mode'], 5]],
  );
});

test('the server version of a managed cluster (v1.30.2-gke.1, v1.28.9-eks-036c24b, v1.31.1+k3s1) is a Kubernetes version; only its minor counts', async () => {
  for (const [version, native] of [
    ['v1.30.2-gke.1', true],
    ['v1.31.1+k3s1', true],
    ['v1.28.9-eks-036c24b', false],
  ] as const) {
    const flag = await diagnose(deployment('web'), spec('', '  mode: native\n'), ['--kubernetes-version', version]);
    const inSpec = await diagnose(deployment('web'), spec('', `  mode: native\n  kubernetesVersion: "${version}"\n`));
    for (const r of [flag, inSpec]) {
      assert.deepEqual(
        r.diags.map((d) => d.code),
        native ? [] : ['native-impossible'],
        `${version}: ${JSON.stringify(r.diags)}`,
      );
    }
  }
  for (const bad of ['v1.30-gke', '1.30.2-', 'v2.0.0']) {
    const r = await runCli(['-c', 'spec.yaml', '--kubernetes-version', bad, 'in.yaml'], { 'in.yaml': deployment('web'), 'spec.yaml': spec('') });
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /is not a Kubernetes version/);
  }
});

test('a spec naming a Knative Service says so through the CLI too', async () => {
  const r = await diagnose(CUSTOM['Knative Service'], spec('  selector: {names: [web]}\n'));
  assert.equal(r.code, 1);
  assert.deepEqual(
    r.diags.map((d) => [d.code, d.path]),
    [['not-a-workload', ['spec', 'selector', 'names', 0]]],
  );
});

test('a map-valued startorder.dev/spec annotation (the API server takes only strings) is an error at the annotation', async () => {
  const input = deployment('web').replace(
    '    metadata: {labels: {app: web}}\n',
    '    metadata:\n      labels: {app: web}\n      annotations:\n        startorder.dev/spec:\n          containers: [{name: app}]\n',
  );
  assert.notEqual(input, deployment('web'));
  const r = await runCli(['--error-format', 'json', 'in.yaml'], { 'in.yaml': input });
  assert.equal(r.code, 1);
  const d = (JSON.parse(r.stderr) as { code: string; message: string }[])[0]!;
  assert.equal(d.code, 'spec-annotation-invalid');
  assert.match(d.message, /is a map, and the API server takes only strings/);
});

test('selector.matchExpressions selects by the workload labels as Kubernetes reads a LabelSelector', async () => {
  const labelled = (labels: string) => deployment('web').replace('  namespace: shop\n', `  namespace: shop\n  labels: ${labels}\n`);
  const cases: [string, string, boolean][] = [
    ['{tier: web}', '[{key: tier, operator: In, values: [web, api]}]', true],
    ['{tier: db}', '[{key: tier, operator: In, values: [web, api]}]', false],
    ['{tier: db}', '[{key: tier, operator: NotIn, values: [web]}]', true],
    ['{tier: web}', '[{key: canary, operator: DoesNotExist}]', true],
    ['{canary: "yes"}', '[{key: canary, operator: DoesNotExist}]', false],
    ['{canary: "yes"}', '[{key: canary, operator: Exists}]', true],
  ];
  for (const [labels, expressions, selected] of cases) {
    const r = await diagnose(labelled(labels), spec(`  selector: {matchExpressions: ${expressions}}\n`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(/startorder\.dev\/applied/.test(r.stdout), selected, `${labels} ${expressions}`);
  }
});
