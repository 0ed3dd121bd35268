/**
 * Source text reused in what startorder prints: a container that moves between the lists, the words of a
 * command that move into args. They are printed as placeholders, then the placeholders are filled
 * with the source text (comments and quoting travel with it).
 */
import { isScalar, isSeq, type Node } from 'yaml';
import { deepEqual } from '../equal.js';
import { isObj } from '../kube/index.js';
import { leadOf } from './entries.js';
import { printValue } from './print.js';
import { column, indentOfLine, isBlock, lineEnd, reindent, withEol } from './text.js';
import type { Ctx, Env } from './types.js';

/** Source text to reuse, placed at a column; `lead`: comment lines that go above a list item. */
export type Pooled = ((col: number, lineIndent: number) => string) & { lead?: string[]; word?: { seq?: Node; index?: number; node: Node } };

const PLACEHOLDER = (n: number) => `SOPOOL${n}SOPOOL`;

const PLACEHOLDER_RE = /"?SOPOOL(\d+)SOPOOL"?/g;

/**
 * Prints a value startorder adds, at column `col`: lines after the first are indented to it.
 * Containers and command words that exist in the source come as their source text.
 */
export function printFresh(cx: Ctx, value: unknown, env: Env, flow: boolean, col: number, key?: string): string {
  const subs: Pooled[] = [];
  const marked = markPooled(cx, value, env, flow, subs);
  let printed = printValue(key === undefined ? marked : { [key]: marked }, cx.src.style, flow);
  printed = reindent(printed, col);
  if (subs.length > 0) printed = substitute(cx, printed, col, subs);
  return withEol(printed, cx.src.eol);
}

/** Replaces values that exist in the source by placeholders, filled with source text afterwards. */
function markPooled(cx: Ctx, value: unknown, env: Env, flow: boolean, subs: Pooled[]): unknown {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  let last: Pooled | undefined;
  for (const item of value) {
    const r = poolFor(cx, item, env, flow);
    const joined = r && last && flow ? joinNeighbours(cx, last, r) : undefined;
    if (joined) {
      subs[subs.length - 1] = joined;
      last = joined;
      continue;
    }
    last = r;
    if (!r) {
      out.push(item);
      continue;
    }
    subs.push(r);
    out.push(PLACEHOLDER(subs.length - 1));
  }
  return out;
}

/**
 * Two words that stand next to each other in the same flow list of the source move as one piece
 * of text, so what stood between them (a comment, a commented-out word, a line break) comes along.
 */
export function joinNeighbours(cx: Ctx, a: Pooled, b: Pooled): Pooled | undefined {
  const wa = a.word;
  const wb = b.word;
  if (!wa || !wb || !neighbours(wa, wb)) return undefined;
  const gapFrom = wa.node.range![1];
  const gap = cx.src.text.slice(gapFrom, wb.node.range![0]);
  // The lines of a flow list are indented relative to the line its key is on: that line's indentation
  // moves to the new key's, and a line break between two words keeps its depth below it.
  const keyIndent = indentOfLine(cx.src.text, wa.seq!.range![0]);
  return Object.assign((col: number, lineIndent: number) => a(col, lineIndent) + reindent(gap, lineIndent - keyIndent) + b(col, lineIndent), { word: wb });
}

/** Two words that stand next to each other in the same flow list of the source. */
export function neighbours(a: { seq?: Node; index?: number }, b: { seq?: Node; index?: number }): boolean {
  return !!a.seq && a.seq === b.seq && isSeq(a.seq) && !!a.seq.flow && a.index !== undefined && b.index === a.index + 1;
}

