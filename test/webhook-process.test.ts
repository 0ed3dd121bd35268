/**
 * `startorder webhook` as a process (the CLI from the sources): it gets ready against an API server
 * on loopback, answers, and on SIGTERM says not ready while it still answers admissions for the drain
 * time, then exits 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeApi, until } from './webhook-api.js';
import { call, loopbackCerts, patchOf, replicaSetPod, review, startOrder } from './webhook-fixtures.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

test('webhook process: ready, answers, drains on SIGTERM and exits 0', async () => {
  const api = new FakeApi();
  const kubeconfig = await api.start();
  api.items = [
    startOrder('web', {
      selector: { matchLabels: { app: 'web' } },
      containers: [
        { name: 'db-proxy', ready: { tcpSocket: { port: 5432 } } },
        { name: 'app', after: ['db-proxy'] },
      ],
    }),
  ];
  const certs = await loopbackCerts();
  const dir = mkdtempSync(join(tmpdir(), 'startorder-webhook-'));
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  const port = await freePort();
  const args = ['--import', 'tsx', 'test/cli-source.ts', 'webhook', '--address', '127.0.0.1', '--port', String(port)];
  const p = spawn(process.execPath, [...args, '--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'), '--kubeconfig', kubeconfig], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (d) => (out += String(d)));
  p.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  try {
    // one request at a time until ready (client-node takes seconds to load)
    for (let i = 0; ; i++) {
      const status = await call(port, certs.caCert, 'GET', '/readyz').then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      assert.ok(i < 600, `not ready after a minute:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = (await call(port, certs.caCert, 'POST', '/mutate', JSON.stringify(review(replicaSetPod())))).json.response;
    assert.ok(patchOf(res).length > 0);
    p.kill('SIGTERM');
    await until(() => out.includes('"stopping":"SIGTERM"'), 'the stop logged');
    assert.equal((await call(port, certs.caCert, 'GET', '/readyz')).status, 503);
    assert.equal((await call(port, certs.caCert, 'POST', '/mutate', JSON.stringify(review(replicaSetPod())))).status, 200, 'still answering while draining');
    assert.equal(await exited, 0, out);
    const lines = out.split('\n').filter((l) => l.includes('"path":"mutate"'));
    assert.equal(lines.length, 2);
  } finally {
    p.kill('SIGKILL');
    await api.stop();
  }
});
