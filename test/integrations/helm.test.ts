/**
 * startorder as a Helm post-renderer, run by the REAL Helm 3 (`--post-renderer <executable>`) and
 * Helm 4 (`--post-renderer <plugin>`, the plugin in helm-plugin/) on fixtures/helm-chart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { BIN, cannotBuild, FIXTURES, golden, ROOT, run, toolPath, type Tool } from './tools.js';

const CHART = join(FIXTURES, 'helm-chart');

/** helm with its own config/data/cache homes, so installed plugins of one run or version don't leak. */
function helm(tool: Tool, t: { skip: (m: string) => void }) {
  const why = cannotBuild(tool);
  if (why) return void t.skip(why);
  const bin = toolPath(tool);
  const home = mkdtempSync(join(tmpdir(), `startorder-${tool}-`));
  const env = { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data'), HELM_CACHE_HOME: join(home, 'cache') };
  return (...args: string[]) => {
    if (args[0] !== '__sh__') return run(bin, args, { env });
    // helm with a real pipe as its stderr (and the stderr it wrote returned as stderr)
    const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const r = run('bash', ['-c', `set -o pipefail; { ${[bin, ...args.slice(1)].map(q).join(' ')} 2>&1 1>&3 | cat >&2; } 3>&1`], { env });
    return r;
  };
}

const docs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((d) => d !== null && d !== undefined);
const deployment = (text: string) => docs(text).find((d) => d.kind === 'Deployment');
/** The raw text of each document of a Helm stream (split on `---` lines). */
const rawDocs = (text: string) =>
  text
    .split(/^---\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);

test('helm 3: --post-renderer bin/startorder.js rewrites the chart (golden); the StartOrder document is consumed', (t) => {
  const h = helm('helm3', t);
  if (!h) return;
  const plain = h('template', 'web', CHART);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /kind: StartOrder/);
  const r = h('template', 'web', CHART, '--post-renderer', BIN);
  assert.equal(r.status, 0, r.stderr);
  const g = golden(join(CHART, 'expected-helm3.yaml'), r.stdout);
  assert.equal(g.actual, g.expected, 'differs from fixtures/helm-chart/expected-helm3.yaml');
  assert.doesNotMatch(r.stdout, /kind: StartOrder/);
  const d = deployment(r.stdout);
  assert.ok(d.spec.template.metadata.annotations['startorder.dev/applied']);
  const appArgs: string[] = d.spec.template.spec.containers.find((c: any) => c.name === 'app').args;
  assert.equal(appArgs[appArgs.indexOf('-wait_status') + 1], '/startorder/run/config-agent/ready');
  // Helm 3 prints the post-renderer's stream as it came: the same bytes as startorder on the plain output.
  const direct = run(process.execPath, [BIN], { input: plain.stdout });
  assert.equal(r.stdout, direct.stdout);
});

test('helm 3: --post-renderer-args pass a spec file (-c) when the chart carries none', (t) => {
  const h = helm('helm3', t);
  if (!h) return;
  const dir = mkdtempSync(join(tmpdir(), 'startorder-helm-spec-'));
  const spec = join(dir, 'order.yaml');
  writeFileSync(
    spec,
    'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: web}\nspec:\n  mode: native\n  kubernetesVersion: "1.33"\n  containers:\n    - {name: config-agent, ready: {file: /etc/app/config.yaml}}\n    - {name: app, after: [config-agent]}\n',
  );
  const r = h(
    'template',
    'web',
    CHART,
    '--set',
    'startorder.enabled=false',
    '--post-renderer',
    BIN,
    '--post-renderer-args',
    '-c',
    '--post-renderer-args',
    spec,
  );
  assert.equal(r.status, 0, r.stderr);
  const d = deployment(r.stdout);
  assert.deepEqual(
    d.spec.template.spec.initContainers.map((c: any) => [c.name, c.restartPolicy]),
    [
      ['startorder-init', undefined],
      ['config-agent', 'Always'],
    ],
  );
});

