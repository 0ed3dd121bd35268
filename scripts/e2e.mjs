#!/usr/bin/env node
// npm run test:e2e — proof on a real kubelet.
//  1. preflight (Linux, root, apt-get or the packages of .ci/packages, Go) — otherwise one line
//     "e2e: skipped — <why>" and exit 0; on CI (CI=true or STARTORDER_CI) exit 1: nothing may skip there
//  2. build the CLI (npm run build), the cluster binaries (cached), the runtime image the package ships
//     (runtime-image/, scripts/runtime-image.mjs --check: the digest src/generated/runtime-image.ts pins)
//  3. test/e2e/cluster/up.sh (which also starts a registry in the cluster's network namespace), then
//     `startorder runtime-image push` into that registry; the scenarios name the image by digest, so
//     the kubelet pulls it (E2E_RUNTIME_IMAGE)
//     When a selected scenario needs the admission webhook (needsWebhook) and deploy/ is in the tree, the
//     webhook image (scripts/webhook-image.mjs: the function image) is built and pushed there too, by
//     digest (E2E_WEBHOOK_IMAGE, STATE_DIR/webhook-image)
//  4. run test/e2e/scenarios/* (test/e2e/run.mjs)
//  5. ALWAYS test/e2e/cluster/down.sh (finally + signal handlers)
// Last line: "e2e: N passed, M failed, K skipped" (a skipped scenario is not a pass; each skip's reason
// is printed on its own line); exit 1 on any failure, and on CI also on any skip.
// Environment: E2E_ONLY=regex (scenario names), E2E_JOBS=3 (concurrency), E2E_KEEP=1 (keep the
// cluster up and print its KUBECONFIG), E2E_SKIP_CLI_BUILD=1, E2E_KUBECONFIG=… (use a running
// cluster made by up.sh: no up/down; the runtime image is pushed into its registry all the same).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = join(REPO, 'test', 'e2e');
/** The repository in the cluster's registry the runtime image is pushed to (its tag is the shipped one). */
const RUNTIME_REPO = 'startorder/entrypoint:v0.1.0';
const PATH = `/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin:${process.env.PATH}`;
const t0 = Date.now();
const log = (m) => console.error(`[e2e ${new Date().toISOString().slice(11, 19)}] ${m}`);
const onCI = process.env.CI === 'true' || Boolean(process.env.STARTORDER_CI);

function skip(reason) {
  console.log(`e2e: skipped — ${reason}${onCI ? ' (a failure on CI, where the suite must run)' : ''}`);
  process.exit(onCI ? 1 : 0);
}
const has = (cmd) => (cmd.startsWith('/') ? existsSync(cmd) : spawnSync('sh', ['-c', `command -v ${cmd}`], { env: { ...process.env, PATH } }).status === 0);
/** The commands of .ci/packages' e2e lines (up.sh installs the packages of the missing ones). */
const e2eCommands = () =>
  readFileSync(join(REPO, '.ci', 'packages'), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pkg, suite]) => pkg && !pkg.startsWith('#') && suite === 'e2e')
    .flatMap(([, , ...cmds]) => cmds);

// ---------------------------------------------------------------- preflight
if (!process.env.E2E_KUBECONFIG) {
  if (process.platform !== 'linux') skip(`needs Linux (kubelet, containerd, runc), this is ${process.platform}`);
  if (process.getuid?.() !== 0) skip(`needs root (kubelet, containerd, mounts, cgroups, a bridge); running as uid ${process.getuid?.()}`);
  const missing = e2eCommands().filter((c) => !has(c));
  if (missing.length && !has('apt-get')) skip(`missing ${missing.join(', ')} and no apt-get to install them`);
  if (!has('go')) skip('needs Go >= 1.24 (none in PATH or /usr/local/go/bin) to build Kubernetes and the images');
}

function run(cmd, args, { capture = false, cwd = REPO, env = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env, PATH },
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return capture ? r.stdout : '';
}

