#!/usr/bin/env node
// Benchmark (not a test): pod start-up cost of startorder on a real kubelet.
//   (a) no startorder, (b) native mode (k8s 1.34), (c) wrapper mode
// Each pod is a chain c1 ← c2 ← c3 (c2 after c1, c3 after c2), workload image; each container
// becomes ready BENCH_READY_MS (default 1000) after it starts and says so in a file, which is its
// readiness in the spec. The delay lets every container be up and waiting before its dependency is
// ready, so a hop measures the ordering mechanism, not the kubelet starting containers one by one.
// Pods are created one at a time, variants interleaved (a b c a b c …).
// Measured per pod, from the workloads' own logged unix-nano timestamps:
//   start-up = last container's process start − the moment just before `kubectl create`
//   hop      = dependency's "ready" log line → dependent's "start" log line (per edge)
// Usage: KUBECONFIG=… [BENCH_PODS=20] node test/e2e/bench.mjs
//   (a cluster from `E2E_KEEP=1 npm run test:e2e`, which leaves the runtime image in its registry;
//    tear it down afterwards with test/e2e/cluster/down.sh)
import { env, kubectlFor, transform, toYaml, wl, pod, soSpec, modeArgs, kubectlAsync, createNamespace, logs, ev, waitFor } from './scenarios/lib.mjs';

env.kubeconfig = process.env.KUBECONFIG;
if (!env.kubeconfig) {
  console.error('bench: set KUBECONFIG (e.g. from E2E_KEEP=1 npm run test:e2e)');
  process.exit(2);
}
// STATE_DIR/kubectl: kubectl inside the cluster's network namespace
env.kubectl = process.env.E2E_KUBECTL || kubectlFor(env.kubeconfig);
const N = Number(process.env.BENCH_PODS || 20);
const NS = 'e2e-bench';
const CHAIN = ['c1', 'c2', 'c3'];
const READY_MS = Number(process.env.BENCH_READY_MS ?? 1000);
const readyArgs = (c) => [`-ready-after=${READY_MS}ms`, `-ready-file=/tmp/${c}.ready`];

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
    { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs(variant) },
  );
  return transform(s, m).out;
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
  const startup = (Math.max(...starts) - created) / 1e6;
  const hops = [];
  for (let k = 1; k < CHAIN.length; k++) hops.push((ev(evs[CHAIN[k]], 'start').ts - ev(evs[CHAIN[k - 1]], 'ready').ts) / 1e6);
  // the e2e kubelet has maxPods: 50 — delete as we go (in the background of the next pod)
  kubectlAsync(['-n', NS, 'delete', 'pod', name, '--grace-period=1', '--wait=false'], { allowFail: true });
  return { startup, hops };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

await createNamespace(NS);
const variants = ['plain', 'native', 'wrapper'];
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

const label = { plain: '(a) no startorder', native: '(b) native', wrapper: '(c) wrapper' };
const p50a = pct(res.plain.startup, 50),
  p95a = pct(res.plain.startup, 95);
console.log(
  `\n${N} pods per variant, chain c1←c2←c3 (2 edges per pod, each container ready ${READY_MS} ms after it starts), one pod at a time (each deleted after it is measured); node: 2 shared cores\n`,
);
console.log('| variant | pods | start-up p50 | start-up p95 | ratio p50 vs (a) | ratio p95 vs (a) | hop p50 | hop p95 | hops |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const v of variants) {
  const s = res[v].startup,
    h = res[v].hops;
  console.log(
    `| ${label[v]} | ${s.length} | ${pct(s, 50).toFixed(0)} ms | ${pct(s, 95).toFixed(0)} ms | ${(pct(s, 50) / p50a).toFixed(2)} | ${(pct(s, 95) / p95a).toFixed(2)} | ${pct(h, 50).toFixed(1)} ms | ${pct(h, 95).toFixed(1)} ms | ${h.length} |`,
  );
}
console.log("\nstart-up = client time just before `kubectl create` → last container's process start (its own log);");
console.log("hop = dependency's `ready` log line → dependent's `start` log line. In (a) the kubelet starts all three");
console.log('containers back to back without any ordering, so its "hop" is just the kubelet\'s start spacing (can be negative).');