test('helm 4: the plugin in helm-plugin/ installs and post-renders the chart (golden); same objects as Helm 3', (t) => {
  const h = helm('helm4', t);
  if (!h) return;
  const inst = h('plugin', 'install', join(ROOT, 'helm-plugin'));
  assert.equal(inst.status, 0, inst.stdout + inst.stderr);
  const list = h('plugin', 'list');
  assert.match(list.stdout, /startorder\s+0\.1\.0\s+postrenderer\/v1/);
  const r = h('template', 'web', CHART, '--post-renderer', 'startorder');
  assert.equal(r.status, 0, r.stderr);
  const g = golden(join(CHART, 'expected-helm4.yaml'), r.stdout);
  assert.equal(g.actual, g.expected, 'differs from fixtures/helm-chart/expected-helm4.yaml');
  // Helm 4 re-serialises the post-rendered stream (its own indentation); the objects are Helm 3's.
  const h3 = run(process.execPath, [BIN], { input: h('template', 'web', CHART).stdout });
  assert.deepEqual(docs(r.stdout), docs(h3.stdout));
  // Plugin arguments come through --post-renderer-args.
  const native = h(
    'template',
    'web',
    CHART,
    '--post-renderer',
    'startorder',
    '--post-renderer-args',
    '--mode=native',
    '--post-renderer-args',
    '--kubernetes-version=1.33',
    '--set',
    'startorder.mode=auto',
  );
  assert.equal(native.status, 0, native.stderr);
  assert.equal(deployment(native.stdout).spec.template.spec.initContainers[1].restartPolicy, 'Always');
});

test('helm 3 and 4: documents that are not Kubernetes workloads pass through; nothing is lost', (t) => {
  for (const tool of ['helm3', 'helm4'] as const) {
    const h = helm(tool, t);
    if (!h) return;
    if (tool === 'helm4') assert.equal(h('plugin', 'install', join(ROOT, 'helm-plugin')).status, 0);
    const pr = tool === 'helm3' ? BIN : 'startorder';
    const plain = h('template', 'web', CHART, '--set', 'extraDocuments=true');
    const r = h('template', 'web', CHART, '--set', 'extraDocuments=true', '--post-renderer', pr);
    assert.equal(r.status, 0, `${tool}: ${r.stderr}`);
    const isOurs = (d: any) => d?.kind === 'Deployment' || d?.kind === 'StartOrder';
    assert.deepEqual(
      docs(r.stdout).filter((d) => !isOurs(d)),
      docs(plain.stdout).filter((d) => !isOurs(d)),
      tool,
    );
    assert.match(r.stdout, /notes: this document has no apiVersion or kind/);
    assert.match(r.stdout, /kind: Widget/);
    if (tool === 'helm3') {
      // Helm 3 passes bytes through: every document startorder does not rewrite is byte-identical, comments included.
      const before = rawDocs(plain.stdout).filter((s) => !/kind: (Deployment|StartOrder)/.test(s));
      const after = rawDocs(r.stdout).filter((s) => !/kind: Deployment/.test(s));
      assert.deepEqual(after, before);
      assert.ok(after.some((s) => /^# Source: web\/templates\/extras\.yaml\n# a document that is only a comment$/.test(s)));
    }
  }
});

test("helm 3 and 4: an invalid spec fails the render with startorder's diagnostic", (t) => {
  for (const tool of ['helm3', 'helm4'] as const) {
    const h = helm(tool, t);
    if (!h) return;
    if (tool === 'helm4') assert.equal(h('plugin', 'install', join(ROOT, 'helm-plugin')).status, 0);
    const args = ['template', 'web', CHART, '--set', 'startorder.mode=bogus', '--post-renderer', tool === 'helm3' ? BIN : 'startorder'];
    // Helm 4 swallows a plugin's stderr; the plugin copies it to helm's own stderr, which it can
    // reopen when that is a terminal, a file or a pipe (Node's child stdio is a socket: use a pipe).
    const r = tool === 'helm3' ? h(...args) : h('__sh__', ...args);
    assert.notEqual(r.status, 0, tool);
    assert.match(r.stderr, /error while running post render/, tool);
    assert.match(r.stderr, /error\[spec-invalid\].*spec\.mode must be one of/, `${tool}: ${r.stderr}`);
    assert.equal(r.stdout, '', tool);
  }
});
