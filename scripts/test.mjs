#!/usr/bin/env node
// The README's test command (`npm test`): builds the CLI, runs the TypeScript suites (unit, golden
// fixtures, properties, the real bin/ CLI, the registry and the integrations with real tools) and the
// Go runtime's tests. The e2e suite on a real
// kubelet is `npm run test:e2e`; .ci/run runs both.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, opts = {}) => {
  process.stdout.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`\nfailed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
};

const unitOnly = process.argv.includes('--unit');
run('npm', ['run', '--silent', 'build']);
const suite = (dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`);
// test/integrations runs the real kustomize, Helm 3 and 4 and pre-commit (built and cached on first use).
const tests = [...suite('test'), ...(unitOnly ? [] : suite('test/integrations'))];

// Every skip is counted and named with its reason on a line of its own; on CI (STARTORDER_CI, set by
// .ci/run after it installed everything) a skip is a failure: it would hide a missing install step.
const skips = [];
const tapDir = mkdtempSync(join(tmpdir(), 'startorder-test-'));
let tapRuns = 0;
const nodeTests = (files, env = process.env) => {
  const tap = join(tapDir, `run-${tapRuns++}.tap`);
  run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], { env });
  for (const m of readFileSync(tap, 'utf8').matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)) skips.push(`${m[1]} — ${m[2] || 'no reason given'}`);
};
nodeTests(tests);
// The same golden and diagnostic suites once more against the bundle that bin/ runs.
nodeTests(['test/fixtures.test.ts', 'test/diagnostics.test.ts'], { ...process.env, STARTORDER_TEST_TARGET: 'build' });
if (!unitOnly && existsSync('runtime/go.mod')) {
  run('go', ['vet', './...'], { cwd: 'runtime' });
  // -json to see every skip with its reason; shown: the packages' lines, and failures in full.
  process.stdout.write('\n$ go test -count=1 -json ./...\n');
  const r = spawnSync('go', ['test', '-count=1', '-json', './...'], { cwd: 'runtime', encoding: 'utf8', maxBuffer: 1 << 28 });
  const output = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line);
    const key = `${e.Package} ${e.Test ?? ''}`;
    if (e.Action === 'output') output.set(key, [...(output.get(key) ?? []), e.Output]);
    else if (e.Action === 'skip' && e.Test) {
      const reason = (output.get(key) ?? []).map((o) => /^\s+\S+\.go:\d+: (.*)$/.exec(o.trimEnd())?.[1]).filter(Boolean).pop();
      skips.push(`go ${e.Test} — ${reason ?? 'no reason given'}`);
    } else if (e.Action === 'fail') process.stdout.write((output.get(key) ?? []).join(''));
    else if (!e.Test && (e.Action === 'pass' || e.Action === 'skip')) process.stdout.write(`${e.Action === 'pass' ? 'ok  ' : '?   '}\t${e.Package}\n`);
  }
  process.stdout.write(r.stderr);
  if (r.status !== 0) {
    process.stderr.write(`\nfailed: go test (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}
rmSync(tapDir, { recursive: true, force: true });
process.stdout.write(`\nskipped: ${skips.length}\n${skips.map((s) => `  skip: ${s}\n`).join('')}`);
// A skip whose reason names the suite that runs the test instead (npm run test:e2e, which has the
// containerd it needs) is not a hole; any other skip on CI is.
if (skips.some((s) => !s.includes('npm run test:e2e runs it')) && process.env.STARTORDER_CI) {
  process.stderr.write('failed: tests were skipped on CI, where every tool they need is installed\n');
  process.exit(1);
}
