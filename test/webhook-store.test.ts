/**
 * The StartOrder store against a Kubernetes API server on loopback (test/webhook-api.ts): the first
 * list, watch events, a connection cut mid-stream (watch again from the last resourceVersion), a 410
 * Gone (list again), a failing list (back-off, then ready), and /readyz of the webhook before and
 * after the first list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWebhook } from '../src/webhook/command.js';
import { kubeTransport } from '../src/webhook/kube.js';
import { StartOrderStore } from '../src/webhook/store.js';
import { FakeApi, LIST_PATH, until } from './webhook-api.js';
import { call, loopbackCerts } from './webhook-fixtures.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const so = (name: string, rv: string, ns = 'shop') => ({
  apiVersion: 'startorder.dev/v1alpha1',
  kind: 'StartOrder',
  metadata: { name, namespace: ns, resourceVersion: rv },
  spec: { containers: [{ name: 'app' }] },
});
const names = (s: StartOrderStore, ns = 'shop') =>
  s
    .list(ns)
    .map((o: any) => o.metadata.name)
    .sort();
const quiet = () => undefined;

describe('the StartOrder store (list + watch)', () => {
  let api: FakeApi;
  let kubeconfig: string;
  before(async () => {
    api = new FakeApi();
    kubeconfig = await api.start();
  });
  after(() => api.stop());

  it('lists, follows watch events, watches again after a cut mid-stream, lists again after 410 Gone', async () => {
    api.items = [so('a', '5'), so('b', '6'), so('other', '7', 'elsewhere')];
    api.resourceVersion = '10';
    const store = new StartOrderStore({ transport: await kubeTransport(kubeconfig), log: quiet, initialBackoffMs: 20, maxBackoffMs: 100 });
    assert.equal(store.synced(), false);
    store.start();
    try {
      const w0 = await api.watchAt(0);
      assert.equal(store.synced(), true);
      assert.deepEqual(names(store), ['a', 'b']);
      assert.deepEqual(names(store, 'elsewhere'), ['other']);
      assert.equal(w0.query.get('resourceVersion'), '10');
      assert.equal(api.requests.find((r) => r.path === LIST_PATH)?.auth, 'Bearer test-token');

      w0.send('ADDED', so('c', '11'));
      w0.send('MODIFIED', { ...so('a', '12'), spec: { containers: [{ name: 'changed' }] } });
      w0.send('DELETED', so('b', '13'));
      w0.send('BOOKMARK', { kind: 'StartOrder', apiVersion: 'startorder.dev/v1alpha1', metadata: { resourceVersion: '14' } });
      await until(() => names(store).join() === 'a,c', 'the events applied');
      assert.equal((store.list('shop').find((o: any) => o.metadata.name === 'a') as any).spec.containers[0].name, 'changed');

      w0.cut();
      const w1 = await api.watchAt(1);
      assert.equal(w1.query.get('resourceVersion'), '14', 'watched again from the last resourceVersion (the bookmark)');
      assert.equal(store.stats.lists, 1, 'a cut watch is not a reason to list again');
      assert.deepEqual(names(store), ['a', 'c']);

      api.items = [so('a', '20'), so('d', '21')];
      api.resourceVersion = '22';
      w1.send('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 14 (20)', reason: 'Expired', code: 410 });
      const w2 = await api.watchAt(2);
      assert.equal(store.stats.lists, 2, 'a 410 lists again');
      assert.equal(w2.query.get('resourceVersion'), '22');
      assert.deepEqual(names(store), ['a', 'd'], 'the list replaced what the store had (c is gone)');

      w2.end(); // the server's timeoutSeconds: watch again, same resourceVersion
      const w3 = await api.watchAt(3);
      assert.equal(w3.query.get('resourceVersion'), '22');
    } finally {
      await store.stop();
    }
  });

  it('a failing list is retried with back-off; not synced until one succeeds; --namespace-scope lists one namespace', async () => {
    api.items = [so('a', '5'), so('other', '7', 'elsewhere')];
    api.listFailures = [500, 503];
    const before = api.requests.length;
    const store = new StartOrderStore({ transport: await kubeTransport(kubeconfig), namespace: 'shop', log: quiet, initialBackoffMs: 10 });
    store.start();
    try {
      await until(() => store.synced(), 'synced');
      const lists = api.requests.slice(before).filter((r) => r.path.endsWith('/startorders') && !r.query.get('watch'));
      assert.equal(lists.length, 3);
      assert.ok(lists.every((r) => r.path === '/apis/startorder.dev/v1alpha1/namespaces/shop/startorders'));
      assert.deepEqual(names(store), ['a']);
      assert.deepEqual(names(store, 'elsewhere'), []);
      assert.equal(store.stats.errors, 2);
    } finally {
      await store.stop();
    }
  });

  it('/readyz answers 503 until the first list has synced, then 200; /healthz is 200 throughout', async () => {
    const certs = await loopbackCerts();
    const dir = mkdtempSync(join(tmpdir(), 'startorder-tls-'));
    writeFileSync(join(dir, 'tls.crt'), certs.cert);
    writeFileSync(join(dir, 'tls.key'), certs.key);
    let release!: () => void;
    api.listGate = new Promise((r) => (release = r));
    const hook = await startWebhook(
      { port: 0, host: '127.0.0.1', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), onError: 'allow', kubeconfig },
      { log: quiet },
    );
    try {
      assert.equal((await call(hook.port, certs.caCert, 'GET', '/healthz')).status, 200);
      assert.equal((await call(hook.port, certs.caCert, 'GET', '/readyz')).status, 503);
      release();
      await until(() => hook.store.synced(), 'synced');
      await until(() => hook.defaults.kubernetesVersion !== undefined, 'the version read');
      assert.equal((await call(hook.port, certs.caCert, 'GET', '/readyz')).status, 200);
      assert.equal(hook.defaults.kubernetesVersion, '1.33', 'from /version (gitVersion v1.33.1)');
    } finally {
      api.listGate = undefined;
      await hook.close();
    }
  });
});