function pooledContainer(cx: Ctx, item: unknown, flow: boolean): Pooled | undefined {
  if (!isObj(item) || typeof item.name !== 'string') return undefined;
  const entry = cx.src.containers.get(item.name);
  if (!entry || !entry.node.range || (flow && isBlock(entry.node))) return undefined;
  const node = entry.node;
  const lead = flow || !isBlock(node) ? [] : leadOf(cx, node);
  return Object.assign(
    (col: number, lineIndent: number) => {
      const env: Env = { path: [], col: 0, slot: 'item', container: String(item.name), containerDepth: 0, copying: true, expandAll: true };
      const origCol = column(cx.src.text, node.range![0]);
      env.col = Math.max(0, origCol - 2);
      const text = cx.render(node, entry.value, item, env).replace(/\r?\n$/, '');
      // flow text keeps its shape relative to the indentation of its line
      return reindent(text, isBlock(node) ? col - origCol : lineIndent - indentOfLine(cx.src.text, node.range![0]));
    },
    { lead },
  );
}

function pooledWord(cx: Ctx, item: unknown, container: string | undefined, flow: boolean): Pooled | undefined {
  if (container === undefined) return undefined;
  const list = cx.src.words.get(container);
  const entry = list?.find((w) => !w.used && deepEqual(w.value, item));
  if (!entry || !entry.node.range) return undefined;
  if (flow && (isBlock(entry.node) || (isScalar(entry.node) && (entry.node.type === 'BLOCK_LITERAL' || entry.node.type === 'BLOCK_FOLDED')))) return undefined;
  entry.used = true;
  const node = entry.node;
  let lead: string[] = [];
  if (!flow && entry.seq && isSeq(entry.seq) && !entry.seq.flow) {
    try {
      lead = leadOf(cx, node);
    } catch {
      lead = [];
    }
  }
  return Object.assign(
    (col: number, lineIndent: number) => {
      const [r0, r1] = node.range!;
      let end = r1;
      if (!flow && !isBlock(node)) {
        // a block item keeps the comment at the end of its line
        const le = lineEnd(cx.src.text, r1);
        const rest = cx.src.text.slice(r1, le);
        if (/^[ \t]+#[^\n]*\r?\n?$/.test(rest)) end = le - (rest.endsWith('\r\n') ? 2 : rest.endsWith('\n') ? 1 : 0);
      }
      const text = cx.src.text.slice(r0, end).replace(/\r?\n$/, '');
      const flowFrom = entry.seq?.range?.[0] ?? r0; // a word's own lines keep their depth below the list's key, as the gaps do
      return reindent(text, flow ? lineIndent - indentOfLine(cx.src.text, flowFrom) : col - column(cx.src.text, r0));
    },
    { lead, word: { node, seq: entry.seq, index: entry.index } },
  );
}

function substitute(cx: Ctx, printed: string, firstCol: number, subs: Pooled[]): string {
  let out = '';
  let pos = 0;
  for (const m of printed.matchAll(PLACEHOLDER_RE)) {
    const offset = m.index;
    const ls = printed.lastIndexOf('\n', offset - 1) + 1;
    const col = offset - ls + (ls === 0 ? firstCol : 0);
    const s = subs[Number(m[1])]!;
    const lead = s.lead ?? [];
    if (lead.length > 0 && ls > 0 && /^ *- $/.test(printed.slice(ls, offset))) {
      // comment lines go above the item's dash line
      out += printed.slice(pos, ls) + lead.map((l) => (l === '' ? '\n' : `${' '.repeat(col - 2)}${l}\n`)).join('') + printed.slice(ls, offset);
    } else out += printed.slice(pos, offset);
    out += s(col, (ls === 0 ? firstCol : 0) + /^ */.exec(printed.slice(ls))![0].length);
    pos = offset + m[0].length;
  }
  return out + printed.slice(pos);
}

export function poolFor(cx: Ctx, value: unknown, env: Env, flow: boolean): Pooled | undefined {
  const last = env.path[env.path.length - 1];
  if (last === 'containers' || last === 'initContainers') return pooledContainer(cx, value, flow);
  if ((last === 'command' || last === 'args') && env.container !== undefined) return pooledWord(cx, value, env.container, flow);
  return undefined;
}
