/**
 * Nothing lost: each class of silent corruption found on manifests nobody on the project wrote,
 * reproduced in a few lines. Every case checks the bytes written, not the object meant: the output
 * re-parsed, untouched lines byte for byte, a second run byte-identical, revert byte-exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';

import { transform } from '../src/pipeline/index.js';
import { needsQuotes } from '../src/emit/quote.js';
import { goRead } from './goyaml.js';
import { unifiedDiff } from '../src/emit/diff.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const spec = (containers: string, extra = '') => `apiVersion: startorder.dev/v1alpha1
kind: StartOrder
metadata: {name: t}
spec:
  mode: wrapper
${extra}  containers:
${containers}`;

const ORDER = spec(`  - {name: proxy, ready: {tcpSocket: {port: 9000}}}
  - {name: app, after: [proxy]}
`);

function run(text: string, specText = ORDER, name = 'in.yaml') {
  const r = transform([{ name, text }], { configs: [{ name: 'order.yaml', text: specText }] });
  return r;
}

function ok(text: string, specText = ORDER): string {
  const r = run(text, specText);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'no errors');
  return r.files[0]!.text;
}

function revert(text: string, name = 'in.yaml'): string {
  const r = transform([{ name, text }], { revert: true });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return r.files[0]!.text;
}

/** transform, then the promises every output keeps. */
function roundTrip(input: string, specText = ORDER): string {
  const out = ok(input, specText);
  assert.equal(ok(out, specText), out, 'a second run changes nothing');
  assert.equal(revert(out), input, 'revert gives the input back byte for byte');
  return out;
}

function containers(out: string, doc = 0): Record<string, Record<string, unknown>> {
  const d = parseAllDocuments(out, { version: '1.1' })[doc]!.toJS() as Record<string, any>;
  const pod = d.kind === 'Pod' ? d.spec : d.spec.template.spec;
  const all = [...(pod.initContainers ?? []), ...pod.containers] as Record<string, unknown>[];
  return Object.fromEntries(all.map((c) => [String(c.name), c]));
}

/** The two containers most cases order: proxy, then app. */
const PROXY_APP = `  - name: proxy
    image: proxy:1
    command: [/proxy]
  - name: app
    image: app:1
    command: [/app]
`;

const POD = (body: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
${body}`;

test('list items are matched by position: a volume mounted twice keeps both mounts', () => {
  const input = POD(`  - name: app
    image: app:1
    command: [/app]
    volumeMounts:
    - {name: data, mountPath: /tmp, subPath: tmp}
    - {name: data, mountPath: /opt/conf, subPath: conf, readOnly: true}
  - name: proxy
    image: proxy:1
    command: [/proxy]
    env:
    - {name: A, value: "1"}
    - {name: A, value: "2"}
    ports:
    - {containerPort: 9000, name: p}
    - {containerPort: 9001, name: p}
`);
  const out = roundTrip(input);
  const c = containers(out);
  assert.deepEqual((c.app!.volumeMounts as unknown[]).slice(0, 2), [
    { name: 'data', mountPath: '/tmp', subPath: 'tmp' },
    { name: 'data', mountPath: '/opt/conf', subPath: 'conf', readOnly: true },
  ]);
  assert.deepEqual(c.proxy!.env, [
    { name: 'A', value: '1' },
    { name: 'A', value: '2' },
  ]);
  assert.equal((c.proxy!.ports as unknown[]).length, 2);
});

test('aliases: a container that is not ordered keeps the command it shares by alias', () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command: &cmd [/bin/run, --serve]
    env: &e
    - {name: MODE, value: x}
  - name: app
    image: app:1
    command: [/app]
    env: *e
  - name: other
    image: other:1
    command: *cmd
    env: *e
`);
  const out = roundTrip(input);
  const c = containers(out);
  assert.deepEqual(c.other!.command, ['/bin/run', '--serve']);
  assert.equal(c.other!.args, undefined);
  assert.equal(c.other!.volumeMounts, undefined);
  assert.deepEqual(c.app!.env, [{ name: 'MODE', value: 'x' }]);
  assert.deepEqual((c.proxy!.args as string[]).slice(-3), ['/bin/run', '--', '--serve']);
});

