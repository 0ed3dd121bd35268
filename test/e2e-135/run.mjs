#!/usr/bin/env node
// The v1.35 proof of runtime.delivery image (issue 12 item 7), on its own cluster:
//  1. test/e2e-135/up.sh (Kubernetes 1.35 + containerd 2, built from the Go module proxy, cached)
//  2. `startorder runtime-image push` into the cluster's registry (as scripts/e2e.mjs does)
//  3. the scenarios of test/e2e-135/scenarios/, then with E2E135_ALL=1 also test/e2e's (E2E_ONLY filters those)
//  4. with E2E135_BENCH=N: test/e2e-135/bench.mjs with N pods per variant
//  5. ALWAYS test/e2e/cluster/down.sh (unless E2E_KEEP=1)
// Needs the CLI built (npm run build) and the runtime image layout (node scripts/runtime-image.mjs --check).
// One e2e cluster at a time on a machine (both use the network namespace startorder-e2e).
// Last line: "e2e-135: N passed, M failed, K skipped".
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const E2E = join(REPO, 'test', 'e2e');
const PATH = `/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin:${process.env.PATH}`;
const log = (m) => console.error(`[e2e-135 ${new Date().toISOString().slice(11, 19)}] ${m}`);

function sh(cmd, args, { capture = false, env = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: REPO,
    env: { ...process.env, ...env, PATH },
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return r.stdout;
}

/** Pushes the runtime image into the cluster's registry from inside its network namespace; returns the by-digest reference. */
function pushRuntimeImage(stateDir) {
  const registry = readFileSync(join(stateDir, 'registry-address'), 'utf8').trim();
  const netns = readFileSync(join(stateDir, 'netns'), 'utf8').trim();
  const cli = [
    process.execPath,
    join(REPO, 'bin', 'startorder.js'),
    'runtime-image',
    'push',
    '--insecure-registry',
    registry,
    `${registry}/startorder/entrypoint:v0.1.0`,
  ];
  const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, ...cli], { cwd: REPO, env: { ...process.env, PATH }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runtime-image push exited ${r.status}: ${r.stderr}`);
  const used = /--runtime-image (\S+)/.exec(r.stderr)?.[1];
  if (!used) throw new Error(`runtime-image push printed no --runtime-image line: ${r.stderr}`);
  return used;
}

async function scenariosOf(dir) {
  const all = [];
  for (const f of readdirSync(dir)
    .filter((x) => /^\d+-.*\.mjs$/.test(x))
    .sort()) {
    for (const s of (await import(pathToFileURL(join(dir, f)).href)).default) all.push({ ...s, file: f });
  }
  return all;
}

let stateDir;
let passed = 0,
  failed = 0,
  skipped = 0;
const down = () => {
  if (!stateDir || process.env.E2E_KEEP) return;
  const r = spawnSync(join(E2E, 'cluster', 'down.sh'), [stateDir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PATH } });
  if (r.status !== 0) failed += 1;
  stateDir = undefined;
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => {
    down();
    process.exit(130);
  });
try {
  const kubeconfig = process.env.E2E_KUBECONFIG || sh(join(HERE, 'up.sh'), [], { capture: true }).trim().split('\n').pop();
  if (!process.env.E2E_KUBECONFIG) stateDir = dirname(kubeconfig);
  log(`cluster up; KUBECONFIG=${kubeconfig}`);
  // the whole cluster must be 1.35: an apiserver of 1.34 drops the image volume from the pod (gate off there)
  const kc = join(dirname(kubeconfig), 'kubectl');
  const server = JSON.parse(sh(kc, ['version', '-o', 'json'], { capture: true, env: { KUBECONFIG: kubeconfig } })).serverVersion.gitVersion;
  const kubelet = sh(kc, ['get', 'nodes', '-o', 'jsonpath={.items[0].status.nodeInfo.kubeletVersion} {.items[0].status.nodeInfo.containerRuntimeVersion}'], {
    capture: true,
    env: { KUBECONFIG: kubeconfig },
  });
  log(`apiserver ${server}; kubelet, runtime: ${kubelet}`);
  if (!server.startsWith('v1.35.') || !kubelet.startsWith('v1.35.') || !/containerd:\/\/(v?)2\./.test(kubelet))
    throw new Error(`not a 1.35 cluster on containerd 2: ${server}; ${kubelet}`);
  process.env.E2E_RUNTIME_IMAGE = pushRuntimeImage(dirname(kubeconfig));
  log(`runtime image in the cluster's registry: ${process.env.E2E_RUNTIME_IMAGE}`);
  const { runScenarios, summarize } = await import(join(E2E, 'run.mjs'));
  let scenarios = await scenariosOf(join(HERE, 'scenarios'));
  if (process.env.E2E135_ALL) {
    const { loadScenarios } = await import(join(E2E, 'run.mjs'));
    scenarios = [...scenarios, ...(await loadScenarios())];
  }
  const { results } = await runScenarios({ kubeconfig, stateDir: dirname(kubeconfig), scenarios });
  ({ passed, failed, skipped } = summarize(results));
  if (process.env.E2E135_BENCH) {
    sh(process.execPath, [join(HERE, 'bench.mjs')], { env: { KUBECONFIG: kubeconfig, BENCH_PODS: process.env.E2E135_BENCH } });
  }
  if (process.env.E2E_KEEP) log(`E2E_KEEP: cluster left up; KUBECONFIG=${kubeconfig}; down: test/e2e/cluster/down.sh ${dirname(kubeconfig)}`);
} catch (e) {
  log(`failed: ${e.message}`);
  failed += 1;
} finally {
  down();
}
console.log(`e2e-135: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
