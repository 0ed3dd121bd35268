/**
 * Readiness that works in both modes: what the spec allows either runs (wrapper flags, a kubelet
 * startupProbe that probes the pod and not the node) or is refused at plan time with a located error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers.js';
import { c, deployment, run, specYaml } from './pods.js';

type O = Record<string, any>;
const NATIVE = { mode: 'native', kubernetesVersion: '1.34' };
const proxyFirst = (ready: O, extra: O = {}) =>
  specYaml(
    [
      { name: 'proxy', ready },
      { name: 'app', after: ['proxy'] },
    ],
    extra,
  );
const pods = (proxy: O = {}, podExtra: O = {}) => deployment([c('app', { ports: [{ name: 'http', containerPort: 8080 }] }), c('proxy', proxy)], podExtra);

test('native: a server on all addresses is probed at the pod IP (no host in the startupProbe)', () => {
  for (const host of [undefined, '0.0.0.0', '::']) {
    const { errors, container } = run(pods(), proxyFirst({ httpGet: { port: 15021, path: '/ready', ...(host ? { host } : {}) } }, NATIVE));
    assert.deepEqual(errors, []);
    assert.deepEqual(container('proxy').startupProbe.httpGet, { port: 15021, path: '/ready' });
    const tcp = run(pods(), proxyFirst({ tcpSocket: { port: 9000, ...(host ? { host } : {}) } }, NATIVE));
    assert.deepEqual(tcp.container('proxy').startupProbe.tcpSocket, { port: 9000 });
  }
});

test('native: a loopback-only server is probed from inside the container through the wrapper', () => {
  const ready = { httpGet: { port: 15021, path: 'ready', host: '127.0.0.1', httpHeaders: [{ name: 'X-Probe', value: 'a $(B)' }] } };
  const { errors, container, pod } = run(pods(), proxyFirst(ready, NATIVE));
  assert.deepEqual(errors, []);
  const probe = container('proxy').startupProbe;
  assert.equal(probe.httpGet, undefined);
  assert.deepEqual(probe.exec.command, ['/startorder/bin/entrypoint', 'probe', 'http', 'http://127.0.0.1:15021/ready', '-header', 'X-Probe: a $$(B)']);
  assert.ok(container('proxy').volumeMounts.some((m: O) => m.name === 'startorder-bin' && m.readOnly === true));
  assert.ok(pod!.volumes.some((v: O) => v.name === 'startorder-bin'));
  assert.ok(container('startorder-init'));
  const tcp = run(pods(), proxyFirst({ tcpSocket: { port: 'admin', host: '::1' } }, NATIVE));
  // a named port is resolved for the exec probe; the container declares it
  const withPort = run(pods({ ports: [{ name: 'admin', containerPort: 9901 }] }), proxyFirst({ tcpSocket: { port: 'admin', host: '::1' } }, NATIVE));
  assert.deepEqual(withPort.errors, []);
  assert.deepEqual(withPort.container('proxy').startupProbe.exec.command, ['/startorder/bin/entrypoint', 'probe', 'tcp', '[::1]:9901']);
  assert.deepEqual(
    tcp.errors.map((e) => e.code),
    ['readiness-port-unknown'],
  );
});

test("native in a hostNetwork pod: the node's loopback is the pod's, so the kubelet probe keeps the host", () => {
  const { errors, container } = run(pods({}, { hostNetwork: true }), proxyFirst({ tcpSocket: { port: 9101, host: '127.0.0.1' } }, NATIVE));
  assert.deepEqual(errors, []);
  assert.deepEqual(container('proxy').startupProbe.tcpSocket, { port: 9101, host: '127.0.0.1' });
});

test('wrapper: httpHeaders become -ready_http_header, named ports are resolved against the same container', () => {
  const ready = {
    httpGet: {
      port: 'admin',
      path: '/healthz',
      httpHeaders: [
        { name: 'Host', value: 'x.local' },
        { name: 'X-A', value: '1' },
      ],
    },
  };
  const { errors, flags } = run(pods({ ports: [{ name: 'admin', containerPort: 15000 }] }), proxyFirst(ready, { mode: 'wrapper' }));
  assert.deepEqual(errors, []);
  const f = flags('proxy');
  assert.equal(f.flags.ready_http, 'http://127.0.0.1:15000/healthz');
  assert.deepEqual(
    f.all.filter(([k]) => k === 'ready_http_header').map(([, v]) => v),
    ['Host: x.local', 'X-A: 1'],
  );
  const v6 = run(pods(), proxyFirst({ tcpSocket: { port: 7000, host: '::1' } }, { mode: 'wrapper' }));
  assert.equal(v6.flags('proxy').flags.ready_tcp, '[::1]:7000');
});

async function diagnose(input: string, spec: string) {
  const r = await runCli(['--error-format', 'json', '-c', 'spec.yaml', 'in.yaml'], { 'in.yaml': input, 'spec.yaml': spec });
  return { ...r, diags: r.stderr ? (JSON.parse(r.stderr) as O[]) : [] };
}

const specText = (ready: string, mode = 'wrapper') => `apiVersion: startorder.dev/v1alpha1
kind: StartOrder
metadata: {name: s}
spec:
  mode: ${mode}
  kubernetesVersion: "1.34"
  containers:
  - name: proxy
    ready:
${ready}
  - name: app
    after: [proxy]
`;

test('wrapper: HTTPS is refused at plan time, located at the scheme, with a fix', async () => {
  const r = await diagnose(pods(), specText('      httpGet: {port: 8443, scheme: HTTPS}'));
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const d = r.diags.find((x) => x.code === 'readiness-unsupported');
  assert.ok(d, r.stderr);
  assert.deepEqual([d.file, d.line, d.column, d.workload, d.container], ['spec.yaml', 10, 37, 'Deployment/web', 'proxy']);
  assert.deepEqual(d.path, ['spec', 'containers', 0, 'ready', 'httpGet', 'scheme']);
  assert.match(d.hint, /exec|native/);
  // native mode lets the kubelet probe HTTPS at the pod IP
  const native = await diagnose(pods(), specText('      httpGet: {port: 8443, scheme: HTTPS}', 'native'));
  assert.equal(native.code, 0, native.stderr);
});

test('a DNS host name is refused in both modes (readiness is pod-local)', async () => {
  for (const mode of ['wrapper', 'native']) {
    const r = await diagnose(pods(), specText('      tcpSocket: {port: 5432, host: db.example.com}', mode));
    assert.equal(r.code, 1, mode);
    const d = r.diags.find((x) => x.code === 'readiness-unsupported');
    assert.ok(d, r.stderr);
    assert.deepEqual(d.path, ['spec', 'containers', 0, 'ready', 'tcpSocket', 'host']);
    assert.equal(d.line, 10);
    assert.equal(d.container, 'proxy');
    assert.ok(d.hint);
  }
});

test("a named port that is unknown, or is another container's, is a located error in both modes", async () => {
  for (const mode of ['wrapper', 'native']) {
    const unknown = await diagnose(pods(), specText('      httpGet: {port: metrics, path: /healthz}', mode));
    assert.equal(unknown.code, 1);
    const d = unknown.diags.find((x) => x.code === 'readiness-port-unknown');
    assert.ok(d, unknown.stderr);
    assert.deepEqual(d.path, ['spec', 'containers', 0, 'ready', 'httpGet', 'port']);
    assert.deepEqual([d.line, d.container, d.workload], [10, 'proxy', 'Deployment/web']);
    const other = await diagnose(pods(), specText('      httpGet: {port: http, path: /healthz}', mode));
    const o = other.diags.find((x) => x.code === 'readiness-port-unknown');
    assert.ok(o, other.stderr);
    assert.match(o.message, /"app"/);
  }
});

test('text diagnostics carry file:line:col, the workload, the container and a fix line', async () => {
  const r = await runCli(['-c', 'spec.yaml', 'in.yaml'], { 'in.yaml': pods(), 'spec.yaml': specText('      httpGet: {port: 8443, scheme: HTTPS}') });
  assert.match(r.stderr, /^spec\.yaml:10:37: error\[readiness-unsupported\]: .*\(Deployment\/web, container "proxy"\)/m);
  assert.match(r.stderr, /^ {2}fix: /m);
});
