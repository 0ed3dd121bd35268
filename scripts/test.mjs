#!/usr/bin/env node
// The README's test command (`npm test`): first the checks (shellcheck, gofmt, go vet, …), then it
// builds the CLI and runs the TypeScript suites (unit, golden fixtures, properties, the real bin/ CLI,
// the registry and the integrations with real tools) and the Go runtime's tests. The e2e suite on a
// real kubelet is `npm run test:e2e`; .ci/run runs both.
//   --unit     the unit suites only (no integrations, no Go tests; the checks still run)
//   --checks   the checks only
// Every skip is counted and named with its reason on a line of its own; on CI (CI=true, or
// STARTORDER_CI set by .ci/run after it installed everything) a skip is a failure: it would hide a
// missing install step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const onCI = process.env.CI === 'true' || Boolean(process.env.STARTORDER_CI);
const unitOnly = process.argv.includes('--unit');
const checksOnly = process.argv.includes('--checks');
const PATH = `/usr/local/go/bin:${process.env.PATH}`;
const skips = [];

const fail = (what, status) => {
  process.stderr.write(`\nfailed: ${what} (exit ${status})\n`);
  process.exit(typeof status === 'number' && status > 0 ? status : 1);
};
const run = (cmd, args, opts = {}) => {
  process.stdout.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts, env: { ...process.env, PATH, ...opts.env } });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')}`, r.status ?? r.signal);
};
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env: { ...process.env, PATH } }).status === 0;
/** A missing tool: a counted skip with its reason, or on CI (where everything is installed) a failure. */
const missing = (name, reason) => {
  if (onCI) fail(`check ${name}: ${reason} (on CI every tool is installed)`, 1);
  return reason;
};

// ---------------------------------------------------------------- checks
// Every tracked shell script: *.sh, and files without that ending whose first line names sh or bash.
function shellScripts() {
  const r = spawnSync('git', ['ls-files', '-z'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\0').filter((f) => {
    if (f.endsWith('.sh')) return true;
    if (!f || f.slice(f.lastIndexOf('/') + 1).includes('.') || !existsSync(f)) return false;
    return /^#!.*\b(ba|da)?sh\b/.test(readFileSync(f, 'utf8').split('\n', 1)[0]);
  });
}
function shellcheck() {
  if (!has('shellcheck')) return missing('shellcheck', 'shellcheck is not installed (apt-get install shellcheck)');
  const files = shellScripts();
  if (!files) return missing('shellcheck', 'not a git checkout, so the shell scripts cannot be listed (git ls-files)');
  run('shellcheck', ['-x', ...files]);
}
// The Go modules of the repository, and the packages of each that go vet checks.
const GO_MODULES = [
  { dir: 'runtime', vet: ['./...'] },
  // cmd/etcd is etcd's main in one call: vetting it would type-check all of etcd for nothing.
  { dir: 'test/e2e', vet: ['./images/...', './cmd/injector'] },
  { dir: 'test/registry/htpasswd', vet: ['./...'] },
  { dir: 'test/deploy-crdcheck', vet: ['./...'] },
];
function gofmt() {
  if (!has('gofmt')) return missing('gofmt', 'Go is not installed (gofmt)');
  const dirs = GO_MODULES.map((m) => m.dir);
  process.stdout.write(`\n$ gofmt -l ${dirs.join(' ')}\n`);
  const r = spawnSync('gofmt', ['-l', ...dirs], { encoding: 'utf8', env: { ...process.env, PATH } });
  if (r.status !== 0 || r.stdout.trim()) fail(`gofmt -l: not formatted (run gofmt -w):\n${r.stdout}${r.stderr}`, r.status || 1);
}
function goVet() {
  if (!has('go')) return missing('go vet', 'Go is not installed');
  for (const m of GO_MODULES) run('go', ['vet', ...m.vet], { cwd: m.dir });
}
// The TypeScript checks. The type-check covers sources and tests (tsconfig.check.json) and needs the
// generated validators and version, which the build makes later: made here first.
const npx = (bin, args) => run(process.execPath, [join('node_modules', '.bin', bin), ...args]);
function typecheck() {
  run(process.execPath, ['scripts/build-validators.mjs']);
  npx('tsc', ['-p', 'tsconfig.check.json']);
}
const eslint = () => npx('eslint', ['.']);
const prettier = () => npx('prettier', ['--check', '.']);
// The wrapper built from runtime/ must be the one the CLI names by digest (and runtime-image/, which
// the package ships and the image tests read, is made here).
function runtimePin() {
  if (!has('go')) return missing('runtime image pin', 'Go is not installed, so the runtime image cannot be built');
  run(process.execPath, ['scripts/runtime-image.mjs', '--check']);
}
// deploy/crd.yaml (and the chart's copy) must be what scripts/crd.mjs makes of the schema now.
const crd = () => run(process.execPath, ['scripts/crd.mjs', '--check']);
// Functions of about 60 lines and files of 250 at most (scripts/sizes.mjs; funclen for the Go).
function sizes() {
  run(process.execPath, ['scripts/sizes.mjs', 'src']);
  if (!has('go')) return missing('sizes (Go)', 'Go is not installed');
  run('go', ['run', './internal/tools/funclen', '.'], { cwd: 'runtime' });
}
// The checks, in order, each with the name the output shows; one returns a skip reason or nothing,
// and fails the run itself.
const checks = [
  ['prettier', prettier],
  ['eslint', eslint],
  ['typecheck', typecheck],
  ['shellcheck', shellcheck],
  ['gofmt', gofmt],
  ['go vet', goVet],
  ['runtime image pin', runtimePin],
  ['crd', crd],
  ['sizes', sizes],
];
for (const [name, check] of checks) {
  process.stdout.write(`\n# check: ${name}\n`);
  const skipped = check();
  if (skipped) skips.push(`check ${name} — ${skipped}`);
}

