/**
 * Golden fixtures: one folder per scenario under fixtures/, discovered by a loop.
 *
 *   fixtures/<case>/input.yaml | input.json   the manifest(s) to transform
 *   fixtures/<case>/startorder.yaml           the spec (-c); optional when the pod template carries
 *                                             the startorder.dev/spec annotation
 *   fixtures/<case>/args                      optional: extra CLI flags, one per line
 *   fixtures/<case>/expected.yaml|json        stdout of a successful run
 *   fixtures/<case>/expected-diagnostics.json [{code, severity, path?, container?, line?, column?}]
 *                                             (absent = no diagnostics; message wording is never compared)
 *   fixtures/<case>/expected-exit             the exit code
 *
 * STARTORDER_REGEN=1 rewrites the expected files (and prints each file it writes or removes) instead
 * of comparing. Every success case is also checked for idempotence (the output run through again is
 * byte-identical) and for `revert` (the reverted output parses to the same data as the input).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

import { cli } from './target.js';
import { goRead } from './goyaml.js';
import type { IO } from '../src/cli/io.js';

const ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));
const REGEN = process.env.STARTORDER_REGEN === '1';
const SPEC = 'startorder.yaml';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process; `files` is the whole (in-memory) file system, keyed by relative name. */
async function run(argv: string[], files: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    argv,
    cwd: '/fixture',
    readStdin: async () => '',
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: async (f) => {
      const text = files[f];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${f}'`), { code: 'ENOENT' });
      return text;
    },
    writeFileAtomic: async () => {
      throw new Error('fixtures never write files');
    },
    expand: async (a) => (a in files ? [a] : []),
  };
  const code = await cli(io);
  return { code, stdout, stderr };
}

type Diag = { code: string; severity: string; path?: (string | number)[]; container?: string; line?: number; column?: number };

/** The compared fields of each diagnostic, in a fixed key order. */
function diagnosticsOf(r: Run): Diag[] {
  if (r.stderr.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stderr);
  } catch {
    throw new assert.AssertionError({ message: `stderr is not a JSON array of diagnostics (exit ${r.code}):\n${r.stderr}` });
  }
  assert.ok(Array.isArray(parsed), 'stderr must hold a JSON array');
  return (parsed as Record<string, unknown>[]).map((d) => {
    const out: Diag = { code: String(d.code), severity: String(d.severity) };
    if (d.path !== undefined) out.path = d.path as Diag['path'];
    if (d.container !== undefined) out.container = d.container as string;
    if (d.line !== undefined) out.line = d.line as number;
    if (d.column !== undefined) out.column = d.column as number;
    return out;
  });
}

/** Plain data of every document of a YAML (or JSON) stream, read as Kubernetes reads it (YAML 1.1). */
function dataOf(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}

interface Case {
  name: string;
  dir: string;
  inputName: string;
  input: string;
  files: Record<string, string>;
  argv: string[];
  expectedOut: string;
}

