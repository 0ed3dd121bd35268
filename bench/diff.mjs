#!/usr/bin/env node
// `check`'s unified diff: the hand-written src/emit/diff.ts beside the `diff` package
// (createTwoFilesPatch) on manifest pairs of about 100, 1,000 and 10,000 lines (the example
// Deployment repeated, and what startorder makes of it). Run: node --import tsx bench/diff.mjs.
// Prints the median time of each and whether the two outputs are byte-identical. The package is
// timed fewer times on the largest pair (BENCH_LIB_REPEAT_LARGE, default 1): it takes minutes there.
// The package is not a dependency (the measurement kept the hand-written diff): install it for the
// run with `npm install --no-save diff`.
import { readFileSync } from 'node:fs';
import { transform } from '../src/pipeline/index.ts';
import { unifiedDiff } from '../src/emit/diff.ts';

const { createTwoFilesPatch } = await import('diff').catch(() => {
  console.error('bench/diff.mjs compares with the diff package: npm install --no-save diff');
  process.exit(2);
});

const SIZES = (process.env.BENCH_LINES ?? '100,1000,10000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const LIB_LARGE = Number(process.env.BENCH_LIB_REPEAT_LARGE ?? 1);
const one = readFileSync('examples/config-sidecar/deployment.yaml', 'utf8');
const spec = readFileSync('examples/config-sidecar/startorder.yaml', 'utf8').replace(/ {2}selector:\n( {4}.*\n)+/, '');

function pair(lines) {
  const docs = [];
  for (let i = 0; docs.join('---\n').split('\n').length < lines; i++) docs.push(one.replace(/name: web\n/, `name: web-${i}\n`));
  const input = docs.join('---\n');
  return { input, output: transform([{ name: 'in.yaml', text: input }], { configs: [{ name: 's.yaml', text: spec }] }).files[0].text };
}

function time(f, repeat) {
  const ms = [];
  let out = '';
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    out = f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], out };
}

// The package puts a line of `=` above the headers; `check` prints `--- a/x` / `+++ b/x` only.
const pkg = (a, b, x, y) => createTwoFilesPatch(a, b, x, y, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');

console.log('| input lines | output lines | diff lines | src/emit/diff.ts | diff createTwoFilesPatch | identical |');
console.log('|---:|---:|---:|---:|---:|:---:|');
for (const lines of SIZES) {
  const { input, output } = pair(lines);
  const own = time(() => unifiedDiff('a/in.yaml', 'b/in.yaml', input, output), REPEAT);
  const lib = time(() => pkg('a/in.yaml', 'b/in.yaml', input, output), lines >= 10_000 ? LIB_LARGE : REPEAT);
  console.log(
    `| ${input.split('\n').length} | ${output.split('\n').length} | ${own.out.split('\n').length} | ${own.ms.toFixed(1)} ms | ${lib.ms.toFixed(1)} ms | ${own.out === lib.out ? 'yes' : 'no'} |`,
  );
  if (own.out !== lib.out) {
    const a = own.out.split('\n');
    const b = lib.out.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    console.log(`first difference at line ${i + 1}: own ${JSON.stringify(a[i])} / package ${JSON.stringify(b[i])}`);
  }
}
