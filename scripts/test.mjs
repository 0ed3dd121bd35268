#!/usr/bin/env node
// The README's test command (`npm test`): builds the CLI, runs the TypeScript suites (unit, golden
// fixtures, properties, the real bin/ CLI, the registry and the integrations with real tools) and the
// Go runtime's tests. The e2e suite on a real
// kubelet is `npm run test:e2e`; .ci/run runs both.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

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
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...tests]);
// The same golden and diagnostic suites once more against the bundle that bin/ runs.
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/fixtures.test.ts', 'test/diagnostics.test.ts'], {
  env: { ...process.env, STARTORDER_TEST_TARGET: 'build' },
});
if (!unitOnly && existsSync('runtime/go.mod')) {
  run('go', ['vet', './...'], { cwd: 'runtime' });
  run('go', ['test', '-count=1', './...'], { cwd: 'runtime' });
}
