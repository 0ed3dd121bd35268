/** Editing a list: items matched by position (a longest common subsequence), containers by name. */
import type { Node, YAMLSeq } from 'yaml';
import { deepEqual } from '../equal.js';
import { isObj } from '../kube/index.js';
import { needsVisit, restoreUnder } from './aliases.js';
import { applyEdits, blockListEdits, flowListEdits } from './edits.js';
import { blockSeqEntry, flowEntry } from './entries.js';
import { joinNeighbours, poolFor, printFresh, type Pooled } from './pool.js';
import { column, indentOfLine, range } from './text.js';
import { EmitError, type Ctx, type Edit, type Env } from './types.js';

export function renderSeq(cx: Ctx, node: YAMLSeq, before: unknown[], after: unknown[], env: Env, from?: number): string {
  const text = cx.src.text;
  const [n0, r1] = range(node, env.path);
  const r0 = from ?? n0;
  const items = node.items as Node[];
  if (items.length !== before.length) throw new EmitError('a list whose items do not match its value', env.path);
  const last = env.path[env.path.length - 1];
  const byName = (last === 'containers' || last === 'initContainers') && [...before, ...after].every((c) => isObj(c) && typeof c.name === 'string');
  const id = (v: unknown) => (byName ? `n:${String((v as Record<string, unknown>).name)}` : `v:${stableJson(v)}`);
  const matches = lcs(before.map(id), after.map(id));
  const flow = !!node.flow;
  const edits: Edit[] = [];
  const entries = items.map((it) => (flow ? flowEntry(it, it, env.path) : blockSeqEntry(text, it, env.path, r0)));
  const dashCol = !flow && entries.length > 0 ? column(text, entries[0]!.token) : env.col;
  const deleted = items.map(() => true);
  const inserts = new Map<number, string[]>();
  let ai = 0;
  const insert = (prev: number, upTo: number) => {
    let last: Pooled | undefined;
    const lineIndent = indentOfLine(text, n0);
    for (; ai < upTo; ai++) {
      const list = inserts.get(prev) ?? [];
      inserts.set(prev, list);
      if (!flow) {
        list.push(printBlockItem(cx, after[ai], { ...env }, dashCol));
        continue;
      }
      const pooled = poolFor(cx, after[ai], env, true);
      const joined = pooled && last && list.length > 0 ? joinNeighbours(cx, last, pooled) : undefined;
      if (joined) list[list.length - 1] = joined(0, lineIndent);
      else list.push(pooled ? pooled(0, lineIndent) : printFresh(cx, after[ai], env, true, 0));
      last = joined ?? pooled;
    }
  };
  let prevB = -1;
  for (const [bi, aIdx] of matches) {
    insert(prevB, aIdx);
    ai = aIdx + 1;
    deleted[bi] = false;
    prevB = bi;
    const item = items[bi]!;
    const childEnv: Env = {
      ...env,
      path: [...env.path, aIdx],
      col: dashCol,
      slot: 'item',
      container: byName ? String((after[aIdx] as Record<string, unknown>).name) : env.container,
      containerDepth: byName ? env.path.length + 1 : env.containerDepth,
    };
    if (deepEqual(before[bi], after[aIdx]) && !needsVisit(cx, item, childEnv) && !restoreUnder(cx, childEnv)) continue;
    const ir = range(item, childEnv.path);
    edits.push({ start: ir[0], end: ir[1], text: cx.render(item, before[bi], after[aIdx], childEnv) });
  }
  insert(prevB, after.length);
  if (flow) edits.push(...flowListEdits(cx, text, r0, r1, entries, deleted, inserts, env.path));
  else edits.push(...blockListEdits(cx, entries, deleted, inserts, dashCol, r0, r1));
  return applyEdits(text, r0, r1, edits, env.path);
}

/** A list item printed as `- …` lines at the list's dash column. */
function printBlockItem(cx: Ctx, value: unknown, env: Env, dashCol: number): string {
  const pooled = poolFor(cx, value, env, false);
  if (pooled)
    return [...(pooled.lead ?? []), `- ${pooled(dashCol + 2, dashCol)}`]
      .map((l, i) => (i === 0 || l === '' ? l : `${' '.repeat(dashCol)}${l}`))
      .join(cx.src.eol);
  return printFresh(cx, [value], { ...env, path: [...env.path] }, false, dashCol).replace(/^- ?/, '- ');
}

/** JSON with sorted keys is not wanted here: key order is part of a value's identity. */
function stableJson(v: unknown): string {
  return JSON.stringify(v) ?? 'undefined';
}

/** Longest common subsequence of two id lists: the matched index pairs, in order. */
function lcs(a: string[], b: string[]): [number, number][] {
  // common prefix and suffix first: the usual edit is a few items added at one end
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const out: [number, number][] = [];
  for (let i = 0; i < pre; i++) out.push([i, i]);
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  if (am.length > 0 && bm.length > 0) {
    const m = am.length;
    const n = bm.length;
    const dp: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(0));
    for (let i = m - 1; i >= 0; i--)
      for (let j = n - 1; j >= 0; j--) dp[i]![j] = am[i] === bm[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < m && j < n) {
      if (am[i] === bm[j]) {
        out.push([pre + i, pre + j]);
        i++;
        j++;
      } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++;
      else j++;
    }
  }
  for (let k = 0; k < suf; k++) out.push([a.length - suf + k, b.length - suf + k]);
  return out;
}