/**
 * Pushes the runtime image with the CLI's own `startorder runtime-image push` into the registry up.sh
 * started in the cluster's network namespace (the registry listens on 127.0.0.1 there, so the push
 * runs there too, under nsenter --net like the components). Returns the reference the scenarios use:
 * REGISTRY/REPO:TAG@<the digest the CLI pins>, after checking the CLI printed exactly that.
 */
function pushRuntimeImage(dir) {
  const read = (f) => readFileSync(join(dir, f), 'utf8').trim();
  const registry = read('registry-address');
  const netns = read('netns');
  const digest = /RUNTIME_IMAGE_DIGEST = '(sha256:[0-9a-f]{64})'/.exec(readFileSync(join(REPO, 'src', 'generated', 'runtime-image.ts'), 'utf8'))?.[1];
  if (!digest) throw new Error('no RUNTIME_IMAGE_DIGEST in src/generated/runtime-image.ts');
  const want = `${registry}/${RUNTIME_REPO}@${digest}`;
  const t = Date.now();
  const cli = [process.execPath, join(REPO, 'bin', 'startorder.js'), 'runtime-image', 'push', '--insecure-registry', registry, `${registry}/${RUNTIME_REPO}`];
  const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, ...cli], { cwd: REPO, env: { ...process.env, PATH }, encoding: 'utf8' });
  process.stderr.write(r.stderr || '');
  if (r.status !== 0) throw new Error(`startorder runtime-image push exited ${r.status ?? r.signal}`);
  const used = /--runtime-image (\S+)/.exec(r.stderr)?.[1];
  if (used !== want) throw new Error(`startorder runtime-image push printed --runtime-image ${used}, expected ${want}`);
  log(`runtime image pushed to the cluster's registry as ${want} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
  return want;
}

/**
 * Builds the webhook image (the function image) and pushes it into the cluster's registry with the
 * CLI's push code (scripts/webhook-image.mjs, in the network namespace like the runtime image's push).
 * Returns REGISTRY/startorder/startorder:e2e@DIGEST and records it in STATE_DIR/webhook-image.
 */
function pushWebhookImage(dir) {
  const read = (f) => readFileSync(join(dir, f), 'utf8').trim();
  const registry = read('registry-address');
  const t = Date.now();
  const args = [`--net=/run/netns/${read('netns')}`, process.execPath, '--import', 'tsx', join(REPO, 'scripts', 'webhook-image.mjs')];
  const r = spawnSync('nsenter', [...args, `${registry}/startorder/startorder:e2e`, '--insecure-registry', registry], {
    cwd: REPO,
    env: { ...process.env, PATH },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/webhook-image.mjs exited ${r.status ?? r.signal}`);
  const ref = r.stdout.trim().split('\n').pop();
  if (!/@sha256:[0-9a-f]{64}$/.test(ref)) throw new Error(`scripts/webhook-image.mjs printed ${ref}, not a reference by digest`);
  writeFileSync(join(dir, 'webhook-image'), `${ref}\n`);
  log(`webhook image pushed to the cluster's registry as ${ref} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
  return ref;
}

// ---------------------------------------------------------------- teardown, always
let stateDir;
let tornDown = false;
function teardown() {
  if (tornDown || !stateDir || process.env.E2E_KEEP) return;
  tornDown = true;
  const t = Date.now();
  log(`tearing down ${stateDir}`);
  const r = spawnSync(join(E2E, 'cluster', 'down.sh'), [stateDir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PATH } });
  log(`down.sh exited ${r.status} in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  if (r.status !== 0) downFailed = true;
}
let downFailed = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: tearing down`);
    teardown();
    console.log('e2e: 0 passed, 1 failed, 0 skipped');
    process.exit(130);
  });
}

let passed = 0,
  failed = 0,
  skipped = 0;
try {
  // ------------------------------------------------------------ build
  if (!process.env.E2E_SKIP_CLI_BUILD) {
    log('building the CLI (npm run build)');
    run('npm', ['run', '--silent', 'build']);
  }
  let kubeconfig = process.env.E2E_KUBECONFIG;
  if (!kubeconfig) {
    log('building the cluster binaries (cached)');
    let t = Date.now();
    const binDir = run(join(E2E, 'cluster', 'build.sh'), [], { capture: true })
      .trim()
      .split('\n')
      .pop();
    log(`cluster binaries in ${binDir} (${((Date.now() - t) / 1000).toFixed(1)}s)`);

    // the multi-arch index the package ships (runtime-image/), checked against the committed pin
    t = Date.now();
    run(process.execPath, ['scripts/runtime-image.mjs', '--check']);
    log(`runtime image index in runtime-image/ (${((Date.now() - t) / 1000).toFixed(1)}s)`);

    // ---------------------------------------------------------- up
    t = Date.now();
    log('bringing the cluster up (up.sh also builds and imports the pause and workload images)');
    const cur = join(process.env.STARTORDER_CACHE || join(homedir(), '.cache', 'startorder'), 'current-state-dir');
    const readCur = () => (existsSync(cur) ? readFileSync(cur, 'utf8').trim() : undefined);
    const before = readCur();
    try {
      kubeconfig = run(join(E2E, 'cluster', 'up.sh'), [], { capture: true })
        .trim()
        .split('\n')
        .pop();
    } finally {
      // up.sh records its state dir once it created it, even when it fails later: tear that
      // down too — but never a state dir that was recorded before (another live cluster).
      const after = readCur();
      stateDir = kubeconfig ? dirname(kubeconfig) : after && after !== before ? after : undefined;
    }
    log(`cluster up in ${((Date.now() - t) / 1000).toFixed(1)}s; KUBECONFIG=${kubeconfig}`);
    const ctrAddr = join(stateDir, 'containerd', 'containerd.sock');
    // mkimage's own ctr test needs a containerd: this cluster's (npm test counts it as a skip)
    run('go', ['test', '-count=1', '-run', '^TestCtrImport$', './cmd/mkimage'], { cwd: join(REPO, 'runtime'), env: { STARTORDER_TEST_CTR_ADDRESS: ctrAddr } });
    log("runtime/cmd/mkimage TestCtrImport passed against the cluster's containerd");
  }
  // ------------------------------------------------------------ the runtime image, into the registry
  process.env.E2E_RUNTIME_IMAGE = pushRuntimeImage(dirname(kubeconfig));
  // ------------------------------------------------------------ scenarios
  const { runScenarios, summarize, loadScenarios } = await import(join(E2E, 'run.mjs'));
  const scenarios = await loadScenarios();
  if (scenarios.some((s) => s.needsWebhook) && existsSync(join(REPO, 'deploy', 'kustomization.yaml')) && !process.env.E2E_WEBHOOK_IMAGE) {
    process.env.E2E_WEBHOOK_IMAGE = pushWebhookImage(dirname(kubeconfig));
  }
  const { kubectlFor } = await import(join(E2E, 'scenarios', 'lib.mjs'));
  // STATE_DIR/kubectl runs kubectl inside the cluster's network namespace
  const kubectl = process.env.E2E_KUBECTL || kubectlFor(kubeconfig);
  const { results, secs } = await runScenarios({ kubeconfig, kubectl, stateDir: dirname(kubeconfig), scenarios });
  ({ passed, failed, skipped } = summarize(results));
  if (skipped && onCI) {
    log(`${skipped} scenario(s) skipped on CI, where every scenario must run: counted as a failure`);
    failed += 1;
  }
  log(`scenarios took ${secs.toFixed(1)}s`);
  if (process.env.E2E_KEEP) log(`E2E_KEEP set: cluster left up; KUBECONFIG=${kubeconfig}; down: test/e2e/cluster/down.sh ${stateDir}`);
} catch (e) {
  log(`setup failed: ${e.message}`);
  failed += 1;
} finally {
  teardown();
}
if (downFailed) {
  log('down.sh failed: counted as a failure');
  failed += 1;
}
log(`total ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