test('a non-string word of a rewritten command is a located error with the fix, never dropped', () => {
  for (const word of ['8080', 'yes', '1.5', '~']) {
    const input = POD(`  - name: proxy
    image: proxy:1
    command: [/proxy]
    args: [--port, ${word}]
  - name: app
    image: app:1
    command: [/app]
`);
    const r = run(input);
    const d = r.diagnostics.find((x) => x.code === 'non-string-word');
    assert.ok(d, `an error for ${word}`);
    assert.deepEqual(d.path, ['spec', 'containers', 0, 'args', 1]);
    assert.equal(d.line, 10);
    assert.equal(d.container, 'proxy');
    assert.match(d.hint ?? '', /[Qq]uote/);
    assert.deepEqual(r.files, [], 'nothing is written');
  }
});

test('quoted words keep their quotes, so Go readers still read strings', async () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command: ["/proxy"]
    args: ["0o17", '0b101', "0x_1", "yes", "y", "1_000"]
  - name: app
    image: app:1
    command: [/app]
`);
  const out = roundTrip(input);
  const [go] = await goRead([out]);
  const args = (go as any).spec.containers[0].args as unknown[];
  assert.deepEqual(args.slice(-6), ['0o17', '0b101', '0x_1', 'yes', 'y', '1_000']);
});

test('every string any YAML reader could take for something else is quoted when startorder prints it', () => {
  for (const s of ['0o17', '0b101', '0x_1', '017', '1_000', 'yes', 'Y', 'n', 'off', '~', 'null', '1:30', '.inf', '2001-12-14', '1e3', '+1', '0x1p-2', ''])
    assert.ok(needsQuotes(s), s);
  for (const s of ['/startorder/run/a/ready', 'app', '-entrypoint', '--', '15s', 'v1.2', 'a,b']) assert.ok(!needsQuotes(s), s);
});

test('comments inside a rewritten command and args stay, and revert brings them back', () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command:
    - /proxy   # the binary
    # - --debug
    - --serve  # serve forever
    args: [
      --a,  # first
      # --b,
      --c
    ]
  - name: app
    image: app:1
    command: [/app]
`);
  const out = roundTrip(input);
  for (const c of ['# the binary', '# serve forever', '# - --debug', '# first', '# --b,']) assert.ok(out.includes(c), c);
});

test('bytes around the changed document: no final newline, a leading blank line, a `...` marker with a comment', () => {
  const changed = POD(PROXY_APP);
  const untouched = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: v  # end';
  const input = `\n${changed}...\n# after the end marker\n---\n${untouched}`;
  const out = roundTrip(input);
  assert.ok(out.startsWith('\napiVersion: v1'), 'the leading blank line stays');
  assert.ok(out.includes('...\n# after the end marker\n---\n'), 'the marker and its comment stay');
  assert.ok(out.endsWith(untouched), 'the untouched last document keeps its bytes, without a final newline');
});

