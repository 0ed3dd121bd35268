/**
 * POST /validate over HTTPS: StartOrders as `kubectl apply` sends them (CREATE, UPDATE), judged with
 * the CLI's diagnostics (path and fix in the message); and the serving certificate rotated on disk
 * (a Secret volume's `..data` symlink swapped) served without a restart.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startWebhook } from '../src/webhook/command.js';
import { webhookServer, type WebhookServer } from '../src/webhook/server.js';
import { FakeApi } from './webhook-api.js';
import { call, loopbackCerts, review, startOrder } from './webhook-fixtures.js';

const VALID = {
  selector: { matchLabels: { app: 'web' } },
  containers: [
    { name: 'db-proxy', ready: { tcpSocket: { port: 5432 } } },
    { name: 'app', after: ['db-proxy'] },
  ],
};

describe('/validate', () => {
  let ca: string;
  let port: number;
  let server: WebhookServer;
  const orders: any[] = [];
  const store = { list: (ns: string) => orders.filter((o) => o.metadata.namespace === ns), synced: () => true };
  const validate = async (so: any, operation = 'CREATE') => {
    const r = await call(port, ca, 'POST', '/validate', JSON.stringify(review(so, { group: 'startorder.dev', resource: 'startorders', operation })));
    assert.equal(r.status, 200, r.body);
    return r.json.response;
  };

  before(async () => {
    const c = await loopbackCerts();
    ca = c.caCert;
    server = webhookServer({ cert: c.cert, key: c.key, store, mutate: { defaults: {}, onError: 'allow' }, log: () => undefined });
    port = (await server.listen(0, '127.0.0.1')).port;
  });
  after(() => server.close());

  it('a fine StartOrder is allowed; names the pods may not have yet are no error here', async () => {
    orders.splice(0, orders.length, startOrder('db', { ...VALID, selector: { matchLabels: { app: 'db' } } }));
    const res = await validate(startOrder('web', { ...VALID, containers: [VALID.containers[0], { name: 'app', after: ['db-proxy', 'istio-proxy'] }] }));
    assert.equal(res.allowed, true, JSON.stringify(res));
  });

  it('a cycle: denied at spec.containers[i].after with the fix', async () => {
    orders.length = 0;
    const res = await validate(
      startOrder('web', {
        containers: [
          { name: 'a', after: ['b'] },
          { name: 'b', after: ['a'] },
        ],
      }),
    );
    assert.equal(res.allowed, false);
    assert.match(res.status.message, /spec\.containers\[0\]\.after: error\[cycle\]: the order has a cycle: a → b → a/);
    assert.match(res.status.message, /\nfix: /);
  });

  it('an unknown condition: denied at the condition, as the CLI says it (schema)', async () => {
    orders.length = 0;
    const res = await validate(startOrder('web', { containers: [{ name: 'a' }, { name: 'b', after: [{ name: 'a', condition: 'Healthy' }] }] }));
    assert.equal(res.allowed, false);
    assert.match(res.status.message, /spec\.containers\[1\]\.after\[0\]\.condition: error\[spec-invalid\]/);
  });

  it('In without values: denied at the values', async () => {
    orders.length = 0;
    const res = await validate(startOrder('web', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, containers: [{ name: 'a' }] }));
    assert.equal(res.allowed, false);
    assert.match(res.status.message, /spec\.selector\.matchExpressions\[0\]\.values: error\[spec-invalid\]/);
  });

  it('ambiguous overlap with another StartOrder of the namespace: denied, naming it; disjoint or elsewhere: allowed', async () => {
    orders.splice(0, orders.length, startOrder('everything', { containers: [{ name: 'a' }] }, 'other-ns'), startOrder('web-old', VALID));
    const res = await validate(startOrder('web', { ...VALID, selector: { matchLabels: { app: 'web', tier: 'frontend' } } }));
    assert.equal(res.allowed, false);
    assert.match(res.status.message, /spec\.selector: error\[spec-ambiguous\]: ambiguous overlap: StartOrder web-old/);
    const disjoint = await validate(startOrder('db', { ...VALID, selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }));
    assert.equal(disjoint.allowed, true, JSON.stringify(disjoint));
  });

  it('an UPDATE is not an overlap with its own earlier version', async () => {
    orders.splice(0, orders.length, startOrder('web', VALID));
    assert.equal((await validate(startOrder('web', VALID), 'UPDATE')).allowed, true);
  });

  it('not a StartOrder: allowed with a warning', async () => {
    const res = await validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } });
    assert.equal(res.allowed, true);
    assert.match(res.warnings[0], /StartOrders only/);
  });
});

describe('certificate rotation', () => {
  let api: FakeApi;
  let kubeconfig: string;
  before(async () => {
    api = new FakeApi();
    kubeconfig = await api.start();
  });
  after(() => api.stop());

  /** The certificate the server presents to a new connection (its fingerprint). */
  const served = (port: number, ca: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.end();
      });
      s.on('error', reject);
    });

  it('a Secret volume update (the ..data symlink swapped) is served to new connections, without a restart', async () => {
    const [one, two] = await Promise.all([loopbackCerts(), loopbackCerts()]);
    // the layout of a Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..2026_12_01_1
    const dir = mkdtempSync(join(tmpdir(), 'startorder-secret-'));
    const version = (name: string, c: { cert: string; key: string }) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'tls.crt'), c.cert);
      writeFileSync(join(dir, name, 'tls.key'), c.key);
    };
    version('..v1', one);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(dir, 'tls.key'));
    const hook = await startWebhook(
      { port: 0, host: '127.0.0.1', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), onError: 'allow', kubeconfig, kubernetesVersion: '1.33' },
      { log: () => undefined, reloadMs: 50 },
    );
    try {
      const first = await served(hook.port, one.caCert);
      version('..v2', two);
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data')); // atomic, as the kubelet does
      // polled every 50 ms here; until then, new connections still get the first certificate
      let now = first;
      for (let i = 0; i < 100 && now === first; i++) {
        await new Promise((r) => setTimeout(r, 50));
        now = await served(hook.port, two.caCert).catch(() => first);
      }
      assert.notEqual(now, first);
      assert.equal((await call(hook.port, two.caCert, 'GET', '/healthz')).status, 200);
      await assert.rejects(call(hook.port, one.caCert, 'GET', '/healthz'), 'the old CA no longer verifies the server');
    } finally {
      await hook.close();
    }
  });
});
