// startorder status against an API server: a local HTTP server that answers like kube-apiserver
// for the few paths status reads, reached through @kubernetes/client-node with real kubeconfig files
// ($KUBECONFIG lists, contexts, tokens, an exec credential plugin). The e2e scenario 14-status runs
// the same command against a real cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { statusCommand, type PodReport } from '../src/status/index.js';
import { pod, running, waitingPod, waitLog } from './status-pods.js';

const seen: { url: string; auth: string | undefined }[] = [];
let server: Server;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'startorder-status-'));

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

function answer(req: IncomingMessage): [number, string] {
  const u = new URL(req.url ?? '/', 'http://x');
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log|\/exec)?$/.exec(u.pathname);
  if (!m) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
  const [, ns, name, sub] = m;
  if (name === 'html') return [200, '<html><body>a login page</body></html>'];
  if (name === 'empty') return [200, '{}'];
  if (name === 'secret') return [403, status(403, 'Forbidden', `pods "secret" is forbidden: User "u" cannot get resource "pods" in the namespace "${ns}"`)];
  const pods: Record<string, object> = { waiter: waitingPod(), plain: pod('plain', [{ name: 'web', image: 'nginx' }], [running('web', 1, true)]) };
  const p = ns === 'ns1' ? pods[name!] : undefined;
  if (!p) return [404, status(404, 'NotFound', `pods "${name}" not found`)];
  if (sub === '/log') return [200, u.searchParams.get('container') === 'app' ? waitLog([[2.1, 'waiting for db ready (no -wait_timeout)']]) : ''];
  if (sub === '/exec') return [400, status(400, 'BadRequest', 'Upgrade request required')];
  return [200, JSON.stringify(p)];
}

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url?.includes('/pods/hang')) return; // a server that takes the request and never answers
    const [code, body] = answer(req);
    res.writeHead(code, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(file: string, parts: { cluster?: boolean; user?: object; contexts?: boolean; current?: string; tlsFlag?: boolean }): string {
  const path = join(dir, file);
  const lines = ['apiVersion: v1', 'kind: Config'];
  if (parts.cluster)
    lines.push('clusters:', '- name: c', '  cluster:', `    server: ${base}`, ...(parts.tlsFlag === false ? [] : ['    insecure-skip-tls-verify: true']));
  if (parts.user) lines.push('users:', '- name: u', `  user: ${JSON.stringify(parts.user)}`);
  if (parts.contexts)
    lines.push(
      'contexts:',
      '- name: one',
      '  context: {cluster: c, user: u, namespace: ns1}',
      '- name: two',
      '  context: {cluster: c, user: u, namespace: other}',
    );
  if (parts.current) lines.push(`current-context: ${parts.current}`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await statusCommand(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: { HOME: dir, ...env } });
  return { code, stdout, stderr };
}

test('a waiting pod through the API: the plan, the wait line from the log, and why the status files were not read', async () => {
  const kc = kubeconfig('token.yaml', { cluster: true, user: { token: 'tok-1' }, contexts: true, current: 'one' });
  seen.length = 0;
  const r = await run(['waiter', '--kubeconfig', kc, '-o', 'json']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const rep = JSON.parse(r.stdout) as PodReport;
  const app = rep.containers.find((c) => c.name === 'app')!;
  assert.equal(app.state, 'waiting');
  assert.deepEqual(app.waiting?.for, ['db ready']);
  assert.equal(app.waiting?.source, 'logs');
  assert.match(rep.sources.logs, /^read \(2 of 2 containers\)$/);
  assert.match(rep.sources.statusFiles, /^not read: exec into (db|app) failed/);
  // the namespace came from the context, the token from the kubeconfig, the log with timestamps
  assert.ok(seen.some((s) => s.url.startsWith('/api/v1/namespaces/ns1/pods/waiter') && s.auth === 'Bearer tok-1'));
  assert.ok(seen.some((s) => /\/pods\/waiter\/log\?.*timestamps=true/.test(s.url) && /container=app/.test(s.url)));
});

test('$KUBECONFIG as a list of files, merged as kubectl does; --context and -n pick the namespace', async () => {
  const a = kubeconfig('a.yaml', { contexts: true, current: 'two' });
  const b = kubeconfig('b.yaml', { cluster: true, user: { token: 'tok-2' } });
  const env = { KUBECONFIG: `${a}:${b}` };
  assert.equal((await run(['waiter'], env)).code, 5); // context two: namespace "other"
  assert.equal((await run(['waiter', '--context', 'one'], env)).code, 0);
  const r = await run(['waiter', '-n', 'ns1'], env);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^app +app +waiting \[logs\] +db ready \[logs\]/m);
});

test('a plain-http server without insecure-skip-tls-verify is read, as kubectl reads it', async () => {
  const kc = kubeconfig('http.yaml', { cluster: true, user: { token: 'h' }, contexts: true, current: 'one', tlsFlag: false });
  const r = await run(['waiter', '--kubeconfig', kc, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as PodReport).name, 'waiter');
});

test('$KUBECONFIG naming files that do not exist: they are passed over, as kubectl does', async () => {
  const kc = kubeconfig('listed.yaml', { cluster: true, user: { token: 'l' }, contexts: true, current: 'one' });
  const r = await run(['waiter', '-o', 'json'], { KUBECONFIG: `${join(dir, 'gone-1.yaml')}:${kc}:${join(dir, 'gone-2.yaml')}` });
  assert.equal(r.code, 0, r.stderr);
  const none = await run(['waiter'], { KUBECONFIG: `${join(dir, 'gone-1.yaml')}:${join(dir, 'gone-2.yaml')}`, HOME: join(dir, 'nowhere') });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^startorder status: no kubeconfig/);
});

