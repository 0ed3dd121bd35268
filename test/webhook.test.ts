/**
 * The admission webhook over real HTTPS on loopback (certificate made by openssl), with
 * AdmissionReview bodies as the apiserver sends them. The StartOrders come from an in-memory list
 * (the store is tested in webhook-store.test.ts); what /mutate answers is checked by applying its
 * JSON Patch to the Pod and comparing with what the pipeline itself writes for that Pod.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { transform } from '../src/pipeline/index.js';
import { BODY_LIMIT, webhookServer, type WebhookServer } from '../src/webhook/server.js';
import { applyPatch, call, loopbackCerts, patchOf, replicaSetPod, review, startOrder } from './webhook-fixtures.js';

const SPEC = {
  selector: { matchLabels: { app: 'web' } },
  containers: [
    { name: 'db-proxy', ready: { tcpSocket: { port: 5432 } } },
    { name: 'app', after: ['db-proxy'] },
  ],
};

describe('startorder webhook over HTTPS', () => {
  let ca: string;
  let port: number;
  let server: WebhookServer;
  let denyPort: number;
  let denyServer: WebhookServer;
  const orders: any[] = [];
  const logs: string[] = [];
  const store = { list: (ns: string) => orders.filter((o) => o.metadata.namespace === ns), synced: () => true };
  const mutateWith = async (pod: any, p = port, extra = {}) => {
    const r = await call(p, ca, 'POST', '/mutate', JSON.stringify(review(pod, extra)));
    assert.equal(r.status, 200, r.body);
    return r.json.response;
  };

  before(async () => {
    const c = await loopbackCerts();
    ca = c.caCert;
    server = webhookServer({
      cert: c.cert,
      key: c.key,
      store,
      mutate: { defaults: { kubernetesVersion: '1.33' }, onError: 'allow' },
      log: (l) => logs.push(l),
    });
    port = (await server.listen(0, '127.0.0.1')).port;
    denyServer = webhookServer({ cert: c.cert, key: c.key, store, mutate: { defaults: { kubernetesVersion: '1.33' }, onError: 'deny' }, log: () => undefined });
    denyPort = (await denyServer.listen(0, '127.0.0.1')).port;
  });
  after(() => Promise.all([server.close(), denyServer.close()]));

  for (const mode of ['wrapper', 'native'] as const) {
    it(`/mutate (${mode}): the patch applied to the Pod is exactly what the pipeline writes for it`, async () => {
      orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode }));
      const pod = replicaSetPod();
      const res = await mutateWith(pod);
      assert.equal(res.allowed, true);
      assert.equal(res.patchType, 'JSONPatch');
      assert.equal(res.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
      const patched = applyPatch(pod, patchOf(res));
      const alone = transform([{ name: 'pod.json', text: JSON.stringify(pod) }], {
        specObjects: [{ value: startOrder('web', { ...SPEC, mode, selector: { kinds: ['Pod'] } }) }],
        defaults: { kubernetesVersion: '1.33' },
      });
      const expected = {
        ...JSON.parse(alone.files[0]!.text),
        status: pod.status,
        metadata: { ...JSON.parse(alone.files[0]!.text).metadata, managedFields: pod.metadata.managedFields },
      };
      assert.deepEqual(patched, expected);
      if (mode === 'native')
        assert.deepEqual(
          patched.spec.initContainers.map((c: any) => [c.name, c.restartPolicy]),
          [['db-proxy', 'Always']],
        );
      else assert.equal(patched.spec.containers[0].command[0], '/startorder/bin/entrypoint');
      assert.ok(patched.metadata.annotations['startorder.dev/applied']);
    });
  }

  it('the answer cache: pods of one template with another token volume name get their own right patch', async () => {
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'wrapper' }));
    const renamed = (suffix: string) => {
      const pod = replicaSetPod();
      pod.spec.volumes[0].name = `kube-api-access-${suffix}`;
      for (const c of pod.spec.containers) c.volumeMounts[0].name = pod.spec.volumes[0].name;
      return pod;
    };
    for (const suffix of ['aaaaa', 'b9x2q', 'aaaaa', 'zz001']) {
      const pod = renamed(suffix);
      const patched = applyPatch(pod, patchOf(await mutateWith(pod)));
      const alone = transform([{ name: 'pod.json', text: JSON.stringify(pod) }], {
        specObjects: [{ value: startOrder('web', { ...SPEC, mode: 'wrapper', selector: { kinds: ['Pod'] } }) }],
        defaults: { kubernetesVersion: '1.33' },
      });
      const out = JSON.parse(alone.files[0]!.text);
      assert.deepEqual(patched, { ...out, status: pod.status, metadata: { ...out.metadata, managedFields: pod.metadata.managedFields } });
      assert.ok(JSON.stringify(patched).includes(`kube-api-access-${suffix}`));
      assert.ok(!JSON.stringify(patched).includes('0pl4c'));
    }
  });

  it('reinvocation with a container injected since that the spec does not name: nothing to do, twice', async () => {
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'wrapper' }));
    const first = applyPatch(replicaSetPod(), patchOf(await mutateWith(replicaSetPod())));
    // another webhook injects a container after startorder ran; the apiserver calls startorder again
    const injected = structuredClone(first);
    injected.spec.containers.push({
      name: 'log-agent',
      image: 'registry.example/agent:1',
      command: ['/agent'],
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    });
    const ops = patchOf(await mutateWith(injected));
    assert.deepEqual(ops, [], 'the spec does not name the new container: what startorder wrote still holds');
    const again = applyPatch(injected, ops);
    const third = await mutateWith(again);
    assert.deepEqual(patchOf(third), [], 'nothing left to do');
    assert.equal(third.patch, undefined);
  });

  it('reinvocation after the spec gained a container that was injected: the patch wraps it, nothing else changes', async () => {
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'wrapper' }));
    const first = applyPatch(replicaSetPod(), patchOf(await mutateWith(replicaSetPod())));
    const injected = structuredClone(first);
    injected.spec.containers.push({ name: 'log-agent', image: 'registry.example/agent:1', command: ['/agent'] });
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'wrapper', containers: [...SPEC.containers, { name: 'log-agent', after: ['app'] }] }));
    const ops = patchOf(await mutateWith(injected));
    const out = applyPatch(injected, ops);
    assert.equal(out.spec.containers[2].command[0], '/startorder/bin/entrypoint');
    assert.deepEqual(out.spec.containers[1], first.spec.containers[1], 'db-proxy untouched');
    assert.ok(!ops.some((o: any) => o.path.startsWith('/spec/containers/1')), ops.map((o: any) => o.path).join(' '));
    assert.deepEqual(patchOf(await mutateWith(out)), []);
  });

  it('a probe edge to istio-proxy (injected by another webhook, before or after startorder): ordered, then nothing left to do', async () => {
    const probe = { name: 'istio-proxy', ready: { httpGet: { port: 15021, path: '/healthz/ready' } } };
    orders.splice(
      0,
      orders.length,
      startOrder('web', { ...SPEC, mode: 'wrapper', containers: [{ ...SPEC.containers[0], after: [probe] }, SPEC.containers[1]] }),
    );
    const istio = {
      name: 'istio-proxy',
      image: 'docker.io/istio/proxyv2:1.24.0',
      args: ['proxy', 'sidecar'],
      ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
    };
    // startorder first: the proxy is not there yet
    const first = applyPatch(replicaSetPod(), patchOf(await mutateWith(replicaSetPod())));
    assert.ok(
      first.spec.containers[1].args.some((a: string) => a.includes('15021')),
      JSON.stringify(first.spec.containers[1].args),
    );
    const injected = structuredClone(first);
    injected.spec.containers.push(istio);
    assert.deepEqual(patchOf(await mutateWith(injected)), [], 'reinvoked after the injection: the proxy is left as it is');
    // the injector first: the same order, the proxy untouched
    const withProxy = replicaSetPod();
    withProxy.spec.containers.push(istio);
    const out = applyPatch(withProxy, patchOf(await mutateWith(withProxy)));
    assert.deepEqual(out.spec.containers[2], istio);
    assert.deepEqual(out.spec.containers[1].args, first.spec.containers[1].args);
  });

  it('a pod that no StartOrder selects, without the annotation: allowed, no patch; dryRun gets the same answer', async () => {
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, selector: { matchLabels: { app: 'other' } } }));
    const res = await mutateWith(replicaSetPod());
    assert.deepEqual(res, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    orders.splice(0, orders.length, startOrder('web', SPEC));
    const [wet, dry] = [await mutateWith(replicaSetPod()), await mutateWith(replicaSetPod(), port, { dryRun: true })];
    assert.deepEqual(patchOf(dry), patchOf(wet));
  });

  it('matchExpressions select the pod (In / NotIn / Exists / DoesNotExist)', async () => {
    const sel = {
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend'] },
        { key: 'app', operator: 'NotIn', values: ['db'] },
        { key: 'app', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, selector: sel }));
    assert.equal((await mutateWith(replicaSetPod())).patchType, 'JSONPatch');
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] } }));
    assert.equal((await mutateWith(replicaSetPod())).patch, undefined);
  });

  it("the pod's own startorder.dev/spec annotation, with no StartOrder", async () => {
    orders.splice(0, orders.length);
    const pod = replicaSetPod({
      annotations: {
        'startorder.dev/spec': 'mode: native\ncontainers:\n  - name: db-proxy\n  - name: app\n    after: [{name: db-proxy, condition: Started}]\n',
      },
    });
    const out = applyPatch(pod, patchOf(await mutateWith(pod)));
    assert.deepEqual(
      out.spec.initContainers.map((c: any) => c.name),
      ['db-proxy'],
    );
  });

  it('two StartOrders select the pod: not changed, one warning naming both', async () => {
    orders.splice(0, orders.length, startOrder('web', SPEC), startOrder('frontend', { ...SPEC, selector: { matchLabels: { tier: 'frontend' } } }));
    const res = await mutateWith(replicaSetPod());
    assert.equal(res.allowed, true);
    assert.equal(res.patch, undefined);
    assert.equal(res.warnings.length, 1);
    assert.match(res.warnings[0], /frontend and web/);
  });

  it('warnings: a non-fatal diagnostic becomes a short admission warning, the pod is still patched', async () => {
    // db-proxy has a startupProbe of its own: as a native sidecar it gets the one built from the spec's ready
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'native' }));
    const pod = replicaSetPod();
    pod.spec.containers[1].startupProbe = { tcpSocket: { port: 5432 }, periodSeconds: 2 };
    const res = await mutateWith(pod);
    assert.equal(res.patchType, 'JSONPatch');
    assert.ok(
      res.warnings.some((w: string) => w.includes('[startup-probe-replaced]')),
      JSON.stringify(res.warnings),
    );
    assert.ok(res.warnings.every((w: string) => w.length <= 120 && !w.includes('\n')));
  });

  it('an error: --on-error allow admits the pod unchanged with the diagnostic; deny refuses it with the path and fix', async () => {
    orders.splice(0, orders.length, startOrder('web', { ...SPEC, mode: 'wrapper' }));
    const pod = replicaSetPod({ command: false }); // wrapper mode needs each command: the images have it, the Pod does not
    const allowed = await mutateWith(pod);
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.patch, undefined);
    assert.ok(
      allowed.warnings.some((w: string) => w.includes('[missing-command]')),
      JSON.stringify(allowed.warnings),
    );
    const denied = await mutateWith(pod, denyPort);
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /^startorder: spec\.containers\[\d\]\S*: error\[missing-command\]/);
    assert.match(denied.status.message, /\nfix: /);
  });

  it('a cycle in the annotation spec is an error (deny) with its place', async () => {
    orders.splice(0, orders.length);
    const pod = replicaSetPod({
      annotations: { 'startorder.dev/spec': 'containers:\n  - {name: app, after: [db-proxy]}\n  - {name: db-proxy, after: [app]}\n' },
    });
    const denied = await mutateWith(pod, denyPort);
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /error\[cycle\]/);
  });

  it('not a Pod: allowed with a warning; an UPDATE: allowed without one', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' }, data: {} };
    const res = await mutateWith(cm, port, { resource: 'configmaps' });
    assert.equal(res.allowed, true);
    assert.match(res.warnings[0], /Pods only/);
    assert.deepEqual(await mutateWith(replicaSetPod(), port, { operation: 'UPDATE' }), { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('bad requests: malformed JSON 400, not an AdmissionReview 400, over 3 MiB 413, wrong method 405, unknown path 404', async () => {
    const bad = await call(port, ca, 'POST', '/mutate', '{"kind": "AdmissionReview", ');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /not JSON/);
    assert.equal((await call(port, ca, 'POST', '/mutate', JSON.stringify({ kind: 'Pod' }))).status, 400);
    assert.equal(
      (await call(port, ca, 'POST', '/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } })))
        .status,
      400,
    );
    const big = await call(port, ca, 'POST', '/mutate', Buffer.alloc(BODY_LIMIT + 10, 0x20));
    assert.equal(big.status, 413);
    assert.equal((await call(port, ca, 'GET', '/mutate')).status, 405);
    assert.equal((await call(port, ca, 'POST', '/healthz', '{}')).status, 405);
    assert.equal((await call(port, ca, 'GET', '/nope')).status, 404);
    // and the server still answers
    assert.equal((await call(port, ca, 'GET', '/healthz')).status, 200);
  });

  it('plain HTTP on the port: a 400 that says HTTPS only, and the server keeps serving', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write('POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}'));
      let t = '';
      s.on('data', (d) => (t += String(d)));
      s.on('close', () => resolve(t));
      s.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /HTTPS only/);
    assert.equal((await call(port, ca, 'GET', '/healthz')).status, 200);
  });

  it('logs one JSON line per admission: uid, namespace, name (generateName*), result, ms', async () => {
    logs.length = 0;
    orders.splice(0, orders.length, startOrder('web', SPEC));
    await mutateWith(replicaSetPod());
    const line = JSON.parse(logs.at(-1)!);
    assert.equal(line.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(line.namespace, 'shop');
    assert.equal(line.name, 'web-6d4cf56db6-*');
    assert.equal(line.result, 'patched');
    assert.equal(typeof line.ms, 'number');
    const metrics = await call(port, ca, 'GET', '/metrics');
    assert.match(metrics.body, /startorder_admissions_total\{path="mutate",result="patched"\} \d+/);
    assert.match(metrics.body, /startorder_admission_duration_seconds_count\{path="mutate"\} \d+/);
  });
});

describe('a draining replica (after SIGTERM)', () => {
  it('answers, and closes each connection after its answer, so the apiserver reconnects to a replica that stays', async () => {
    const { Agent, request } = await import('node:https');
    const c = await loopbackCerts();
    const server = webhookServer({
      cert: c.cert,
      key: c.key,
      store: { list: () => [], synced: () => true },
      mutate: { defaults: {}, onError: 'allow' },
      log: () => undefined,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: c.caCert, agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(review(replicaSetPod())));
      });
    try {
      assert.deepEqual(await get(), { status: 200, connection: 'keep-alive' });
      server.drain();
      assert.deepEqual(await get(), { status: 200, connection: 'close' });
      assert.deepEqual(await get(), { status: 200, connection: 'close' });
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});
