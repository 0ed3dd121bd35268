/**
 * Shared helpers of the integration suites (and of test/registry/): the real third-party tools, built
 * from the Go module proxy (or pip-installed) by scripts/tools/build-tools.sh into
 * ~/.cache/startorder/tools-<tool>-<version>/.
 * A missing tool is built here, not skipped; the first build of all of them takes a few minutes.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'startorder.js');
export const FIXTURES = join(ROOT, 'fixtures');
export const REGEN = process.env.STARTORDER_REGEN === '1';
const BUILD = join(ROOT, 'scripts', 'tools', 'build-tools.sh');

export type Tool = 'kustomize' | 'helm3' | 'helm4' | 'pre-commit' | 'registry' | 'htpasswd';

/** Why this machine cannot build `tool` at all (then, and only then, a test may skip), or undefined. */
export function cannotBuild(tool: Tool): string | undefined {
  const need = tool === 'pre-commit' ? 'python3' : 'go';
  const r = spawnSync('sh', ['-c', `command -v ${need}`], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${need} is not installed on this machine, so scripts/tools/build-tools.sh cannot build ${tool}`;
}

/** The tool's binary, built first when missing. */
export function toolPath(tool: Tool): string {
  const r = spawnSync('bash', [BUILD, 'path', tool], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/tools/build-tools.sh path ${tool} failed (exit ${r.status ?? r.signal})`);
  const p = r.stdout.trim().split('\n').pop()!;
  if (!existsSync(p)) throw new Error(`build-tools.sh printed ${p}, which does not exist`);
  return p;
}

export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), error: r.error };
}

/** Compares with a golden file, or (STARTORDER_REGEN=1) rewrites it. */
export function golden(file: string, actual: string): { expected: string; actual: string } {
  if (REGEN && (!existsSync(file) || readFileSync(file, 'utf8') !== actual)) {
    writeFileSync(file, actual);
    console.log(`STARTORDER_REGEN: wrote ${file}`);
  }
  return { expected: readFileSync(file, 'utf8'), actual };
}
