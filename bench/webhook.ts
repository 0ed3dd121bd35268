// The admission webhook's /mutate over HTTPS on loopback: a realistic Pod (from a ReplicaSet, after
// defaulting; a fresh kube-api-access-* volume name each time, as the ServiceAccount plugin makes
// it) admitted 2,000 times one after another — processing time p50/p99 as the server logs it, and
// the round trip the client sees — then 2,000 times 8 at a time: admissions per second.
// node --import tsx bench/webhook.ts [wrapper|native]   (BENCH_N=2000, BENCH_CONCURRENCY=8; BENCH_CACHE=0: no answer cache)
import { fork } from 'node:child_process';
import { Agent, request } from 'node:https';
import { loadavg } from 'node:os';
import { loopbackCerts, replicaSetPod, review } from '../test/webhook-fixtures.js';

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const mode = process.argv[2] ?? 'wrapper';
const spec = {
  selector: { matchLabels: { app: 'web' } },
  mode,
  containers: [
    { name: 'db-proxy', ready: { tcpSocket: { port: 5432 } } },
    { name: 'app', after: ['db-proxy'] },
  ],
};

const certs = await loopbackCerts();
const child = fork(new URL('./webhook-server.ts', import.meta.url), {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, BENCH_WEBHOOK: JSON.stringify({ ...certs, spec }) },
});
const ask = <T>(m?: string): Promise<T> =>
  new Promise((resolve) => {
    child.once('message', (v) => resolve(v as T));
    if (m) child.send(m);
  });
const { port } = await ask<{ port: number }>();
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: certs.caCert });

function body(i: number): string {
  const pod = replicaSetPod();
  const suffix = (i * 7919).toString(36).padStart(5, 'x').slice(-5);
  pod.spec.volumes[0].name = `kube-api-access-${suffix}`;
  for (const c of pod.spec.containers) c.volumeMounts[0].name = pod.spec.volumes[0].name;
  return JSON.stringify(review(pod, { uid: `bench-${i}` }));
}

function post(text: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let size = 0;
      res.on('data', (c: Buffer) => (size += c.length));
      res.on('end', () => (res.statusCode === 200 && size > 0 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const bodies = Array.from({ length: N }, (_, i) => body(i));

// warm-up (JIT, TLS session), not counted
for (let i = 0; i < 200; i++) await post(bodies[i % N]!);
await ask('stats');

const rtt: number[] = [];
for (const b of bodies) rtt.push(await post(b));
const serial = await ask<{ ms: number[]; results: Record<string, number> }>('stats');

const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) await post(bodies[next++]!);
  }),
);
const seconds = (performance.now() - t0) / 1000;
const parallel = await ask<{ ms: number[]; results: Record<string, number> }>('stats');
child.send('stop');
agent.destroy();

const f = (x: number) => x.toFixed(2);
console.log(
  `webhook /mutate, mode ${mode}, answer cache ${process.env.BENCH_CACHE ?? 512}, ${N} admissions over HTTPS on loopback (keep-alive), load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(`  results: ${JSON.stringify(serial.results)}`);
console.log(
  `  one at a time: processing p50 ${f(pct(serial.ms, 50))} ms, p99 ${f(pct(serial.ms, 99))} ms; round trip p50 ${f(pct(rtt, 50))} ms, p99 ${f(pct(rtt, 99))} ms`,
);
console.log(
  `  ${CONCURRENCY} at a time: ${Math.round(N / seconds)} admissions/s; processing p50 ${f(pct(parallel.ms, 50))} ms, p99 ${f(pct(parallel.ms, 99))} ms`,
);
