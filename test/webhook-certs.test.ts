/**
 * `startorder webhook certs`: the certificates openssl makes (names, CA, key usage), the dry run's
 * output, and a real run against an API server on loopback: the Secret created then updated, the
 * caBundle of both webhook configurations patched (the previous CA kept in the bundle).
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { certsCommand, parseCertsFlags, type CertsFlags } from '../src/webhook/certs.js';
import { webhookCommand } from '../src/webhook/index.js';
import { kubeTransport } from '../src/webhook/kube.js';
import { makeCertificates, serviceNames } from '../src/webhook/openssl.js';
import { FakeApi } from './webhook-api.js';
import { applyPatch } from './webhook-fixtures.js';

const flags = (extra: string[] = []) => parseCertsFlags(['--namespace', 'startorder-system', ...extra]) as CertsFlags;
const io = () => {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
};
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

describe('webhook certs', () => {
  it('a serving certificate for the Service names, signed by the CA, for serverAuth', async () => {
    const c = await makeCertificates({ dnsNames: serviceNames('startorder-webhook', 'startorder-system'), days: 30 });
    const cert = new X509Certificate(c.cert);
    const ca = new X509Certificate(c.caCert);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(cert.checkIssued(ca), true);
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
    for (const n of ['startorder-webhook.startorder-system.svc', 'startorder-webhook.startorder-system.svc.cluster.local']) assert.equal(cert.checkHost(n), n);
    assert.equal(cert.checkHost('other.startorder-system.svc'), undefined);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(cert.checkPrivateKey(createPrivateKey(c.key)));
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(days >= 29 && days <= 31, String(days));
  });

  it('--dry-run -o yaml prints the Secret and the two patches; -o json the same as JSON; no API call', async () => {
    const { out, io: o } = io();
    assert.equal(await webhookCommand(['certs', '--namespace', 'startorder-system', '--dry-run', '-o', 'yaml'], o), 0);
    const docs = parseAllDocuments(out.stdout).map((d) => d.toJS());
    assert.equal(docs.length, 3);
    const [secret, mutating, validating] = docs;
    assert.equal(secret.kind, 'Secret');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(secret.data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(secret.metadata.name, 'startorder-webhook-tls');
    assert.equal(mutating.kind, 'MutatingWebhookConfiguration');
    assert.equal(validating.kind, 'ValidatingWebhookConfiguration');
    const bundle = mutating.patch.find((p: any) => p.op === 'add').value;
    assert.equal(unb64(bundle), unb64(secret.data['ca.crt']));
    const cert = new X509Certificate(unb64(secret.data['tls.crt']));
    assert.equal(cert.verify(new X509Certificate(unb64(bundle)).publicKey), true);
    const json = io();
    assert.equal(await webhookCommand(['certs', '--namespace', 'ns1', '--service', 'svc', '--secret', 's', '--dry-run', '-o', 'json'], json.io), 0);
    const parsed = JSON.parse(json.out.stdout);
    assert.equal(parsed.secret.metadata.namespace, 'ns1');
    assert.equal(new X509Certificate(unb64(parsed.secret.data['tls.crt'])).checkHost('svc.ns1.svc'), 'svc.ns1.svc');
  });

  it('usage errors: no --namespace, a bad -o, a bad --days (exit 2)', async () => {
    for (const argv of [['certs'], ['certs', '--namespace', 'x', '-o', 'xml'], ['certs', '--namespace', 'x', '--days', '0'], ['certs', '--bogus']]) {
      const { out, io: o } = io();
      assert.equal(await webhookCommand(argv, o), 2, argv.join(' '));
      assert.match(out.stderr, /startorder webhook: /);
    }
  });

  describe('against the API', () => {
    let api: FakeApi;
    let kubeconfig: string;
    const objects = new Map<string, any>();
    const oldCa = Buffer.from('-----BEGIN CERTIFICATE-----\nb2xk\n-----END CERTIFICATE-----\n').toString('base64');
    before(async () => {
      api = new FakeApi();
      kubeconfig = await api.start();
      objects.set('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/startorder', {
        webhooks: [{ name: 'pods.startorder.dev', clientConfig: { service: { name: 'startorder-webhook' }, caBundle: oldCa } }],
      });
      objects.set('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/startorder', {
        webhooks: [{ name: 'startorders.startorder.dev', clientConfig: { service: { name: 'startorder-webhook' } } }],
      });
      api.extra = (req, res, body) => {
        const path = new URL(req.url!, 'http://x').pathname;
        const send = (status: number, v: unknown) => (res.writeHead(status, { 'content-type': 'application/json' }), res.end(JSON.stringify(v)), true);
        if (path === '/version') return false;
        if (req.method === 'GET')
          return objects.has(path) ? send(200, objects.get(path)) : send(404, { kind: 'Status', code: 404, message: `${path} not found` });
        if (req.method === 'POST') {
          const v = JSON.parse(body);
          objects.set(`${path}/${v.metadata.name}`, { ...v, metadata: { ...v.metadata, resourceVersion: '1' } });
          return send(201, v);
        }
        if (req.method === 'PUT') {
          const v = JSON.parse(body);
          if (v.metadata.resourceVersion !== objects.get(path)?.metadata.resourceVersion) return send(409, { kind: 'Status', code: 409, message: 'conflict' });
          objects.set(path, { ...v, metadata: { ...v.metadata, resourceVersion: '2' } });
          return send(200, v);
        }
        if (req.method === 'PATCH') {
          assert.equal(req.headers['content-type'], 'application/json-patch+json');
          objects.set(path, applyPatch(objects.get(path), JSON.parse(body)));
          return send(200, objects.get(path));
        }
        return false;
      };
    });
    after(() => api.stop());

    it('creates the Secret, then updates it; patches caBundle of both configurations, keeping the previous CA', async () => {
      const secretPath = '/api/v1/namespaces/startorder-system/secrets/startorder-webhook-tls';
      const t = await kubeTransport(kubeconfig);
      const first = io();
      assert.equal(await certsCommand(flags(), first.io, t), 0, first.out.stderr);
      assert.match(first.out.stderr, /created/);
      const created = objects.get(secretPath);
      assert.equal(created.type, 'kubernetes.io/tls');
      const mutating = objects.get('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/startorder');
      const bundle = unb64(mutating.webhooks[0].clientConfig.caBundle);
      assert.ok(bundle.startsWith(unb64(created.data['ca.crt'])), 'the new CA first');
      assert.ok(bundle.includes('b2xk'), 'the previous CA still trusted while the pods reload');
      const validating = objects.get('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/startorder');
      assert.equal(unb64(validating.webhooks[0].clientConfig.caBundle), unb64(created.data['ca.crt']));

      const second = io();
      assert.equal(await certsCommand(flags(), second.io, t), 0, second.out.stderr);
      assert.match(second.out.stderr, /updated/);
      assert.notEqual(objects.get(secretPath).data['tls.crt'], created.data['tls.crt']);
    });

    it('a webhook configuration that does not exist yet: the Secret is written, exit 1 saying so', async () => {
      const t = await kubeTransport(kubeconfig);
      const { out, io: o } = io();
      assert.equal(await certsCommand(flags(['--webhook-config', 'missing']), o, t), 1);
      assert.match(out.stderr, /MutatingWebhookConfiguration missing not found/);
    });
  });
});
