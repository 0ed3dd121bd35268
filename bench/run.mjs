#!/usr/bin/env node
// npm run bench: wall time, workloads/s and peak RSS of `startorder` on streams of 1, 100, 1,000 and
// 10,000 Deployments, beside the floor (yaml parse + print of the same stream) and `node -e 0`,
// measured in the same run. Writes the table to stdout; --write puts it into BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const SIZES = (process.env.BENCH_SIZES ?? '1,100,1000,10000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'startorder-bench-'));
const spec = join(dir, 'startorder.yaml');
writeFileSync(spec, readFileSync('examples/config-sidecar/startorder.yaml', 'utf8').replace(/ {2}selector:\n( {4}.*\n)+/, ''));
const one = readFileSync('examples/config-sidecar/deployment.yaml', 'utf8');

function stream(n) {
  const file = join(dir, `stream-${n}.yaml`);
  const docs = [];
  for (let i = 0; i < n; i++) docs.push(one.replace(/name: web\n/, `name: web-${i}\n`));
  writeFileSync(file, docs.join('---\n'));
  return file;
}

function measure(args) {
  const times = [];
  let rss = 0;
  for (let i = 0; i < REPEAT; i++) {
    const out = openSync('/dev/null', 'w');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    closeSync(out);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    const m = /\{"maxRSSKiB":(\d+)\}/.exec(r.stderr ?? '');
    rss = Math.max(rss, m ? Number(m[1]) : 0);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], rssMiB: rss / 1024 };
}

/** kustomize build with a JSON patch that makes the same change on every Deployment (the peer). */
const KUSTOMIZE = join(homedir(), '.cache', 'startorder', 'tools-kustomize-v5.8.2', 'bin', 'kustomize');
const PATCH = [
  {
    op: 'add',
    path: '/spec/template/spec/initContainers',
    value: [
      {
        name: 'startorder-init',
        image: 'ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0',
        command: ['/startorder-entrypoint', 'init', '/startorder/bin/entrypoint'],
        volumeMounts: [{ name: 'startorder-bin', mountPath: '/startorder/bin' }],
      },
    ],
  },
  { op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['/startorder/bin/entrypoint'] },
  {
    op: 'replace',
    path: '/spec/template/spec/containers/0/args',
    value: [
      '-status_dir',
      '/startorder/run/app',
      '-wait_status',
      '/startorder/run/config-agent/ready',
      '-entrypoint',
      '/bin/web',
      '--',
      '--config',
      '/etc/app/config.yaml',
      '--listen',
      ':8080',
    ],
  },
  { op: 'add', path: '/spec/template/spec/containers/0/volumeMounts/-', value: { name: 'startorder-bin', mountPath: '/startorder/bin', readOnly: true } },
  { op: 'replace', path: '/spec/template/spec/containers/1/command', value: ['/startorder/bin/entrypoint'] },
  {
    op: 'add',
    path: '/spec/template/spec/containers/1/args',
    value: [
      '-status_dir',
      '/startorder/run/config-agent',
      '-ready_file',
      '/etc/app/config.yaml',
      '-entrypoint',
      '/bin/config-agent',
      '--',
      '--out=/etc/app/config.yaml',
    ],
  },
  { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'startorder-bin', emptyDir: {} } },
  { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'startorder-run', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } } },
];
function kustomizeRow(n) {
  if (!existsSync(KUSTOMIZE)) return undefined;
  const kdir = mkdtempSync(join(dir, `kustomize-${n}-`));
  copyFileSync(stream(n), join(kdir, 'stream.yaml'));
  writeFileSync(
    join(kdir, 'kustomization.yaml'),
    `resources:\n  - stream.yaml\npatches:\n  - target: {kind: Deployment}\n    patch: '${JSON.stringify(PATCH).replace(/'/g, "''")}'\n`,
  );
  const times = [];
  for (let i = 0; i < Math.min(REPEAT, 3); i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(KUSTOMIZE, ['build', kdir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`kustomize build failed: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const empty = measure(['-e', '0']);
const rows = [];
for (const n of SIZES) {
  const file = stream(n);
  const tool = measure(['bench/child.mjs', 'cli', '-c', spec, file]);
  const floor = measure(['bench/child.mjs', 'floor', file]);
  rows.push({ n, tool, floor });
}
const f1 = (x) => x.toFixed(1);
const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, median of ${REPEAT} runs.`,
  `Reproduce: \`npm run bench\` (or \`BENCH_SIZES=10000 npm run bench\` for one row).`,
  '',
  '| Deployments | startorder wall ms | workloads/s | peak RSS MiB | floor (yaml parse+print) ms | ratio to floor | floor RSS MiB |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${f1(r.tool.ms)} | ${Math.round((r.n / r.tool.ms) * 1000)} | ${f1(r.tool.rssMiB)} | ${f1(r.floor.ms)} | ${(r.tool.ms / r.floor.ms).toFixed(2)}× | ${f1(r.floor.rssMiB)} |`,
  ),
  '',
  `\`node -e 0\`: ${f1(empty.ms)} ms; one Deployment cold: ${f1(rows.find((r) => r.n === 1)?.tool.ms ?? NaN)} ms = ${((rows.find((r) => r.n === 1)?.tool.ms ?? NaN) / empty.ms).toFixed(2)}× \`node -e 0\`.`,
];
const peers = (process.env.BENCH_KUSTOMIZE ?? '1000,5000').split(',').filter(Boolean).map(Number);
const krows = peers.map((n) => ({ n, k: kustomizeRow(n), tool: measure(['bench/child.mjs', 'cli', '-c', spec, stream(n)]) })).filter((r) => r.k !== undefined);
if (krows.length > 0) {
  lines.push(
    '',
    'The peer: `kustomize build` (v5.8.2) of the same stream with a JSON patch that makes the same change on every Deployment, measured in the same run:',
    '',
  );
  lines.push('| Deployments | startorder ms | kustomize build ms | kustomize / startorder |', '|---:|---:|---:|---:|');
  for (const r of krows) lines.push(`| ${r.n} | ${f1(r.tool.ms)} | ${f1(r.k)} | ${(r.k / r.tool.ms).toFixed(2)}× |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