// ---------------------------------------------------------------- suites
const tapDir = mkdtempSync(join(tmpdir(), 'startorder-test-'));
let tapRuns = 0;
const nodeTests = (files, env = process.env) => {
  const tap = join(tapDir, `run-${tapRuns++}.tap`);
  run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { env },
  );
  for (const m of readFileSync(tap, 'utf8').matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)) skips.push(`${m[1]} — ${m[2] || 'no reason given'}`);
};
const suite = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);

function goTests() {
  // -json to see every skip with its reason; shown: the packages' lines, and failures in full.
  process.stdout.write('\n$ go test -count=1 -json ./...\n');
  const r = spawnSync('go', ['test', '-count=1', '-json', './...'], { cwd: 'runtime', encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, PATH } });
  const output = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line);
    const key = `${e.Package} ${e.Test ?? ''}`;
    if (e.Action === 'output') output.set(key, [...(output.get(key) ?? []), e.Output]);
    else if (e.Action === 'skip' && e.Test) {
      const reason = (output.get(key) ?? [])
        .map((o) => /^\s+\S+\.go:\d+: (.*)$/.exec(o.trimEnd())?.[1])
        .filter(Boolean)
        .pop();
      skips.push(`go ${e.Test} — ${reason ?? 'no reason given'}`);
    } else if (e.Action === 'fail') process.stdout.write((output.get(key) ?? []).join(''));
    else if (!e.Test && (e.Action === 'pass' || e.Action === 'skip')) process.stdout.write(`${e.Action === 'pass' ? 'ok  ' : '?   '}\t${e.Package}\n`);
  }
  process.stdout.write(r.stderr);
  if (r.status !== 0) fail('go test', r.status ?? r.signal);
}

if (!checksOnly) {
  run('npm', ['run', '--silent', 'build']);
  // test/integrations runs the real kustomize, Helm 3 and 4 and pre-commit (built and cached on first use).
  nodeTests([...suite('test'), ...(unitOnly ? [] : suite('test/integrations'))]);
  // The same golden and diagnostic suites once more against the bundle that bin/ runs.
  nodeTests(['test/fixtures.test.ts', 'test/diagnostics.test.ts'], { ...process.env, STARTORDER_TEST_TARGET: 'build' });
  if (!unitOnly && existsSync('runtime/go.mod')) goTests();
}
rmSync(tapDir, { recursive: true, force: true });
process.stdout.write(`\nskipped: ${skips.length}\n${skips.map((s) => `  skip: ${s}\n`).join('')}`);
// A skip whose reason names the suite that runs the test instead (npm run test:e2e, which has the
// containerd it needs) is not a hole; any other skip on CI is.
if (onCI && skips.some((s) => !s.includes('npm run test:e2e runs it'))) {
  process.stderr.write('failed: tests were skipped on CI, where every tool they need is installed\n');
  process.exit(1);
}