function loadCase(name: string): Case {
  const dir = join(ROOT, name);
  const inputName = ['input.yaml', 'input.json'].find((f) => existsSync(join(dir, f)));
  if (!inputName) throw new Error(`fixtures/${name}: no input.yaml or input.json`);
  const input = readFileSync(join(dir, inputName), 'utf8');
  const files: Record<string, string> = { [inputName]: input };
  const argv: string[] = [];
  if (existsSync(join(dir, SPEC))) {
    files[SPEC] = readFileSync(join(dir, SPEC), 'utf8');
    argv.push('-c', SPEC);
  }
  if (existsSync(join(dir, 'args'))) {
    argv.push(
      ...readFileSync(join(dir, 'args'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    );
  }
  argv.push('--error-format', 'json', inputName);
  return { name, dir, inputName, input, files, argv, expectedOut: inputName.endsWith('.json') ? 'expected.json' : 'expected.yaml' };
}

function regen(c: Case, r: Run, diags: Diag[]): void {
  const write = (f: string, text: string) => {
    const p = join(c.dir, f);
    if (existsSync(p) && readFileSync(p, 'utf8') === text) return;
    writeFileSync(p, text);
    console.log(`STARTORDER_REGEN: wrote fixtures/${c.name}/${f}`);
  };
  const remove = (f: string) => {
    const p = join(c.dir, f);
    if (!existsSync(p)) return;
    rmSync(p);
    console.log(`STARTORDER_REGEN: removed fixtures/${c.name}/${f}`);
  };
  write('expected-exit', `${r.code}\n`);
  if (diags.length > 0) write('expected-diagnostics.json', `${JSON.stringify(diags, null, 2)}\n`);
  else remove('expected-diagnostics.json');
  for (const f of ['expected.yaml', 'expected.json']) if (f !== c.expectedOut || r.code !== 0) remove(f);
  if (r.code === 0) write(c.expectedOut, r.stdout);
}

const cases = readdirSync(ROOT)
  .filter((n) => statSync(join(ROOT, n)).isDirectory())
  .sort();

test('there are fixtures', () => {
  assert.ok(cases.length > 0, 'no fixture folders under fixtures/');
});

for (const name of cases) {
  const c = loadCase(name);

  test(`${name}: output, exit code and diagnostics`, async () => {
    const r = await run(c.argv, c.files);
    const diags = diagnosticsOf(r);
    if (REGEN) return regen(c, r, diags);
    const expectedExit = Number(readFileSync(join(c.dir, 'expected-exit'), 'utf8').trim());
    const diagFile = join(c.dir, 'expected-diagnostics.json');
    const expectedDiags = existsSync(diagFile) ? (JSON.parse(readFileSync(diagFile, 'utf8')) as Diag[]) : [];
    assert.deepEqual(diags, expectedDiags, 'diagnostics (code, severity, path, container, line, column)');
    assert.equal(r.code, expectedExit, `exit code; stderr:\n${r.stderr}`);
    if (expectedExit === 0) assert.equal(r.stdout, readFileSync(join(c.dir, c.expectedOut), 'utf8'), 'stdout');
    else assert.equal(r.stdout, '', 'nothing on stdout when the run fails');
  });

  const succeeds = REGEN || Number(readFileSync(join(c.dir, 'expected-exit'), 'utf8').trim()) === 0;
  if (!succeeds) continue;

  test(`${name}: idempotent (the output run through again is byte-identical)`, async (t) => {
    const first = await run(c.argv, c.files);
    if (first.code !== 0) return t.skip('the run fails');
    const second = await run(c.argv, { ...c.files, [c.inputName]: first.stdout });
    assert.equal(second.code, 0, `second run failed:\n${second.stderr}`);
    assert.equal(second.stdout, first.stdout);
  });

  test(`${name}: revert of the output gives the input's data back`, async (t) => {
    const first = await run(c.argv, c.files);
    if (first.code !== 0) return t.skip('the run fails');
    const reverted = await run(['revert', '--error-format', 'json', c.inputName], { [c.inputName]: first.stdout });
    assert.equal(reverted.code, 0, `revert failed:\n${reverted.stderr}`);
    assert.deepEqual(dataOf(reverted.stdout), dataOf(c.input));
    // Without StartOrder documents in the input (the output leaves them out), revert is byte-exact.
    if (!/^kind:\s*StartOrder\b/m.test(c.input) && c.argv[0] !== 'revert') assert.equal(reverted.stdout, c.input, 'revert gives the input back byte for byte');
  });

  test(`${name}: the output means the same to sigs.k8s.io/yaml (kubectl, the apiserver)`, async (t) => {
    const first = await run(c.argv, c.files);
    if (first.code !== 0) return t.skip('the run fails');
    const docs = parseAllDocuments(first.stdout, { version: '1.1' }).filter((d) => d.contents !== null);
    const go = await goRead(docs.map((d) => first.stdout.slice(d.range[0], d.range[2])));
    assert.deepEqual(
      go.map(sortKeys),
      docs.map((d) => sortKeys(d.toJS({ maxAliasCount: -1 }))),
    );
  });
}

/** Go readers give maps with sorted keys: compare without key order. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