test('unrelated lines of a changed document are not reprinted', () => {
  const input = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    {}
spec:
  template:
    metadata:
      annotations:
        {}
    spec:
      initContainers:
          - name: setup
            image: setup:1
            command: [ "/setup" ]
      containers:
      - name: proxy
        image: proxy:1
        command: [/proxy]
      - name: app
        image: app:1
        command: [/app]
`;
  const out = roundTrip(input);
  assert.ok(out.includes('  annotations:\n    {}\n'), 'the workload annotations keep their two lines');
  assert.ok(
    out.includes('          - name: setup\n            image: setup:1\n            command: [ "/setup" ]\n'),
    'the init container keeps its indentation',
  );
});

test('a moved container keeps its comments and its quoting (native mode)', () => {
  const input = POD(`  - name: app
    image: app:1
  # the proxy must be up first
  - name: proxy
    image: "proxy:1"   # pinned
    command: ['/proxy']
`);
  const native = spec(`  - {name: proxy, ready: {tcpSocket: {port: 9000}}}
  - {name: app, after: [proxy]}
`).replace('mode: wrapper', 'mode: native\n  kubernetesVersion: "1.31"');
  const out = roundTrip(input, native);
  assert.match(out, /initContainers:\n {2}# the proxy must be up first\n {2}- name: proxy\n {4}image: "proxy:1" {3}# pinned\n {4}command: \['\/proxy'\]\n/);
});

test('JSON in, JSON out: only what startorder adds is new, the rest keeps its bytes', () => {
  const input = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "p"},
  "spec": {
    "containers": [
      {"name": "proxy", "image": "proxy:1", "command": ["/proxy"]},
      {"name": "app", "image": "app:1", "command": ["/app"], "args": ["--big", "123456789012345678"]}
    ]
  }
}
`;
  const r = transform([{ name: 'p.json', text: input }], { configs: [{ name: 'order.yaml', text: ORDER }] });
  const out = r.files[0]!.text;
  assert.ok(out.includes('"metadata": {"name": "p", "annotations": '), out);
  assert.ok(out.includes('"123456789012345678"'));
  JSON.parse(out);
  const back = transform([{ name: 'p.json', text: out }], { revert: true }).files[0]!.text;
  assert.equal(back, input);
});

test('CRLF files keep CRLF on every line, the added ones too', () => {
  const input = POD(PROXY_APP).replace(/\n/g, '\r\n');
  const out = roundTrip(input);
  assert.ok(!/[^\r]\n/.test(out), 'no bare LF');
});

test('revert checks the record before it trusts it: a wrong shape or an index that does not fit is a located error', () => {
  const input = POD(PROXY_APP);
  const out = ok(input);
  const doc = parseAllDocuments(out)[0]!;
  const rec = JSON.parse(String(doc.getIn(['metadata', 'annotations', 'startorder.dev/applied']))) as { containers: { index: number }[] };
  rec.containers[0]!.index = 7;
  doc.setIn(['metadata', 'annotations', 'startorder.dev/applied'], JSON.stringify(rec));
  const r = transform([{ name: 'in.yaml', text: doc.toString() }], { revert: true });
  const d = r.diagnostics.find((x) => x.code === 'record-invalid');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.deepEqual(d.path, ['metadata', 'annotations', 'startorder.dev/applied']);
  assert.ok(d.line !== undefined);
  assert.deepEqual(r.files, []);
});

test('hand edits since the transform: a changed word is carried into revert, stripped flags are reported', () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command: [/proxy, --port, "9000"]
  - name: app
    image: app:1
    command: [/app]
`);
  const out = ok(input);
  const changed = out.replace('--port, "9000"]', '--port, "9001"]');
  assert.notEqual(changed, out);
  const back = revert(changed);
  assert.equal(back, input.replace('"9000"', '"9001"'), 'the changed word survives revert, the rest is byte-exact');
  const stripped = out.replace(/args: \[[^\n]*\]/, 'args: [--port, "9000"]');
  assert.notEqual(stripped, out);
  const r = transform([{ name: 'in.yaml', text: stripped }], { revert: true });
  const d = r.diagnostics.find((x) => x.code === 'record-mismatch');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.deepEqual(d.path, ['spec', 'containers', 0, 'args']);
  assert.equal(d.container, 'proxy');
  assert.deepEqual(r.files, []);
  // words added after the transform: ambiguous, reported
  const added = out.replace('--port, "9000"]', '--port, "9000", --verbose]');
  assert.equal(transform([{ name: 'in.yaml', text: added }], { revert: true }).diagnostics.find((x) => x.code === 'record-mismatch')?.container, 'proxy');
});

test('a mount added by hand to a wrapped container survives a re-run and revert', () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command: [/proxy]
  - name: app
    image: app:1
    command: [/app]
    volumeMounts:
    - {name: data, mountPath: /data}
`);
  const out = ok(input);
  const edited = out.replace('    - {name: data, mountPath: /data}\n', '    - {name: data, mountPath: /data}\n    - {name: extra, mountPath: /extra}\n');
  assert.notEqual(edited, out);
  const again = ok(edited);
  assert.ok(again.includes('{name: extra, mountPath: /extra}'));
  assert.equal(ok(again), again);
  assert.equal(
    revert(again),
    input.replace('    - {name: data, mountPath: /data}\n', '    - {name: data, mountPath: /data}\n    - {name: extra, mountPath: /extra}\n'),
  );
});

