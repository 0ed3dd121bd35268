#!/usr/bin/env node
// Benchmark (not a test): what the admission webhook costs pod creation, on the real apiserver.
//   1. BENCH_PODS (500) pod creations sent to the apiserver BENCH_CONCURRENCY (16) at a time
//      (test/e2e/burst.mjs), into a namespace the webhook does not serve ("without"), then into one
//      it serves, where a StartOrder selects every pod ("with": each pod is planned and rewritten),
//      with the 2 replicas of deploy/. Rounds alternate (BENCH_ROUNDS, default 2).
//      Reported: create latency p50/p99 (the client's, per request), creations/s; the webhook's own
//      processing time p50/p99 (its JSON log line per admission, `ms`: body read → answer written);
//      the apiserver's view (apiserver_admission_webhook_admission_duration_seconds, mean).
//      One more burst "with", of pods with generateName (as a ReplicaSet creates them: no name yet at
//      admission, so every pod is the same to the webhook, whose answer cache then hits).
//   2. One replica (the Deployment scaled to 1): the same burst through the apiserver, and then
//      AdmissionReviews POSTed straight to that replica's pod IP (BENCH_DIRECT, default 2000, at
//      BENCH_CONCURRENCY), the same pod each time and then a pod of its own name each time — the
//      admissions/s one replica answers by itself, the apiserver left out.
// The pods are bound to a node that does not exist: nothing runs them (PodGC removes them later).
// Usage: KUBECONFIG=… node test/e2e/bench-webhook.mjs
//   on a cluster from `E2E_KEEP=1 E2E_ONLY=webhook-plain npm run test:e2e` (which leaves the webhook
//   image in the registry and the webhook deployed); tear it down with test/e2e/cluster/down.sh.
import { dirname } from 'node:path';
import { env, kubectlFor, createNamespace, kubectlAsync, toYaml, wl, getJSON, sleep } from './scenarios/lib.mjs';
import {
  startOrder,
  installWebhook,
  cannotDeploy,
  waitStartOrderSeen,
  waitWebhookReady,
  webhookPods,
  webhookLogLines,
  webhookLabels,
  parkedPod,
  burst,
  percentile,
  WEBHOOK_NS,
  WEBHOOK_DEPLOY,
} from './scenarios/webhook-lib.mjs';

env.kubeconfig = process.env.KUBECONFIG;
if (!env.kubeconfig) {
  console.error('bench-webhook: set KUBECONFIG (e.g. from E2E_KEEP=1 npm run test:e2e)');
  process.exit(2);
}
env.kubectl = process.env.E2E_KUBECTL || kubectlFor(env.kubeconfig);
env.stateDir = process.env.E2E_STATE_DIR || dirname(env.kubeconfig);
const N = Number(process.env.BENCH_PODS || 500);
const C = Number(process.env.BENCH_CONCURRENCY || 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 2);
const DIRECT = Number(process.env.BENCH_DIRECT || 2000);
const log = (m) => console.error(`[bench-webhook ${new Date().toISOString().slice(11, 19)}] ${m}`);
const LABELS = { app: 'bench' };
// a pod of three containers, chained: c3 after c2 after c1 (what the StartOrder says)
const containers = () => ['c1', 'c2', 'c3'].map((c) => wl(c));
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

/** The apiserver's histogram of one webhook's calls: {count, sum} summed over its series. */
async function apiserverWebhookSeconds(name) {
  const r = await kubectlAsync(['get', '--raw', '/metrics'], { timeoutMs: 60000 });
  let count = 0;
  let sum = 0;
  for (const l of r.stdout.split('\n')) {
    if (!l.includes(`name="${name}"`)) continue;
    const v = Number(l.slice(l.lastIndexOf(' ') + 1));
    if (l.startsWith('apiserver_admission_webhook_admission_duration_seconds_count')) count += v;
    else if (l.startsWith('apiserver_admission_webhook_admission_duration_seconds_sum')) sum += v;
  }
  return { count, sum };
}

/** A burst of pods named NAME-i (like bare pods), or with generateName NAME- (like a ReplicaSet's) when `generate`. */
async function createBurst(ns, variant, generate = false) {
  const since = new Date().toISOString();
  const before = await apiserverWebhookSeconds('pods.startorder.dev');
  const r = await burst({ ns, count: N, concurrency: C, podTemplate: parkedPod(generate ? `${variant}-` : variant, containers(), LABELS) });
  const after = await apiserverWebhookSeconds('pods.startorder.dev');
  await sleep(1000); // the last log lines reach the container log
  const lines = variant === 'without' ? [] : (await webhookLogLines(since)).filter((l) => /mutate$/.test(l.path) && l.namespace === ns && !l.dryRun);
  const calls = after.count - before.count;
  return {
    variant,
    ok: r.ok,
    failed: r.failed,
    rewritten: r.rewritten,
    createP50: percentile(r.ms, 50),
    createP99: percentile(r.ms, 99),
    perSec: (r.ok / r.wallMs) * 1000,
    hookLines: lines.length,
    hookP50: percentile(
      lines.map((l) => l.ms),
      50,
    ),
    hookP99: percentile(
      lines.map((l) => l.ms),
      99,
    ),
    apiserverMeanMs: calls ? ((after.sum - before.sum) / calls) * 1000 : NaN,
    apiserverCalls: calls,
    firstError: r.errors[0]?.message,
  };
}

function row(r) {
  return `| ${r.variant} | ${r.ok}/${N}${r.failed ? ` (${r.failed} failed: ${r.firstError})` : ''} | ${r.rewritten} | ${f1(r.createP50)} | ${f1(r.createP99)} | ${f1(r.perSec)} | ${r.hookLines ? `${f2(r.hookP50)} / ${f2(r.hookP99)} (${r.hookLines})` : '—'} | ${r.apiserverCalls ? `${f2(r.apiserverMeanMs)} (${r.apiserverCalls})` : '—'} |`;
}

