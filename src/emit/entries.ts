/** The entries of a collection as spans of source text: for inserting next to them, deleting them, moving them with their comments. */
import type { Node, Pair } from 'yaml';
import { EmitError, type Ctx, type Path } from './types.js';
import { lineEnd, lineStart, onlySpaceBefore, range } from './text.js';

/** One entry of a collection as a span of text, for inserting next to it and deleting it. */
export interface Entry {
  /** Where the entry's first token starts (a key, or the dash of a block item). */
  token: number;
  /**
   * Block, token first on its line: the start of that line, or of the comment lines right above it
   * at the same column (they belong to the entry and move with it). Else the token.
   */
  start: number;
  /** Block: after the newline ending its last line; flow: the end of its value. */
  end: number;
  ownLine: boolean;
}

/**
 * The start of the lines right above the line starting at `ls` that belong to it: comment lines at
 * column `col` and blank lines. An entry owns what stands above it, so it moves with it, and a
 * blank line between two entries stays between them when one of them leaves and comes back.
 */
function leadStart(text: string, ls: number, col: number, floor: number): number {
  let s = ls;
  let best = ls;
  while (s > floor && s > 0) {
    const prev = lineStart(text, s - 1);
    if (prev < floor) break;
    const line = text.slice(prev, s).replace(/\r?\n$/, '');
    if (/^[ \t]*$/.test(line)) {
      s = prev;
      best = prev;
      continue;
    }
    const m = /^( *)#/.exec(line);
    if (!m || m[1]!.length !== col) break;
    s = prev;
    best = prev;
  }
  return best;
}

function dashOf(text: string, item: Node, path: Path): number {
  const r0 = range(item, path)[0];
  const ls = lineStart(text, r0);
  const m = /-[ \t]+(?:[&!][^ \t]*[ \t]+)*$|-$/.exec(text.slice(ls, r0));
  if (m) return ls + m.index;
  // `- &anchor` (or a bare `-`) on a line of its own, the item's content on the next one
  if (ls > 0 && /^[ \t]*$/.test(text.slice(ls, r0))) {
    const prev = lineStart(text, ls - 1);
    const p = /-(?:[ \t]+[&!][^ \t]*)*[ \t]*(?:#[^\n]*)?\r?\n$/.exec(text.slice(prev, ls));
    if (p && onlySpaceBefore(text, prev + p.index)) return prev + p.index;
  }
  throw new EmitError('a list item whose dash is not on its line', path);
}

export function blockSeqEntry(text: string, item: Node, path: Path, floor: number): Entry {
  const dash = dashOf(text, item, path);
  const own = onlySpaceBefore(text, dash);
  const ls = lineStart(text, dash);
  return { token: dash, start: own ? leadStart(text, ls, dash - ls, floor) : dash, end: lineEnd(text, range(item, path)[1]), ownLine: own };
}

export function blockMapEntry(text: string, pair: Pair, path: Path, floor: number): Entry {
  const key = pair.key as Node;
  const k0 = range(key, path)[0];
  const value = pair.value as Node | null;
  const end = value && value.range ? value.range[1] : range(key, path)[1];
  const own = onlySpaceBefore(text, k0);
  const ls = lineStart(text, k0);
  return { token: k0, start: own ? leadStart(text, ls, k0 - ls, floor) : k0, end: lineEnd(text, end), ownLine: own };
}

export function flowEntry(first: Node, last: Node | null, path: Path): Entry {
  const start = range(first, path)[0];
  const end = last && last.range ? last.range[1] : range(first, path)[1];
  return { token: start, start, end, ownLine: false };
}

/** The comment lines right above a block list item (they move with it), without their indentation. */
export function leadOf(cx: Ctx, node: Node): string[] {
  const text = cx.src.text;
  const dash = dashOf(text, node, []);
  if (!onlySpaceBefore(text, dash)) return [];
  const ls = lineStart(text, dash);
  const start = leadStart(text, ls, dash - ls, 0);
  if (start === ls) return [];
  return text
    .slice(start, ls)
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .map((l) => l.slice(dash - ls));
}
