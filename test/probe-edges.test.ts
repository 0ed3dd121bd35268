/**
 * Probe edges (issue 11): a dependency with `ready` is waited for by the dependent's wrapper probing
 * it, for a container startorder does not rewrite (not in the pod: injected later; or wrap: false).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../src/render/explain.js';
import { dot, mermaid, viewOf } from '../src/render/graph.js';
import { runCli } from './helpers.js';
import { c, deployment, job, run, specYaml } from './pods.js';

type O = Record<string, any>;
const ISTIO = { name: 'istio-proxy', ready: { httpGet: { port: 15021, path: '/healthz/ready' } } };
const appAfterIstio = (extra: O = {}) => specYaml([{ name: 'app', after: [ISTIO] }], extra);

for (const mode of [{ mode: 'wrapper' }, { mode: 'native', kubernetesVersion: '1.34' }, { mode: 'auto', kubernetesVersion: '1.34' }]) {
  test(`${mode.mode}: the app probes istio-proxy, which the pod does not have yet`, () => {
    const { errors, container, flags, pod, r } = run(deployment([c('app')]), appAfterIstio(mode));
    assert.deepEqual(errors, []);
    assert.deepEqual(flags('app').all, [
      ['status_dir', '/startorder/run/app'],
      ['restart_policy', 'Always'],
      ['wait_probe_http', 'istio-proxy=http://127.0.0.1:15021/healthz/ready'],
      ['termination_path', '/dev/termination-log'],
    ]);
    assert.deepEqual(container('app').command, ['/startorder/bin/entrypoint']);
    assert.deepEqual(
      pod!.initContainers.map((x: O) => x.name),
      ['startorder-init'],
    );
    const plan = r.plans[0]!;
    assert.deepEqual(plan.external, ['istio-proxy']);
    assert.deepEqual(viewOf(plan).edges, [{ dep: 'istio-proxy', dependent: 'app', condition: 'Ready', mechanism: 'probe' }]);
  });
}

test('tcpSocket and exec probes; the dependent waits for wrapped containers and probes in one wrapper', () => {
  const spec = specYaml(
    [
      { name: 'db', ready: { tcpSocket: { port: 5432 } } },
      {
        name: 'app',
        after: [
          'db',
          { name: 'vault-agent', ready: { exec: { command: ['sh', '-c', 'test -f /vault/secrets/$(X)'] } } },
          { name: 'cache', ready: { tcpSocket: { port: 6379, host: '::1' } } },
        ],
        waitTimeoutSeconds: 120,
      },
    ],
    { mode: 'wrapper' },
  );
  const { errors, flags } = run(deployment([c('app'), c('db')]), spec);
  assert.deepEqual(errors, []);
  const f = flags('app').all;
  assert.deepEqual(
    f.filter(([k]) => k.startsWith('wait_')),
    [
      ['wait_status', '/startorder/run/db/ready'],
      ['wait_probe_exec', 'vault-agent=["sh","-c","test -f /vault/secrets/$$(X)"]'],
      ['wait_probe_tcp', 'cache=[::1]:6379'],
      ['wait_timeout', '120s'],
    ],
  );
});

test('wrap: false: the container is left byte for byte as it is; the dependent probes it', () => {
  const proxy = c('envoy', { ports: [{ name: 'admin', containerPort: 9901 }] });
  const spec = specYaml(
    [
      { name: 'envoy', wrap: false },
      { name: 'app', after: [{ name: 'envoy', ready: { httpGet: { port: 'admin', path: 'ready' } } }] },
    ],
    {
      mode: 'native',
      kubernetesVersion: '1.34',
    },
  );
  const { errors, container, flags, r } = run(deployment([c('app'), proxy]), spec);
  assert.deepEqual(errors, []);
  assert.deepEqual(container('envoy'), proxy);
  assert.equal(flags('app').flags.wait_probe_http, 'envoy=http://127.0.0.1:9901/ready');
  assert.deepEqual(r.plans[0]!.external, []);
  assert.match(
    explain(r.plans),
    /app starts after envoy is ready: the wrapper probes it directly \(http 127\.0\.0\.1:9901\/ready; envoy is left as it is \(wrap: false\)\)/,
  );
});

test('a probe of a container that is in the pod: the probe is used, the dependency is not rewritten for it', () => {
  const probeProxy = { name: 'app', after: [{ name: 'proxy', ready: { tcpSocket: { port: 1 } } }] };
  const alone = run(deployment([c('app'), c('proxy')]), specYaml([probeProxy], { mode: 'wrapper' }));
  assert.deepEqual(alone.errors, []);
  assert.deepEqual(alone.container('proxy'), c('proxy'));
  assert.equal(alone.flags('app').flags.wait_probe_tcp, 'proxy=127.0.0.1:1');
  // wrapped for an edge of its own: it holds no SIGTERM for the app, which only probes it
  const wrapped = run(deployment([c('app'), c('proxy'), c('db')]), specYaml([{ name: 'proxy', after: ['db'] }, probeProxy], { mode: 'wrapper' }));
  assert.deepEqual(wrapped.errors, []);
  assert.equal(wrapped.flags('proxy').flags.wait_status, '/startorder/run/db/ready');
  assert.equal(wrapped.flags('proxy').flags.stop_after, undefined);
  assert.equal(wrapped.flags('app').flags.wait_probe_tcp, 'proxy=127.0.0.1:1');
});

test('errors: unknown name without a probe, Completed by probe, wrap: false waited for without a probe or waiting itself', () => {
  const codes = (input: string, spec: string) => run(input, spec).errors.map((e) => [e.code, e.path?.slice(-3).join('.')]);
  assert.deepEqual(codes(deployment([c('app')]), specYaml([{ name: 'app', after: ['istio-proxy'] }])), [['unknown-container', '0.after.0']]);
  assert.deepEqual(codes(job([c('app')]), specYaml([{ name: 'app', after: [{ ...ISTIO, condition: 'Completed' }] }])), [
    ['probe-invalid', 'after.0.condition'],
  ]);
  assert.deepEqual(
    codes(
      deployment([c('app'), c('proxy')]),
      specYaml([
        { name: 'proxy', wrap: false },
        { name: 'app', after: ['proxy'] },
      ]),
    ),
    [['unwrapped-dependency', '1.after.0']],
  );
  assert.deepEqual(
    codes(deployment([c('app'), c('proxy')]), specYaml([{ name: 'app', wrap: false, after: [{ name: 'proxy', ready: { tcpSocket: { port: 1 } } }] }])),
    [['unwrapped-waits', 'containers.0.wrap']],
  );
  assert.deepEqual(codes(deployment([c('app'), c('proxy')]), specYaml([{ name: 'proxy', wrap: false, ready: { tcpSocket: { port: 1 } } }])), [
    ['unwrapped-waits', 'containers.0.ready'],
  ]);
  // what the wrapper cannot do: HTTPS, headers, DNS names, a named port of a container the pod lacks
  const probe = (ready: O) => codes(deployment([c('app')]), specYaml([{ name: 'app', after: [{ name: 'istio-proxy', ready }] }]));
  assert.deepEqual(probe({ httpGet: { port: 1, scheme: 'HTTPS' } }), [['readiness-unsupported', 'ready.httpGet.scheme']]);
  assert.deepEqual(probe({ httpGet: { port: 1, httpHeaders: [{ name: 'a', value: 'b' }] } }), [['readiness-unsupported', 'ready.httpGet.httpHeaders']]);
  assert.deepEqual(probe({ tcpSocket: { port: 1, host: 'istio.local' } }), [['readiness-unsupported', 'ready.tcpSocket.host']]);
  assert.deepEqual(probe({ tcpSocket: { port: 'status' } }), [['readiness-port-unknown', 'ready.tcpSocket.port']]);
  // the schema: a probe is one of httpGet, tcpSocket, exec
  assert.deepEqual([...new Set(probe({ file: '/x' }).map(([k]) => k))], ['spec-invalid']);
});

test('native: a sidecar that probes cannot become a native sidecar (its wrapper runs the probe)', () => {
  const spec = specYaml(
    [
      { name: 'db-proxy', after: [ISTIO] },
      { name: 'app', after: ['db-proxy'] },
    ],
    { mode: 'native', kubernetesVersion: '1.34' },
  );
  const native = run(deployment([c('app'), c('db-proxy')]), spec);
  assert.deepEqual(
    native.errors.map((e) => [e.code, e.container]),
    [['native-impossible', 'db-proxy']],
  );
  assert.match(native.errors[0]!.message, /by probe/);
  const auto = run(deployment([c('app'), c('db-proxy')]), spec.replace('"native"', '"auto"'));
  assert.deepEqual(auto.errors, []);
  assert.equal(auto.flags('db-proxy').flags.wait_probe_http, 'istio-proxy=http://127.0.0.1:15021/healthz/ready');
  assert.equal(auto.flags('app').flags.wait_status, '/startorder/run/db-proxy/ready');
});

test('a probe edge is drawn (external node, dotted edge) and explained', () => {
  const { r } = run(deployment([c('app')]), appAfterIstio({ mode: 'wrapper' }));
  const view = viewOf(r.plans[0]!);
  assert.deepEqual(
    view.nodes.find((n) => n.name === 'istio-proxy'),
    { name: 'istio-proxy', role: 'not in the pod (injected)', list: 'containers', external: true },
  );
  assert.match(mermaid([view]), /w0_istio_proxy\{\{"istio-proxy<br\/><small>not in the pod \(injected\)<\/small>"\}\}/);
  assert.match(mermaid([view]), /w0_istio_proxy -\.->\|Ready · probe\| w0_app/);
  assert.match(dot([view]), /"0\/istio-proxy" \[label="istio-proxy\\nnot in the pod \(injected\)", style=dashed\]/);
  assert.match(dot([view]), /"0\/istio-proxy" -> "0\/app" \[label="Ready \(probe\)", style=dashed\]/);
  assert.match(
    explain(r.plans),
    /app starts after istio-proxy is ready: the wrapper probes it directly \(http 127\.0\.0\.1:15021\/healthz\/ready; istio-proxy is not in the pod \(injected later\)\)/,
  );
});

test('graph and explain of the output alone; revert gives the input back; a second run changes nothing', async () => {
  const files = { 'in.json': deployment([c('app')]), 'spec.yaml': appAfterIstio({ mode: 'wrapper' }) };
  const out = await runCli(['-c', 'spec.yaml', 'in.json'], files);
  assert.equal(out.code, 0, out.stderr);
  const g = await runCli(['graph', '--format', 'json', 'out.yaml'], { 'out.yaml': out.stdout });
  const view = (JSON.parse(g.stdout) as O[])[0]!;
  assert.deepEqual(view.edges, [{ dep: 'istio-proxy', dependent: 'app', condition: 'Ready', mechanism: 'probe' }]);
  assert.equal(view.nodes.find((n: O) => n.name === 'istio-proxy').external, true);
  const again = await runCli(['-c', 'spec.yaml', 'out.yaml'], { ...files, 'out.yaml': out.stdout });
  assert.equal(again.stdout, out.stdout);
  const back = await runCli(['revert', 'out.yaml'], { 'out.yaml': out.stdout });
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(JSON.parse(JSON.stringify((await import('yaml')).parse(back.stdout))), JSON.parse(files['in.json']));
});

test('the gate still holds a container whose only dependencies are probed', () => {
  const spec = specYaml([{ name: 'app', after: [ISTIO] }], { mode: 'wrapper', gate: { annotation: 'example.com/released' } });
  const { errors, flags } = run(deployment([c('app')]), spec);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    flags('app').all.filter(([k]) => k.startsWith('wait_')),
    [
      ['wait_file', '/startorder/downward/ready'],
      ['wait_file_content', true],
      ['wait_probe_http', 'istio-proxy=http://127.0.0.1:15021/healthz/ready'],
    ],
  );
});

test('istio-proxy injected after the rewrite (admission): a second run leaves it alone and the app as it was', async () => {
  const { parse, stringify } = await import('yaml');
  const files = { 'in.json': deployment([c('app')]), 'spec.yaml': appAfterIstio({ mode: 'native', kubernetesVersion: '1.34' }) };
  const out = await runCli(['-c', 'spec.yaml', 'in.json'], files);
  assert.equal(out.code, 0, out.stderr);
  const injected = parse(out.stdout) as O;
  const pod = injected.spec.template.spec;
  const proxy = {
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.27.0',
    args: ['proxy', 'sidecar'],
    ports: [{ containerPort: 15021, name: 'status-port' }],
  };
  pod.containers.push(proxy);
  pod.initContainers.unshift({ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.27.0', args: ['istio-iptables'] });
  const again = await runCli(['-c', 'spec.yaml', 'pod.yaml'], { ...files, 'pod.yaml': stringify(injected) });
  assert.equal(again.code, 0, again.stderr);
  const after = (parse(again.stdout) as O).spec.template.spec;
  assert.deepEqual(
    after.containers.find((x: O) => x.name === 'istio-proxy'),
    proxy,
  );
  assert.deepEqual(
    after.containers.find((x: O) => x.name === 'app'),
    pod.containers.find((x: O) => x.name === 'app'),
  );
  // startorder-init goes first again, as in every rewrite (it only copies the wrapper)
  assert.deepEqual(
    after.initContainers.map((x: O) => x.name),
    ['startorder-init', 'istio-init'],
  );
});

test('a Job: a wrapped sidecar does not wait for the exit of a wrap: false main (it writes no status files)', () => {
  const spec = specYaml([{ name: 'proxy' }, { name: 'tests', after: ['proxy'] }, { name: 'legacy', wrap: false }], { mode: 'wrapper' });
  const { errors, flags, container } = run(job([c('tests'), c('proxy'), c('legacy')], 'Never'), spec);
  assert.deepEqual(errors, []);
  assert.equal(flags('proxy').flags.exit_with, '/startorder/run/tests/exited');
  assert.deepEqual(container('legacy'), c('legacy'));
});

test('wrap: false may name a container the pod does not have yet (injected at admission); waiting for it still needs a probe', () => {
  const ok = run(
    deployment([c('app')]),
    specYaml(
      [
        { name: 'istio-proxy', wrap: false },
        { name: 'app', after: [ISTIO] },
      ],
      { mode: 'wrapper' },
    ),
  );
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.flags('app').flags.wait_probe_http, 'istio-proxy=http://127.0.0.1:15021/healthz/ready');
  const waits = run(deployment([c('app')]), specYaml([{ name: 'app' }, { name: 'istio-proxy', wrap: false, after: ['app'] }], { mode: 'wrapper' }));
  assert.deepEqual(
    waits.errors.map((e) => e.code),
    ['unknown-container'],
  );
});
