import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers.js';

const deployment = (containers: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
${extra}      containers:
${containers}`;

const two = `      - name: app
        image: app:1
        command: [/app]
      - name: proxy
        image: proxy:1
        command: [/proxy]
`;

const spec = (body: string) => `apiVersion: startorder.dev/v1alpha1
kind: StartOrder
metadata: {name: s}
spec:
${body}`;

async function diagnose(input: string, specText: string, extraArgs: string[] = []) {
  const r = await runCli(['--error-format', 'json', '-c', 'spec.yaml', ...extraArgs, 'in.yaml'], { 'in.yaml': input, 'spec.yaml': specText });
  const diags = r.stderr
    ? (JSON.parse(r.stderr) as {
        code: string;
        severity: string;
        line?: number;
        column?: number;
        file?: string;
        container?: string;
        workload?: string;
        message?: string;
      }[])
    : [];
  return { ...r, diags };
}

test('an unknown container is named with file, line and column, and nothing is printed', async () => {
  const r = await diagnose(deployment(two), spec('  containers:\n  - name: app\n    after: [proxx]\n  - name: proxy\n'));
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const d = r.diags.find((x) => x.code === 'unknown-container');
  assert.ok(d, r.stderr);
  assert.equal(d.file, 'spec.yaml');
  assert.equal(d.line, 7);
  assert.equal(d.container, 'app');
  assert.equal(d.workload, 'Deployment/web');
});

test('a cycle is an error that names the cycle', async () => {
  const r = await diagnose(deployment(two), spec('  containers:\n  - name: app\n    after: [proxy]\n  - name: proxy\n    after: [app]\n'));
  assert.equal(r.code, 1);
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['cycle'],
  );
});

test('a self-dependency is an error', async () => {
  const r = await diagnose(deployment(two), spec('  containers:\n  - name: app\n    after: [app]\n'));
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['self-dependency'],
  );
});

test('Completed on a restarting main container is refused in wrapper mode and becomes an init container in native mode', async () => {
  const s = '  containers:\n  - name: app\n    after: [{name: proxy, condition: Completed}]\n';
  const wrapper = await diagnose(deployment(two), spec(`  mode: wrapper\n${s}`));
  assert.deepEqual(
    wrapper.diags.map((d) => d.code),
    ['completed-would-restart'],
  );
  assert.equal(wrapper.diags[0]!.container, 'proxy');
  const native = await diagnose(deployment(two), spec(`  kubernetesVersion: "1.30"\n${s}`));
  assert.equal(native.code, 0, native.stderr);
  assert.match(native.stdout, /initContainers:\n\s+- name: proxy/);
});

test('a container without command whose image is not in the images table gets both fixes', async () => {
  const input = deployment('      - name: app\n        image: app:1\n        command: [/app]\n      - name: proxy\n        image: proxy:1\n');
  const r = await diagnose(input, spec('  mode: wrapper\n  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['missing-command'],
  );
  assert.equal(r.diags[0]!.container, 'proxy');
  assert.equal(r.diags[0]!.file, 'in.yaml');
  assert.ok(r.diags[0]!.line! > 10);
  const fixed = await diagnose(
    input,
    spec(
      '  mode: wrapper\n  images:\n  - {image: "proxy:1", command: [/usr/bin/proxy], args: [--port, "1"]}\n  containers:\n  - name: app\n    after: [proxy]\n',
    ),
  );
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.match(fixed.stdout, /- -entrypoint\n\s+- \/usr\/bin\/proxy\n\s+- --\n\s+- --port\n\s+- "1"/);
});

test('two specs that select one workload is an error naming both', async () => {
  const input = `${deployment(two)}---\n${spec('  containers:\n  - name: app\n    after: [proxy]\n')}`;
  const r = await diagnose(input, spec('  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['spec-ambiguous'],
  );
});

test('a spec that selects nothing is a warning and the input passes through byte for byte', async () => {
  const input = deployment(two);
  const r = await diagnose(input, spec('  selector: {names: [other]}\n  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.equal(r.code, 0);
  assert.deepEqual(
    r.diags.map((d) => [d.code, d.severity]),
    [['spec-selects-nothing', 'warning']],
  );
  assert.equal(r.stdout, input);
});

test('an invalid spec is reported against the schema with its position', async () => {
  const r = await diagnose(deployment(two), spec('  mode: fast\n  containers:\n  - name: app\n    ready: {file: x, exec: {command: [a]}}\n'));
  assert.equal(r.code, 1);
  assert.ok(r.diags.every((d) => d.code === 'spec-invalid'));
  assert.ok(
    r.diags.some((d) => d.line === 5),
    r.stderr,
  );
});

test('malformed YAML and an alias bomb are syntax errors, never a crash', async () => {
  const bad = await diagnose('a: [1, 2\nb: 3\n', spec('  containers:\n  - name: app\n'));
  assert.equal(bad.code, 1);
  assert.equal(bad.diags[0]!.code, 'yaml-syntax');
  const lol = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    lol.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  const bomb = await diagnose(`${lol.join('\n')}\n`, spec('  containers:\n  - name: app\n'));
  assert.equal(bomb.code, 1);
  assert.equal(bomb.diags[0]!.code, 'yaml-alias-limit');
  assert.match(bomb.diags[0]!.message ?? '', /^the aliases of this document expand to 4[0-9,]+ values \(the limit is 1,000,000\)$/);
  assert.equal(bomb.stdout, '');
});

test('a manifest with many plain aliases (more than a thousand) is read, as kubectl reads it', async () => {
  const env = Array.from({ length: 1200 }, (_, i) => `        - {name: V${i}, value: *v}`).join('\n');
  const many = deployment(two)
    .replace('  name: web\n', '  name: web\n  labels: {tier: &v "same"}\n')
    .replace(/(image: app:1\n)/, `$1        env:\n${env}\n`);
  assert.notEqual(many, deployment(two));
  const r = await diagnose(many, spec('  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.deepEqual(
    r.diags.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(r.code, 0);
  assert.equal((r.stdout.match(/value: \*v/g) ?? []).length, 1200);
});

test('our volume and mount names must be free', async () => {
  const withVolume = deployment(two).replace('      containers:', '      volumes:\n      - name: startorder-run\n        emptyDir: {}\n      containers:');
  const r = await diagnose(withVolume, spec('  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['name-clash'],
  );
  const withMount = deployment(two.replace('command: [/app]', 'command: [/app]\n        volumeMounts: [{name: x, mountPath: /startorder/run}]'));
  const m = await diagnose(withMount, spec('  containers:\n  - name: app\n    after: [proxy]\n'));
  assert.deepEqual(
    m.diags.map((d) => d.code),
    ['mount-clash'],
  );
});

test('duplicate container names are refused', async () => {
  const r = await diagnose(
    deployment(`${two}      - name: app\n        image: x\n        command: [x]\n`),
    spec('  containers:\n  - name: app\n    after: [proxy]\n'),
  );
  assert.deepEqual(
    r.diags.map((d) => d.code),
    ['duplicate-container'],
  );
});

test('a missing input file is a usage error', async () => {
  const r = await runCli(['-c', 'spec.yaml', 'nope.yaml'], { 'spec.yaml': spec('  containers:\n  - name: app\n') });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.yaml/);
});

test('a mistake in a spec written in the pod template annotation is pointed at inside the annotation', async () => {
  const annotated = (body: string) =>
    deployment(two).replace(
      '      labels: {app: web}\n',
      `      labels: {app: web}\n      annotations:\n        startorder.dev/spec: |\n${body
        .split('\n')
        .map((l) => (l ? `          ${l}` : l))
        .join('\n')}`,
    );
  const cases: [string, string, number, number][] = [
    ['containers:\n  - name: app\n    after: [proxx]\n  - name: proxy\n', 'unknown-container', 15, 23],
    ['containers:\n  - name: app\n    after: [proxy]\n  - name: proxy\n    after: [app]\n', 'cycle', 15, 22],
    ['containers:\n  - name: app\n    after: [{name: proxy, condition: Soon}]\n', 'spec-annotation-invalid', 15, 48],
  ];
  for (const [body, code, line, column] of cases) {
    const r = await runCli(['--error-format', 'json', 'in.yaml'], { 'in.yaml': annotated(body) });
    assert.equal(r.code, 1, r.stderr);
    const diags = JSON.parse(r.stderr) as { code: string; line?: number; column?: number }[];
    const d = diags.filter((x) => x.code === code).at(-1);
    assert.ok(d, r.stderr);
    assert.deepEqual([d.line, d.column], [line, column], `${code}: ${r.stderr}`);
    assert.equal(
      annotated(body)
        .split('\n')
        [line - 1]!.slice(column - 1, column + 3),
      code === 'cycle' ? '[pro' : code === 'unknown-container' ? 'prox' : 'Soon',
    );
  }
});
