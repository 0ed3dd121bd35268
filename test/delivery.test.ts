/**
 * runtime.delivery (issue 12 item 7): the wrapper copied by an init container, or the runtime image
 * mounted as an image volume; auto by kubernetesVersion. The goldens fixtures/*delivery* show whole
 * outputs; these tests pin the rule and what reads a rewritten pod back (revert, graph, explain, status).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { resolveDelivery } from '../src/plan/delivery.js';
import { explain } from '../src/render/explain.js';
import { mermaid, viewOf, viewsFromRecords } from '../src/render/graph.js';
import { transform } from '../src/pipeline/index.js';
import { gather } from '../src/status/gather.js';
import type { Cluster } from '../src/status/cluster.js';
import { c, deployment, job, run, specYaml } from './pods.js';

type O = Record<string, any>;
const ordered = (extra: O = {}) =>
  specYaml(
    [
      { name: 'db', ready: { tcpSocket: { port: 5432 } } },
      { name: 'app', after: ['db'] },
    ],
    { mode: 'wrapper', ...extra },
  );

test('auto is image from 1.35 on, copy before and when the version is not known; an explicit choice wins', () => {
  assert.equal(resolveDelivery(undefined, '1.35'), 'image');
  assert.equal(resolveDelivery(undefined, 'v1.36.2'), 'image');
  assert.equal(resolveDelivery('auto', '1.34'), 'copy');
  assert.equal(resolveDelivery(undefined, undefined), 'copy');
  assert.equal(resolveDelivery('copy', '1.35'), 'copy');
  assert.equal(resolveDelivery('image', '1.33'), 'image');
  assert.equal(resolveDelivery('image', undefined), 'image');
});

test('image delivery: an image volume with the runtime image and its pull policy, no init container, the mounted wrapper path', () => {
  const image = 'registry.example.com/startorder-entrypoint:v1@sha256:' + 'a'.repeat(64);
  const { errors, pod, container } = run(
    deployment([c('app'), c('db')]),
    ordered({ kubernetesVersion: '1.35', runtime: { image, imagePullPolicy: 'IfNotPresent' } }),
  );
  assert.deepEqual(errors, []);
  assert.equal(pod!.initContainers, undefined);
  assert.deepEqual(pod!.volumes[0], { name: 'startorder-bin', image: { reference: image, pullPolicy: 'IfNotPresent' } });
  assert.deepEqual(pod!.volumes[1], { name: 'startorder-run', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } });
  for (const n of ['app', 'db']) {
    assert.deepEqual(container(n).command, ['/startorder/bin/startorder-entrypoint']);
    assert.deepEqual(container(n).volumeMounts[0], { name: 'startorder-bin', mountPath: '/startorder/bin', readOnly: true });
  }
});

test('copy delivery on 1.35 and auto on 1.34: the init container copies the wrapper into an emptyDir, as before', () => {
  for (const extra of [{ kubernetesVersion: '1.35', runtime: { delivery: 'copy' } }, { kubernetesVersion: '1.34' }]) {
    const { errors, pod, container } = run(deployment([c('app'), c('db')]), ordered(extra));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      pod!.initContainers.map((x: O) => x.name),
      ['startorder-init'],
    );
    assert.deepEqual(pod!.volumes[0], { name: 'startorder-bin', emptyDir: {} });
    assert.deepEqual(container('app').command, ['/startorder/bin/entrypoint']);
  }
});

test("a native sidecar's wrapper probe names the mounted wrapper too", () => {
  const spec = specYaml(
    [
      { name: 'db', ready: { tcpSocket: { host: '127.0.0.1', port: 5432 } } },
      { name: 'app', after: ['db'] },
    ],
    { kubernetesVersion: '1.35' },
  );
  const { errors, pod, container } = run(deployment([c('app'), c('db')]), spec);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    pod!.initContainers.map((x: O) => x.name),
    ['db'],
  );
  assert.deepEqual(container('db').startupProbe.exec.command.slice(0, 2), ['/startorder/bin/startorder-entrypoint', 'probe']);
  assert.ok(pod!.volumes[0].image);
});

test('explicit image: a warning on 1.31-1.34 (feature gate off by default), an error before 1.31, nothing on 1.35', () => {
  const codes = (v: string) => run(deployment([c('app'), c('db')]), ordered({ kubernetesVersion: v, runtime: { delivery: 'image' } })).r.diagnostics;
  assert.deepEqual(
    codes('1.33').map((d) => [d.code, d.severity]),
    [['image-volume-gated', 'warning']],
  );
  assert.deepEqual(
    codes('1.31').map((d) => [d.code, d.severity]),
    [['image-volume-gated', 'warning']],
  );
  assert.deepEqual(
    codes('1.30').map((d) => [d.code, d.severity]),
    [['image-volume-impossible', 'error']],
  );
  assert.deepEqual(codes('1.35'), []);
  // the warning still rewrites, as asked
  assert.ok(run(deployment([c('app'), c('db')]), ordered({ kubernetesVersion: '1.33', runtime: { delivery: 'image' } })).pod!.volumes[0].image);
});

test('a pod that needs no wrapper binary gets neither volume nor init container, whatever the delivery', () => {
  const { errors, pod } = run(
    job([c('main'), c('side')]),
    specYaml(
      [
        { name: 'side', role: 'sidecar' },
        { name: 'main', after: ['side'] },
      ],
      { kubernetesVersion: '1.35' },
    ),
  );
  assert.deepEqual(errors, []);
  assert.equal(pod!.volumes, undefined);
  assert.deepEqual(
    pod!.initContainers.map((x: O) => x.name),
    ['side'],
  );
});

test('revert of an image-delivered pod gives the input back byte for byte, also after a word of the wrapped command was edited', () => {
  const input = deployment([c('app'), c('db')]);
  const out = transform([{ name: 'in.json', text: input }], { configs: [{ name: 's.yaml', text: ordered({ kubernetesVersion: '1.35' }) }] });
  assert.deepEqual(out.diagnostics, []);
  const text = out.files[0]!.text;
  const back = transform([{ name: 'in.json', text }], { revert: true });
  assert.equal(back.files[0]!.text, input);
  // the user changed the wrapped command's word in place: revert carries it into the original
  const edited = text.replace('"-entrypoint", "/app",', '"-entrypoint", "/app2",');
  assert.notEqual(edited, text);
  const back2 = transform([{ name: 'in.json', text: edited }], { revert: true });
  assert.deepEqual(back2.diagnostics, []);
  assert.deepEqual((parse(back2.files[0]!.text) as O).spec.template.spec.containers[0].command, ['/app2']);
});

test('explain and graph say how the wrapper gets into the pod; graph reads it from a rewritten pod too', () => {
  const image = run(deployment([c('app'), c('db')]), ordered({ kubernetesVersion: '1.35' }));
  const copy = run(deployment([c('app'), c('db')]), ordered({ kubernetesVersion: '1.34' }));
  assert.match(
    explain(image.r.plans),
    /delivery: the wrapper comes from the runtime image \S+, mounted as an image volume at \/startorder\/bin \(no init container/,
  );
  assert.match(explain(copy.r.plans), /delivery: the init container startorder-init copies the wrapper/);
  assert.equal(viewOf(image.r.plans[0]!).delivery, 'image');
  assert.equal(viewOf(copy.r.plans[0]!).delivery, undefined);
  assert.match(mermaid([viewOf(image.r.plans[0]!)]), /subgraph w0\["Deployment\/web · wrapper from image volume"\]/);
  // graph on the output alone (no spec): the delivery is read from the bin volume
  const fromOutput = (r: typeof image) => {
    const again = transform([{ name: 'out.json', text: r.r.files[0]!.text }], { needPlans: true });
    return viewsFromRecords(again.sources, again.plans);
  };
  assert.equal(fromOutput(image)[0]!.delivery, 'image');
  assert.equal(fromOutput(copy)[0]!.delivery, undefined);
  assert.equal(fromOutput(copy).length, 1);
});

test('status execs the wrapper where the pod has it (the mounted path for image delivery)', async () => {
  const { pod } = run(deployment([c('app'), c('db')]), ordered({ kubernetesVersion: '1.35' }));
  const calls: string[][] = [];
  const cluster: Cluster = {
    namespace: 'default',
    server: 'test',
    getPod: async () => ({}),
    logs: async () => ({ text: '' }),
    exec: async (_pod, _c, argv) => {
      calls.push(argv);
      return argv[1] === '-h' ? { ok: true, output: 'startorder-entrypoint status [-run_dir D]\n' } : { ok: true, output: '{"v":1,"containers":{}}\n' };
    },
  };
  const live = { spec: pod, status: { containerStatuses: [{ name: 'db', state: { running: {} } }] } };
  const extra = await gather(cluster, 'web-1', live, true);
  assert.deepEqual(
    calls.map((a) => a.slice(0, 2)),
    [
      ['/startorder/bin/startorder-entrypoint', '-h'],
      ['/startorder/bin/startorder-entrypoint', 'status'],
    ],
  );
  assert.match(extra.statusFilesNote, /^read/);
});
