/**
 * The pipeline as a library: one request in, one result out. An adapter other than the command line
 * (an admission webhook, say) builds the request from a Pod it was given and reads the result.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, transform, type ImageSource } from '../src/pipeline/index.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'report',
    namespace: 'jobs',
    annotations: {
      'startorder.dev/spec':
        'mode: native\nkubernetesVersion: "1.33"\ncontainers:\n  - name: proxy\n    ready: {tcpSocket: {port: 5432}}\n  - name: report\n    after: [proxy]\n',
    },
  },
  spec: {
    restartPolicy: 'Never',
    containers: [
      { name: 'report', image: 'example/report:1', command: ['/bin/report'] },
      { name: 'proxy', image: 'example/proxy:1', command: ['/bin/proxy'], ports: [{ containerPort: 5432 }] },
    ],
  },
};

describe('the pipeline for an adapter', () => {
  it('a Pod given as a value (a webhook) comes back rewritten, as JSON, with the plan', async () => {
    const r = await run({ inputs: [{ name: 'admission.json', text: JSON.stringify(pod) }], needPlans: true });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(r.files[0]!.format, 'json');
    const out = JSON.parse(r.files[0]!.text) as typeof pod & { spec: { initContainers?: { name: string; restartPolicy?: string }[] } };
    assert.deepEqual(
      out.spec.initContainers?.map((c) => [c.name, c.restartPolicy]),
      [['proxy', 'Always']],
    );
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['report'],
    );
    assert.deepEqual(
      r.plans.map((p) => p.edges.map((e) => [e.dep, e.dependent, e.mechanism])),
      [[['proxy', 'report', 'native']]],
    );
  });

  it('run and the synchronous transform give the same result for the same request', async () => {
    const inputs = [{ name: 'admission.json', text: JSON.stringify(pod) }];
    const a = await run({ inputs, needPlans: true });
    const b = transform(inputs);
    assert.deepEqual(a.files, b.files);
    assert.deepEqual(a.diagnostics, b.diagnostics);
  });

  it('revert and a run whose containers all have a command never ask the image source', async () => {
    let asked = 0;
    const images: ImageSource = { lookUp: () => (asked++, Promise.resolve({ entries: [], diagnostics: [] })) };
    const once = await run({ inputs: [{ name: 'p.json', text: JSON.stringify(pod) }] }, { images });
    const back = await run({ inputs: [{ name: 'p.json', text: once.files[0]!.text }], revert: true }, { images });
    assert.equal(asked, 0);
    assert.deepEqual(JSON.parse(back.files[0]!.text), pod);
  });
});
