#!/usr/bin/env node
// Benchmark (not a test): start-up of an ordered pod on a Kubernetes 1.35 kubelet by how the wrapper
// gets into the pod (runtime.delivery), against the unordered pod. The method of test/e2e/bench.mjs:
// a chain c1 ← c2 ← c3 of workload containers, each ready BENCH_READY_MS (default 0) after it starts
// (a file, the spec's readiness); pods created one at a time, variants interleaved, each deleted after
// it is measured.
//   (a) no startorder   (c) wrapper, delivery copy (init container)   (d) wrapper, delivery image (image volume)
//   start-up = last container's process start (its own log) − the moment just before `kubectl create`
//   hop      = dependency's "ready" log line → dependent's "start" log line
// Usage: KUBECONFIG=… E2E_RUNTIME_IMAGE=… [BENCH_PODS=20] node test/e2e-135/bench.mjs
//   (test/e2e-135/run.mjs runs it with E2E135_BENCH=N after pushing the runtime image)
import { env, kubectlFor, transform, toYaml, wl, pod, soSpec, kubectlAsync, createNamespace, logs, ev, waitFor } from '../e2e/scenarios/lib.mjs';

env.kubeconfig = process.env.KUBECONFIG;
if (!env.kubeconfig) {
  console.error('bench: set KUBECONFIG (and E2E_RUNTIME_IMAGE: the runtime image in the cluster registry)');
  process.exit(2);
}
env.kubectl = process.env.E2E_KUBECTL || kubectlFor(env.kubeconfig);
const N = Number(process.env.BENCH_PODS || 20);
const NS = 'e2e-bench-135';
const CHAIN = ['c1', 'c2', 'c3'];
const READY_MS = Number(process.env.BENCH_READY_MS ?? 0);
const readyArgs = (c) => [`-ready-after=${READY_MS}ms`, `-ready-file=/tmp/${c}.ready`];
const variants = ['plain', 'copy', 'image'];
const label = { plain: '(a) no startorder', copy: '(c) wrapper, delivery copy', image: '(d) wrapper, delivery image' };

function manifest(variant, i) {
  const name = `${variant}-${i}`;
  const m = [
    pod(
      name,
      CHAIN.map((c) => wl(c, readyArgs(c))),
      { terminationGracePeriodSeconds: 2 },
    ),
  ];
  if (variant === 'plain') return toYaml(m);
  const s = soSpec(
    name,
    [
      { name: 'c1', ready: { file: '/tmp/c1.ready' } },
      { name: 'c2', after: ['c1'], ready: { file: '/tmp/c2.ready' } },
      { name: 'c3', after: ['c2'] },
    ],
    {
      selector: { kinds: ['Pod'], names: [name] },
      mode: 'wrapper',
      kubernetesVersion: '1.35',
      runtime: { imagePullPolicy: 'IfNotPresent', delivery: variant },
    },
  );
  const out = transform(s, m);
  const spec = out.docs[0].spec;
  const bin = spec.volumes.find((v) => v.name === 'startorder-bin');
  if (variant === 'image' ? !bin.image || spec.initContainers : !bin.emptyDir || !spec.initContainers) throw new Error(`${name}: not delivered by ${variant}`);
  return out.out;
}

async function one(variant, i) {
  const name = `${variant}-${i}`;
  const yaml = manifest(variant, i);
  const created = Date.now() * 1e6;
  await kubectlAsync(['-n', NS, 'create', '-f', '-'], { input: yaml });
  const evs = {};
  await waitFor(
    async () => {
      for (const c of CHAIN) {
        if (evs[c]) continue;
        const l = await logs(NS, name, c);
        if (ev(l.events, 'ready')) evs[c] = l.events;
        else return false;
      }
      return true;
    },
    120000,
    `${name} all started`,
    100,
  );
  const starts = CHAIN.map((c) => ev(evs[c], 'start').ts);
  const hops = CHAIN.slice(1).map((c, k) => (ev(evs[c], 'start').ts - ev(evs[CHAIN[k]], 'ready').ts) / 1e6);
  kubectlAsync(['-n', NS, 'delete', 'pod', name, '--grace-period=1', '--wait=false'], { allowFail: true });
  return { startup: (Math.max(...starts) - created) / 1e6, hops };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

await createNamespace(NS);
// one warm-up pod per variant (the first pull of the runtime image, the first image volume), not counted
for (const v of variants) await one(v, 'warm');
const res = Object.fromEntries(variants.map((v) => [v, { startup: [], hops: [] }]));
for (let i = 0; i < N; i++) {
  for (const v of variants) {
    const r = await one(v, i);
    res[v].startup.push(r.startup);
    res[v].hops.push(...r.hops);
    process.stderr.write(`${v}-${i}: start-up ${r.startup.toFixed(0)} ms, hops ${r.hops.map((h) => h.toFixed(1)).join(', ')} ms\n`);
  }
}
await kubectlAsync(['delete', 'namespace', NS, '--wait=false'], { allowFail: true });

const a50 = pct(res.plain.startup, 50),
  a95 = pct(res.plain.startup, 95);
console.log(
  `\n${N} pods per variant on Kubernetes 1.35 (containerd 2), chain c1←c2←c3, each container ready ${READY_MS} ms after it starts, one pod at a time\n`,
);
console.log('| variant | pods | start-up p50 | start-up p95 | ratio p50 vs (a) | ratio p95 vs (a) | hop p50 | hop p95 | hops |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const v of variants) {
  const s = res[v].startup,
    h = res[v].hops;
  console.log(
    `| ${label[v]} | ${s.length} | ${pct(s, 50).toFixed(0)} ms | ${pct(s, 95).toFixed(0)} ms | ${(pct(s, 50) / a50).toFixed(2)} | ${(pct(s, 95) / a95).toFixed(2)} | ${pct(h, 50).toFixed(1)} ms | ${pct(h, 95).toFixed(1)} ms | ${h.length} |`,
  );
}