test('a server that never answers: --request-timeout ends the request, one line, exit 4', async () => {
  const kc = kubeconfig('hang.yaml', { cluster: true, user: { token: 'h' }, contexts: true, current: 'one' });
  const r = await run(['hang', '--kubeconfig', kc, '--request-timeout', '300ms']);
  assert.equal(r.code, 4);
  assert.match(
    r.stderr,
    /^startorder status: cannot reach the API server http:\/\/127\.0\.0\.1:\d+ \(ETIMEDOUT\): no answer within 0\.3s \(--request-timeout\)\n$/,
  );
  for (const bad of ['1q', '', 's', '-1s']) {
    const u = await run(['hang', '--kubeconfig', kc, '--request-timeout', bad]);
    assert.equal(u.code, 2, bad);
  }
});

test('an exec credential plugin gives the token', async () => {
  const plugin = join(dir, 'cred.mjs');
  writeFileSync(
    plugin,
    `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-plugin' } }));\n`,
  );
  const kc = kubeconfig('exec.yaml', {
    cluster: true,
    user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } },
    contexts: true,
    current: 'one',
  });
  seen.length = 0;
  const r = await run(['plain', '--kubeconfig', kc, '--format', 'mermaid']);
  assert.ok(
    seen.some((s) => s.auth === 'Bearer from-plugin'),
    JSON.stringify(seen),
  );
  // not a startorder pod: one line, exit 1, still the chart of its container
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^startorder status: pod ns1\/plain is not ordered by startorder \(absent: no startorder\.dev\/applied annotation/);
  assert.equal(r.stderr.split('\n').length, 2);
  assert.match(r.stdout, /^gantt\n[^]* {2}section web\n {4}runs :active, /);
});

test('every failure is one line and its own exit code', async () => {
  const kc = kubeconfig('t.yaml', { cluster: true, user: { token: 't' }, contexts: true, current: 'one' });
  const cases: [string[], Record<string, string>, number, RegExp][] = [
    [['missing', '--kubeconfig', kc], {}, 5, /^startorder status: pod ns1\/missing not found\n$/],
    [['html', '--kubeconfig', kc], {}, 4, /^startorder status: .* answered the request for pod ns1\/html with something that is not a Pod\n$/],
    [['empty', '--kubeconfig', kc], {}, 4, /^startorder status: .* answered the request for pod ns1\/empty with something that is not a Pod\n$/],
    [['secret', '--kubeconfig', kc], {}, 4, /^startorder status: not allowed to read pod ns1\/secret \(403 Forbidden\): pods "secret" is forbidden/],
    [
      ['waiter', '--kubeconfig', kubeconfig('dead.yaml', { cluster: false, user: { token: 't' }, contexts: false })],
      {},
      2,
      /^startorder status: the kubeconfig has no current cluster/,
    ],
    [['waiter'], { HOME: join(dir, 'nowhere') }, 2, /^startorder status: no kubeconfig: \$KUBECONFIG is not set/],
    [['waiter', '--kubeconfig', join(dir, 'absent.yaml')], {}, 2, /^startorder status: cannot read the kubeconfig: ENOENT/],
    [['waiter', '--kubeconfig', kc, '--context', 'three'], {}, 2, /^startorder status: no context "three" in the kubeconfig\n$/],
    [['waiter', '--output', 'yaml'], {}, 2, /^startorder status: --output must be text or json, not "yaml"\n/],
    [['waiter', '-o', 'json', '--format', 'mermaid'], {}, 2, /exclude each other/],
    [[], {}, 2, /^startorder status: status needs the name of a pod\n/],
    [['--bogus', 'x'], {}, 2, /^startorder status: Unknown option '--bogus'/],
  ];
  for (const [argv, env, code, err] of cases) {
    const r = await run(argv, env);
    assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, err);
    assert.ok(!/\n\s+at /.test(r.stderr), `a stack trace: ${r.stderr}`);
  }
});

test('an API server that is not there: one line, exit 4', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const a = closed.address();
  const port = typeof a === 'object' && a ? a.port : 1;
  await new Promise((r) => closed.close(r));
  const kc = join(dir, 'gone.yaml');
  writeFileSync(
    kc,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  const r = await run(['waiter', '--kubeconfig', kc]);
  assert.equal(r.code, 4);
  assert.match(r.stderr, new RegExp(`^startorder status: cannot reach the API server https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  assert.equal(r.stderr.split('\n').length, 2);
});

test('--help', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^startorder status POD \[-n NAMESPACE\]/);
});

test('the kubectl plugin (bin/kubectl-startorder.js, the built dist/) runs the same command', async () => {
  const kc = kubeconfig('plugin.yaml', { cluster: true, user: { token: 'p' }, contexts: true, current: 'one' });
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'kubectl-startorder.js');
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, 'status', 'waiter', '-n', 'ns1', '-o', 'json'], { env: { ...process.env, KUBECONFIG: kc } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as PodReport;
  assert.equal(rep.containers.find((c) => c.name === 'app')?.state, 'waiting');
  const other = await new Promise<number | null>((resolve) => spawn(process.execPath, [bin, 'logs'], { stdio: 'ignore' }).on('close', resolve));
  assert.equal(other, 2);
});