test('keys added by hand to rewritten containers survive a re-run and revert (a first env, resources, a first mount of their own)', () => {
  const input = POD(`  - name: proxy
    image: proxy:1
    command: [/proxy]
  - name: app
    image: app:1
    command: [/app]
`);
  for (const order of [ORDER, ORDER.replace('mode: wrapper', 'mode: native\n  kubernetesVersion: "1.33"')]) {
    const out = ok(input, order);
    // the user's edits of the output: keys startorder never wrote, and a mount in the list startorder created
    const edited = out
      .replace(/(- name: proxy\n(\s+)image: proxy:1\n)/, '$1$2resources: {limits: {memory: 64Mi}}\n')
      .replace(/(- name: app\n(\s+)image: app:1\n)/, '$1$2env: [{name: LOG, value: debug}]\n')
      .replace(/(- name: app\n[^]*?volumeMounts:\n)(\s+)(- )/, '$1$2$3{name: mine, mountPath: /mine}\n$2$3');
    const mounts = /- name: app\n[^]*?volumeMounts:/.test(out); // the wrapper's mounts (wrapper mode only)
    assert.equal((edited.match(/memory: 64Mi|name: LOG|name: mine/g) ?? []).length, mounts ? 3 : 2, edited);
    const again = ok(edited, order);
    for (const kept of ['resources: {limits: {memory: 64Mi}}', 'env: [{name: LOG, value: debug}]', ...(mounts ? ['{name: mine, mountPath: /mine}'] : [])]) {
      assert.ok(again.includes(kept), `re-run keeps ${kept}:\n${again}`);
    }
    assert.equal(ok(again, order), again, 'a third run changes nothing');
    const back = revert(again);
    for (const kept of ['resources: {limits: {memory: 64Mi}}', 'env: [{name: LOG, value: debug}]', ...(mounts ? ['name: mine'] : [])])
      assert.ok(back.includes(kept), `revert keeps ${kept}:\n${back}`);
    assert.ok(!back.includes('startorder'), back);
  }
});

test('null optional fields (what database charts render) are accepted, and a list grows after a null last key', () => {
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
      nodeSelector:
      tolerations:
      containers:
      - name: proxy
        image: db:1
        command: [/db]
        resources:
        livenessProbe:
      - name: app
        image: m:1
        command: [/m]
        args:
`;
  const out = roundTrip(input);
  assert.match(out, /livenessProbe:\n {8}volumeMounts:\n/);
});

test('check prints a diff that git apply takes, with and without a final newline', () => {
  for (const input of [
    POD('  - name: proxy\n    image: proxy:1\n    command: [/proxy]\n  - name: app\n    image: app:1\n    command: [/app]\n'),
    POD('  - name: proxy\n    image: proxy:1\n    command: [/proxy]\n  - name: app\n    image: app:1\n    command: [/app]'),
  ]) {
    const out = ok(input);
    const dir = mkdtempSync(join(tmpdir(), 'startorder-diff-'));
    writeFileSync(join(dir, 'p.yaml'), input);
    writeFileSync(join(dir, 'd.diff'), unifiedDiff('a/p.yaml', 'b/p.yaml', input, out));
    const r = spawnSync('git', ['apply', 'd.diff'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'p.yaml'), 'utf8'), out);
  }
});
