// Runs the e2e scenarios against a running cluster.
//   KUBECONFIG=… [E2E_STATE_DIR=…] [E2E_ONLY=regex] [E2E_JOBS=3] node test/e2e/run.mjs
// scripts/e2e.mjs builds, brings the cluster up, calls runScenarios() and tears down.
// Each scenario gets its own namespace e2e-<name>; its log lines are prefixed with its name.
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { env, createNamespace, kubectlAsync, kubectlFor } from './scenarios/lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export async function loadScenarios() {
  const dir = join(here, 'scenarios');
  const files = readdirSync(dir)
    .filter((f) => /^\d+-.*\.mjs$/.test(f))
    .sort();
  const all = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    for (const s of mod.default) all.push({ ...s, file: f });
  }
  const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
  return only ? all.filter((s) => only.test(s.name)) : all;
}

/**
 * Runs the scenarios (default: those of scenarios/, filtered by E2E_ONLY), E2E_JOBS at a time. A
 * scenario calls skip(why) to say it did not test anything; its result then has `skipped: why`.
 */
export async function runScenarios({ kubeconfig, kubectl, stateDir, jobs, scenarios } = {}) {
  env.kubeconfig = kubeconfig || process.env.KUBECONFIG;
  env.kubectl = kubectl || process.env.E2E_KUBECTL || kubectlFor(env.kubeconfig);
  env.stateDir = stateDir || process.env.E2E_STATE_DIR || dirname(env.kubeconfig);
  scenarios ??= await loadScenarios();
  const results = [];
  const queue = [...scenarios];
  const t0 = Date.now();
  const nJobs = Number(jobs || process.env.E2E_JOBS || 3);
  async function worker() {
    for (let s; (s = queue.shift());) {
      const ns = `e2e-${s.name}`.slice(0, 63).replace(/-+$/, '');
      const lines = [];
      const log = (m) => {
        const line = `[${s.name}] ${m}`;
        lines.push(m);
        console.error(line);
      };
      const started = Date.now();
      let ok = false,
        err,
        skipped = false;
      try {
        await createNamespace(ns, s.namespaceLabels || {});
        await s.run({
          ns,
          log,
          skip: (why) => {
            skipped = why;
          },
        });
        ok = true;
        if (skipped) log(`SKIP: ${skipped}`);
      } catch (e) {
        err = e;
        log(`FAIL: ${e.message}`);
        // leave some evidence behind in the output
        const d = await kubectlAsync(['-n', ns, 'get', 'pods,jobs', '-o', 'wide'], { allowFail: true });
        for (const l of d.stdout.split('\n').filter(Boolean)) log(`  ${l}`);
        const evs = await kubectlAsync(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp'], { allowFail: true });
        for (const l of evs.stdout.split('\n').filter(Boolean).slice(-15)) log(`  ${l}`);
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      log(`${!ok ? 'FAIL' : skipped ? 'SKIPPED' : 'PASS'} in ${secs}s`);
      results.push({ name: s.name, ok, err: err?.message, secs, lines, skipped });
      // best effort: delete the namespace in the background of the next scenario
      if (ok && !process.env.E2E_KEEP) kubectlAsync(['delete', 'namespace', ns, '--wait=false'], { allowFail: true });
    }
  }
  await Promise.all(Array.from({ length: Math.min(nJobs, scenarios.length) }, worker));
  const order = new Map(scenarios.map((s, i) => [s.name, i]));
  results.sort((a, b) => order.get(a.name) - order.get(b.name));
  return { results, secs: (Date.now() - t0) / 1000 };
}

/** A skipped scenario is neither a pass nor a failure: it is counted, and its reason printed, on its own. */
export function summarize(results) {
  console.log('\n| scenario | result | time | evidence |\n|---|---|---|---|');
  for (const r of results) {
    const evidence = (r.ok ? r.lines.filter((l) => !/^PASS|^FAIL|^SKIPPED/.test(l)) : [r.err]).join('<br>').replace(/\|/g, '\\|');
    console.log(`| ${r.name} | ${!r.ok ? 'FAIL' : r.skipped ? 'skipped' : 'pass'} | ${r.secs}s | ${evidence} |`);
  }
  for (const r of results.filter((x) => x.ok && x.skipped)) console.log(`skipped: ${r.name}: ${r.skipped}`);
  const passed = results.filter((r) => r.ok && !r.skipped).length;
  const skipped = results.filter((r) => r.ok && r.skipped).length;
  return { passed, failed: results.length - passed - skipped, skipped };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { results } = await runScenarios();
  const { passed, failed, skipped } = summarize(results);
  console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}
