/**
 * The release workflow cannot publish from here, so what it runs is checked instead: every script,
 * npm script, test file, Go test and CLI subcommand it names exists, and the steps that build and
 * check are the ones this suite runs too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')) as {
  on: { push: { tags: string[] } };
  jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
};
const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
const all = runs.join('\n');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

test('release workflow: runs on version tags', () => {
  assert.deepEqual(workflow.on.push.tags, ['v*']);
});

test('release workflow: every script, npm script and test file it names exists', () => {
  const scripts = [...all.matchAll(/\bnode (?:--import tsx --test )?((?:scripts|bin)\/[\w./-]+)/g)].map((m) => m[1]!);
  const tests = [...all.matchAll(/\b(test\/[\w./-]+\.test\.ts)\b/g)].map((m) => m[1]!);
  const npmRuns = [...all.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]!);
  assert.ok(scripts.length >= 3 && tests.length >= 2 && npmRuns.length >= 2, `${scripts.length} scripts, ${tests.length} tests, ${npmRuns.length} npm scripts`);
  for (const f of [...scripts, ...tests]) assert.ok(existsSync(join(ROOT, f)), `${f} does not exist`);
  for (const s of npmRuns) assert.ok(pkg.scripts[s], `npm run ${s}: no such script in package.json`);
  // the same checks npm test runs first, and the pin checked before anything is published
  assert.match(all, /npm run check\b/);
  assert.match(all, /runtime-image\.mjs --check/);
  assert.ok(pkg.scripts.prepack?.includes('runtime-image.mjs --check'), 'npm publish checks the pin through prepack');
});

test('release workflow: the Go tests it selects exist', () => {
  const pattern = /go test [^\n]*-run '([^']+)' (\.\/[\w/.-]+)/.exec(all);
  assert.ok(pattern, 'a go test -run step');
  const dir = join(ROOT, 'runtime', pattern[2]!.replace(/\/$/, ''));
  const source = readdirSync(dir)
    .filter((f) => f.endsWith('_test.go'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  for (const name of pattern[1]!.split('|')) assert.match(source, new RegExp(`func ${name}\\(t \\*testing\\.T\\)`), `${name} is not a test in ${dir}`);
});

test('release workflow: the CLI subcommands it calls exist', () => {
  const calls = [...all.matchAll(/node bin\/startorder\.js ([\w-]+) ([\w-]+)/g)];
  assert.ok(calls.length >= 1);
  for (const [, cmd, sub] of calls) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'startorder.js'), cmd!, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`startorder ${cmd} ${sub}\\b`), `startorder ${cmd} --help does not name ${sub}`);
  }
});
