/*
 * Hand-written on purpose: the `diff` package (createTwoFilesPatch) gives the same text, but bench/diff.mjs
 * measured it 3× slower on 100–1,000-line manifests and minutes instead of a quarter second at 10,000.
 */

/** Past this many cells of the LCS table the middle of a diff is treated as replaced (never hit by a pod). */
const MAX_CELLS = 4_000_000;

/**
 * Longest common subsequence of two line lists. Returns, for each line of `b`, the index of the
 * equal line in `a` or -1. Common head and tail are matched first, so the table only spans the
 * part that changed.
 */
function matchLines(a: readonly string[], b: readonly string[]): number[] {
  const match = new Array<number>(b.length).fill(-1);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) match[head] = head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    match[b.length - 1 - tail] = a.length - 1 - tail;
    tail++;
  }
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n === 0 || m === 0 || n * m > MAX_CELLS) return match;
  // table[i][j] = LCS length of a[head+i..] and b[head+j..]
  const w = m + 1;
  const table = new Int32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = a[head + i] === b[head + j] ? table[(i + 1) * w + j + 1]! + 1 : Math.max(table[(i + 1) * w + j]!, table[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[head + i] === b[head + j]) {
      match[head + j] = head + i;
      i++;
      j++;
    } else if (table[(i + 1) * w + j]! >= table[i * w + j + 1]!) i++;
    else j++;
  }
  return match;
}

type Op = { t: ' ' | '-' | '+'; s: string; ai: number; bi: number };

/** Lines without their newline (a final empty line is the last newline, not a line). */
function linesOf(t: string): string[] {
  const l = t.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** The edit script: each line of either text as kept, deleted or added, with its place in both. */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const match = matchLines(a, b);
  const ops: Op[] = [];
  let ai = 0;
  for (let bi = 0; bi < b.length; bi++) {
    const mi = match[bi]!;
    if (mi >= 0) {
      while (ai < mi) ops.push({ t: '-', s: a[ai]!, ai: ai++, bi });
      ops.push({ t: ' ', s: b[bi]!, ai: ai++, bi });
    } else ops.push({ t: '+', s: b[bi]!, ai, bi });
  }
  while (ai < a.length) ops.push({ t: '-', s: a[ai]!, ai: ai++, bi: b.length });
  return ops;
}

/** Within a block of changes, deletions come first, as in every unified diff. */
function deletionsFirst(ops: Op[]): void {
  for (let i = 0; i < ops.length;) {
    if (ops[i]!.t === ' ') {
      i++;
      continue;
    }
    let j = i;
    while (j < ops.length && ops[j]!.t !== ' ') j++;
    const block = ops.slice(i, j);
    const dels = block.filter((o) => o.t === '-');
    const adds = block.filter((o) => o.t === '+');
    const firstB = Math.min(...block.map((o) => o.bi));
    const firstA = Math.min(...block.map((o) => o.ai));
    ops.splice(i, block.length, ...dels.map((o) => ({ ...o, bi: firstB })), ...adds.map((o) => ({ ...o, ai: firstA + dels.length })));
    i = j;
  }
}

/** The end of the hunk whose first change is at `i`: changes closer than 2×context lines share one. */
function hunkEnd(ops: readonly Op[], i: number, context: number): number {
  let end = i;
  while (end < ops.length) {
    if (ops[end]!.t !== ' ') {
      end++;
      continue;
    }
    let run = 0;
    while (end + run < ops.length && ops[end + run]!.t === ' ') run++;
    if (end + run >= ops.length || run > 2 * context) return Math.min(ops.length, end + context);
    end += run;
  }
  return end;
}

/** A unified diff of two texts (`---`/`+++` headers, hunks with 3 lines of context). */
export function unifiedDiff(aName: string, bName: string, aText: string, bText: string, context = 3): string {
  if (aText === bText) return '';
  const a = linesOf(aText);
  const b = linesOf(bText);
  // A text that does not end with a newline gets the usual marker after its last line.
  const aNoEol = aText !== '' && !aText.endsWith('\n');
  const bNoEol = bText !== '' && !bText.endsWith('\n');
  const ops = editScript(a, b);
  deletionsFirst(ops);
  const out = [`--- ${aName}`, `+++ ${bName}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.t === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    const end = hunkEnd(ops, i, context);
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${hunk[0]!.ai + (aLen > 0 ? 1 : 0)},${aLen} +${hunk[0]!.bi + (bLen > 0 ? 1 : 0)},${bLen} @@`);
    for (const o of hunk) {
      out.push(`${o.t}${o.s}`);
      const lastA = o.t !== '+' && o.ai === a.length - 1 && aNoEol;
      const lastB = o.t !== '-' && o.bi === b.length - 1 && bNoEol;
      if (lastA || lastB) out.push('\\ No newline at end of file');
    }
    i = end;
  }
  return `${out.join('\n')}\n`;
}