/** An AdmissionReview for a pod of `ns`, as the apiserver sends one for a CREATE. */
function review(ns) {
  const object = { ...parkedPod('direct', containers(), LABELS), metadata: { name: 'direct', namespace: ns, labels: LABELS } };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'x',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'direct',
      namespace: ns,
      operation: 'CREATE',
      userInfo: { username: 'bench' },
      object,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

async function direct(ns, vary) {
  const { ready } = await webhookPods();
  const p = ready[0];
  const secret = await getJSON(['-n', WEBHOOK_NS, 'get', 'secret', 'startorder-webhook-tls']);
  const ca = Buffer.from(secret.data['ca.crt'], 'base64').toString();
  const since = new Date().toISOString();
  const r = await burst({
    count: DIRECT,
    concurrency: C,
    review: { url: `https://${p.status.podIP}:8443/mutate`, ca, servername: `${WEBHOOK_DEPLOY}.${WEBHOOK_NS}.svc`, body: review(ns), vary },
  });
  await sleep(1000);
  const lines = (await webhookLogLines(since)).filter((l) => /mutate$/.test(l.path) && l.pod === p.metadata.name && String(l.uid).startsWith('bench-'));
  return { pod: p.metadata.name, r, lines };
}

async function main() {
  const why = cannotDeploy();
  if (why) throw new Error(why);
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(2));
  log(`${N} pods per burst, ${C} at a time, ${ROUNDS} rounds; load average ${load.join(' ')}`);
  await installWebhook(log);
  const nsWithout = 'e2e-bench-hook-without';
  const nsWith = 'e2e-bench-hook-with';
  await createNamespace(nsWithout);
  await createNamespace(nsWith, webhookLabels());
  const so = startOrder('bench', {
    selector: { matchLabels: LABELS },
    containers: [{ name: 'c1' }, { name: 'c2', after: ['c1'] }, { name: 'c3', after: ['c2'] }],
  });
  await kubectlAsync(['-n', nsWith, 'apply', '-f', '-'], { input: toYaml([so]) });
  await waitStartOrderSeen(nsWith, parkedPod('probe', containers(), LABELS));
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [ns, variant] of [
      [nsWithout, 'without'],
      [nsWith, 'with'],
    ]) {
      const r = await createBurst(ns, variant);
      r.variant = `${variant} (round ${round}, 2 replicas)`;
      rows.push(r);
      log(row(r));
      await kubectlAsync(['-n', ns, 'delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false'], { allowFail: true, timeoutMs: 120000 });
      await sleep(3000);
    }
  }
  const gen = await createBurst(nsWith, 'with', true);
  gen.variant = 'with, generateName pods (2 replicas)';
  rows.push(gen);
  log(row(gen));
  await kubectlAsync(['-n', WEBHOOK_NS, 'scale', 'deployment', WEBHOOK_DEPLOY, '--replicas=1']);
  await waitFor1();
  const one = await createBurst(nsWith, 'with');
  one.variant = 'with (1 replica)';
  rows.push(one);
  log(row(one));
  const restarts = (await webhookPods()).items.reduce((n, p) => n + (p.status.containerStatuses?.[0]?.restartCount ?? 0), 0);
  if (restarts) log(`the webhook container restarted ${restarts} times so far (kubectl -n ${WEBHOOK_NS} get events: a failed liveness probe under the burst?)`);
  await waitFor1();
  const same = await direct(nsWith, false);
  const distinct = await direct(nsWith, true);
  await kubectlAsync(['-n', WEBHOOK_NS, 'scale', 'deployment', WEBHOOK_DEPLOY, '--replicas=2']);
  await waitWebhookReady(2, log);
  for (const ns of [nsWithout, nsWith]) await kubectlAsync(['delete', 'namespace', ns, '--wait=false'], { allowFail: true });

  console.log(`\nbench-webhook: ${N} pod creations per burst, ${C} concurrent, straight to the apiserver; load average at start ${load.join(' ')}\n`);
  console.log(
    '| burst | created | rewritten | create p50 ms | create p99 ms | creations/s | webhook processing p50 / p99 ms (lines) | apiserver→webhook call mean ms (calls) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(row(r));
  for (const [d, what] of [
    [same, "the same pod each time (as a ReplicaSet's pods are, which have no name yet at admission)"],
    [distinct, 'a pod of its own name each time'],
  ]) {
    const dm = d.lines.map((l) => l.ms);
    console.log(
      `\nOne replica (${d.pod}) by itself, ${what}: ${DIRECT} AdmissionReviews POSTed to its pod IP, ${C} at a time: ${d.r.ok} allowed (${d.r.rewritten} with a patch), ${d.r.failed} failed; ${f1((d.r.ok / d.r.wallMs) * 1000)} admissions/s; request p50 ${f2(percentile(d.r.ms, 50))} ms, p99 ${f2(percentile(d.r.ms, 99))} ms; webhook processing p50 ${f2(percentile(dm, 50))} ms, p99 ${f2(percentile(dm, 99))} ms (${dm.length} lines)`,
    );
  }
}

async function waitFor1() {
  for (let i = 0; i < 240; i++) {
    // none terminating either: a terminating replica still answers (its drain) on kept-alive connections
    const { all, ready } = await webhookPods();
    if (all.length === 1 && ready.length === 1) return;
    await sleep(500);
  }
  throw new Error('the webhook did not settle at 1 replica');
}

main().catch((e) => {
  console.error(`bench-webhook: ${e.stack}`);
  process.exit(1);
});
