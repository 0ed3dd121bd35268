/**
 * The hooks of .pre-commit-hooks.yaml, run by the REAL pre-commit (pip-installed into a venv by
 * scripts/tools/build-tools.sh) with `pre-commit try-repo <startorder repo> <hook> --all-files` in a
 * throwaway git repository. Nothing is downloaded at hook time: the hooks are `language: script` and
 * use the machine's Node; pre-commit's clone of this repo builds dist/ itself on first use (npm's cache first).
 *
 * try-repo clones the hook repository and takes only committed, staged and modified tracked files, so
 * the hook repo here is a snapshot of this working tree (tracked and untracked, not ignored files),
 * committed into a temporary repository.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { cannotBuild, ROOT, run, toolPath } from './tools.js';

const EXAMPLE = join(ROOT, 'examples', 'config-sidecar');
let preCommit: string | undefined;
let hookRepo: string;
let skipWhy: string | undefined;
const home = mkdtempSync(join(tmpdir(), 'startorder-pre-commit-home-'));
const env = {
  ...process.env,
  PRE_COMMIT_HOME: join(home, 'cache'),
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function git(cwd: string, ...args: string[]) {
  const r = run('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(() => {
  skipWhy = cannotBuild('pre-commit');
  if (skipWhy) return;
  preCommit = toolPath('pre-commit');
  hookRepo = mkdtempSync(join(tmpdir(), 'startorder-hook-repo-'));
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 64 << 20 })
    .stdout.split('\0')
    .filter(Boolean);
  for (const f of files) {
    try {
      mkdirSync(dirname(join(hookRepo, f)), { recursive: true });
      cpSync(join(ROOT, f), join(hookRepo, f));
    } catch {
      // deleted in the working tree
    }
  }
  git(hookRepo, 'init', '-q');
  git(hookRepo, 'add', '-A');
  git(hookRepo, 'commit', '-q', '-m', 'snapshot');
});

/** A throwaway repository with the example: a spec file and a manifest. */
function userRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-user-repo-'));
  mkdirSync(join(dir, 'k8s'));
  cpSync(join(EXAMPLE, 'deployment.yaml'), join(dir, 'k8s', 'deployment.yaml'));
  cpSync(join(EXAMPLE, 'startorder.yaml'), join(dir, 'k8s', 'startorder.yaml'));
  writeFileSync(join(dir, 'k8s', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}   # untouched\ndata: {a: "1"}\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

const tryRepo = (cwd: string, hook: string) => run(preCommit!, ['try-repo', hookRepo, hook, '--all-files', '--color=never'], { cwd, env, timeout: 600_000 });

test('pre-commit: startorder-check fails with a diff on an out-of-date manifest and writes nothing', (t) => {
  if (skipWhy) return t.skip(skipWhy);
  const dir = userRepo();
  const before = readFileSync(join(dir, 'k8s', 'deployment.yaml'), 'utf8');
  const r = tryRepo(dir, 'startorder-check');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /startorder check.*Failed/);
  assert.match(r.stdout, /^\+\+\+ b\/k8s\/deployment\.yaml$/m);
  assert.match(r.stdout, /^\+.*\/startorder\/run\/config-agent\/ready/m);
  assert.doesNotMatch(r.stdout, /startorder\.yaml$/m, 'the spec file is a spec, not an out-of-date manifest');
  assert.equal(readFileSync(join(dir, 'k8s', 'deployment.yaml'), 'utf8'), before);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('pre-commit: startorder-fix rewrites the manifest, keeps the spec; startorder-check then passes', (t) => {
  if (skipWhy) return t.skip(skipWhy);
  const dir = userRepo();
  const spec = readFileSync(join(dir, 'k8s', 'startorder.yaml'), 'utf8');
  const fix = tryRepo(dir, 'startorder-fix');
  assert.equal(fix.status, 1, `files were modified by this hook: ${fix.stdout}${fix.stderr}`);
  assert.match(fix.stdout, /files were modified by this hook/);
  assert.match(readFileSync(join(dir, 'k8s', 'deployment.yaml'), 'utf8'), /startorder\.dev\/applied/);
  assert.equal(readFileSync(join(dir, 'k8s', 'startorder.yaml'), 'utf8'), spec);
  assert.equal(git(dir, 'status', '--porcelain').trim(), 'M k8s/deployment.yaml');
  const check = tryRepo(dir, 'startorder-check');
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /startorder check.*Passed/);
});

test('pre-commit: startorder-check fails on an invalid spec, naming it', (t) => {
  if (skipWhy) return t.skip(skipWhy);
  const dir = userRepo();
  const spec = join(dir, 'k8s', 'startorder.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('after: [config-agent]', 'after: [nobody]'));
  const r = tryRepo(dir, 'startorder-check');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /error\[unknown-container\]/);
});
