/**
 * The emitter edits the user's text; it never re-prints a document. Given the YAML node of a resource
 * as the user wrote it, the value it held (`before`) and the value it must hold (`after`), `render`
 * returns the new text of that node: every byte outside what changed is copied from the source, and
 * only what startorder adds is printed, in the style of its surroundings (block or flow, the list's
 * own indentation). Lists are matched by position (a longest common subsequence of equal items);
 * only `containers`/`initContainers` items are matched by name, which Kubernetes makes unique.
 * A container that moves between the two lists, and the words of a rewritten command that move into
 * `args`, move as their source text, so comments and quoting travel with them. An aliased node is
 * never edited in place for its other uses: a use that must differ becomes a copy, and the uses that
 * must not change are written out in full when the anchor itself changes (see `planAliases`).
 *
 * Anything the engine cannot place faithfully throws an EmitError; the pipeline then reports an
 * internal error instead of printing a wrong manifest (and the output is verified again anyway).
 */
import { Document, isAlias, isCollection, isMap, isScalar, isSeq, visit, type Alias, type Node, type Pair, type ToStringOptions } from 'yaml';
import { deepEqual } from '../equal.js';
import { isObj } from '../types.js';
import { needsQuotes } from './quote.js';

export class EmitError extends Error {
  constructor(message: string, readonly path: readonly (string | number)[]) {
    super(message);
  }
}

type Path = (string | number)[];

export interface EditStyle {
  /** A JSON file: what startorder adds is JSON too, in one line per value. */
  json?: boolean;
  indent: number;
  indentSeq: boolean;
  flowPadding: boolean;
}

export interface Sources {
  text: string;
  eol: string;
  style: EditStyle;
  /** Container nodes of the resource before the change, by name (a container may move lists). */
  containers: Map<string, { node: Node; value: unknown }>;
  /** The command/args word nodes of each container before the change (with their list and place). */
  words: Map<string, { node: Node; value: unknown; used: boolean; seq?: Node; index?: number }[]>;
  /** Anchor name → the node that defines it (the last definition before a use wins in YAML). */
  anchorOf: (alias: Alias) => Node | undefined;
  /** The plain value of a node of the document. */
  valueOf: (node: Node) => unknown;
  /** Anchored nodes whose kept aliases must be written out in full (second pass). */
  expand: Set<Node>;
  /** Anchored nodes changed in place (found by the first pass). */
  edited: Set<Node>;
  /**
   * revert: the user's own text of nodes the transform replaced (a command, an alias), by
   * `container/path/in/it`, with the value it held; used where the value is that value again.
   */
  restore?: Map<string, { text: string; value?: unknown }>;
}

interface Env {
  path: Path;
  /** Indentation column of the parent: the key of a map value, the dash of a list item. */
  col: number;
  slot: 'value' | 'item';
  container?: string;
  /** Where in `path` the container's own keys start (for `restore`). */
  containerDepth?: number;
  /** Rendering a copy (an alias written out, a moved container): its anchors are not the user's. */
  copying: boolean;
  /** Inside moved text every alias is written out: its anchor may now come after it. */
  expandAll: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Source text to reuse, placed at a column; `lead`: comment lines that go above a list item. */
type Pooled = ((col: number, lineIndent: number) => string) & { lead?: string[]; word?: { seq?: Node; index?: number; node: Node } };

function indentOfLine(text: string, p: number): number {
  const ls = lineStart(text, p);
  return /^ */.exec(text.slice(ls))![0].length;
}

const PLACEHOLDER = (n: number) => `SOPOOL${n}SOPOOL`;
const PLACEHOLDER_RE = /"?SOPOOL(\d+)SOPOOL"?/g;

export function rootEnv(path: Path): Env {
  return { path, col: 0, slot: 'value', copying: false, expandAll: false };
}

// ---------------------------------------------------------------- positions in the source text

function lineStart(text: string, p: number): number {
  return text.lastIndexOf('\n', p - 1) + 1;
}

/** The position just after the newline that ends the line on which `p` stands (or the text's end). */
function lineEnd(text: string, p: number): number {
  if (p > 0 && text[p - 1] === '\n') return p;
  const q = text.indexOf('\n', p);
  return q < 0 ? text.length : q + 1;
}

function column(text: string, p: number): number {
  return p - lineStart(text, p);
}

function onlySpaceBefore(text: string, p: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, p), p));
}

function isBlock(node: Node | null | undefined): boolean {
  return !!node && isCollection(node) && !node.flow;
}

function range(node: Node, path: Path): [number, number, number] {
  if (!node.range) throw new EmitError('a node without a source range', path);
  return node.range;
}

/** One entry of a collection as a span of text, for inserting next to it and deleting it. */
interface Entry {
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
export function leadStart(text: string, ls: number, col: number, floor: number): number {
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

function blockSeqEntry(text: string, item: Node, path: Path, floor: number): Entry {
  const dash = dashOf(text, item, path);
  const own = onlySpaceBefore(text, dash);
  const ls = lineStart(text, dash);
  return { token: dash, start: own ? leadStart(text, ls, dash - ls, floor) : dash, end: lineEnd(text, range(item, path)[1]), ownLine: own };
}

function blockMapEntry(text: string, pair: Pair, path: Path, floor: number): Entry {
  const key = pair.key as Node;
  const k0 = range(key, path)[0];
  const value = pair.value as Node | null;
  const end = value && value.range ? value.range[1] : range(key, path)[1];
  const own = onlySpaceBefore(text, k0);
  const ls = lineStart(text, k0);
  return { token: k0, start: own ? leadStart(text, ls, k0 - ls, floor) : k0, end: lineEnd(text, end), ownLine: own };
}

function flowEntry(first: Node, last: Node | null, path: Path): Entry {
  const start = range(first, path)[0];
  const end = last && last.range ? last.range[1] : range(first, path)[1];
  return { token: start, start, end, ownLine: false };
}

// ---------------------------------------------------------------- printing what startorder adds

function quoteStrings(doc: Document): void {
  visit(doc, {
    Scalar(_k, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
}

function printOptions(style: EditStyle): ToStringOptions {
  return { lineWidth: 0, minContentWidth: 0, indent: style.indent, indentSeq: style.indentSeq, flowCollectionPadding: style.flowPadding };
}

/** The value printed at column 0 (no final newline); `flow` prints every collection in flow style. */
function jsonInline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jsonInline).join(', ')}]`;
  if (isObj(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${jsonInline(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * What startorder adds is mostly the same for every workload (the init container, the volumes, the
 * mounts): printing goes through a small cache keyed by the value and the style.
 */
const printed = new Map<string, string>();
const PRINT_CACHE_MAX = 4096;

function printValue(value: unknown, style: EditStyle, flow: boolean): string {
  const key = `${style.json ? 'j' : ''}${style.indent}${style.indentSeq ? 's' : ''}${style.flowPadding ? 'p' : ''}${flow ? 'f' : ''}${JSON.stringify(value)}`;
  const hit = printed.get(key);
  if (hit !== undefined) return hit;
  const text = printUncached(value, style, flow);
  if (printed.size >= PRINT_CACHE_MAX) printed.clear();
  printed.set(key, text);
  return text;
}

function printUncached(value: unknown, style: EditStyle, flow: boolean): string {
  if (style.json) return jsonInline(value);
  if (flow && (value === null || typeof value !== 'object')) {
    // A scalar inside a flow collection: printed in one, so `,` `[` `]` `{` `}` are quoted.
    return printValue([value], { ...style, flowPadding: false }, true).replace(/^\[|\]$/g, '');
  }
  const doc = new Document(value, { version: '1.1' });
  quoteStrings(doc);
  if (flow) {
    visit(doc, {
      Map(_k, n) {
        n.flow = true;
      },
      Seq(_k, n) {
        n.flow = true;
      },
    });
  }
  return doc.toString(printOptions(style)).replace(/\n$/, '');
}

/** Lines after the first move by `delta` columns (the first is placed by the caller). */
function reindent(text: string, delta: number): string {
  if (delta === 0) return text;
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line === '' || line === '\r') return line;
      if (delta > 0) return ' '.repeat(delta) + line;
      const lead = /^ */.exec(line)![0].length;
      return line.slice(Math.min(lead, -delta));
    })
    .join('\n');
}

function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}

// ---------------------------------------------------------------- the engine

export class Renderer {
  private pool: string[] = [];

  constructor(private readonly src: Sources) {}

  /** The text of the source between two offsets. */
  private slice(a: number, b: number): string {
    return this.src.text.slice(a, b);
  }

  /** Whether a node that keeps its value still needs visiting (an alias inside must be written out). */
  private needsVisit(node: Node | null | undefined, env: Env): boolean {
    if (!node) return false;
    if (this.src.expand.size === 0 && !env.expandAll) return false;
    let found = false;
    const check = (n: unknown) => {
      if (isAlias(n)) {
        const t = this.src.anchorOf(n);
        if (env.expandAll || (t && this.src.expand.has(t))) found = true;
      }
    };
    check(node);
    if (!found && isCollection(node)) {
      visit(node, {
        Alias: (_k, n) => {
          check(n);
          return found ? visit.BREAK : undefined;
        },
      });
    }
    return found;
  }

  /** The new text of `node` (its source range [0, 1)) so that it holds `after` where it held `before`. */
  render(node: Node | null, before: unknown, after: unknown, env: Env, from?: number): string {
    if (node === null) throw new EmitError('no node to edit', env.path);
    const restored = this.restored(after, env);
    if (restored !== undefined) return restored;
    const same = deepEqual(before, after);
    if (same && !this.needsVisit(node, env) && !this.restoreUnder(env)) {
      const r = range(node, env.path);
      return this.slice(from ?? r[0], r[1]);
    }
    if (isAlias(node)) return this.renderAlias(node, before, after, env);
    if (!same && !env.copying && node.anchor) this.src.edited.add(node);
    if (isMap(node) && isObj(before) && isObj(after)) return this.renderMap(node as import('yaml').YAMLMap, before, after, env, from);
    if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && (after.length > 0 || node.flow)) return this.renderSeq(node as import('yaml').YAMLSeq, before, after, env, from);
    if (from !== undefined && from < range(node, env.path)[0]) return this.slice(from, range(node, env.path)[0]) + this.replace(node, after, env);
    return this.replace(node, after, env);
  }

  /** revert: whether a recorded text lies at or under this place (then it is visited). */
  private restoreUnder(env: Env): boolean {
    if (!this.src.restore || this.src.restore.size === 0 || env.container === undefined || env.containerDepth === undefined) return false;
    const prefix = [env.container, ...env.path.slice(env.containerDepth)].join('/');
    for (const k of this.src.restore.keys()) if (k === prefix || k.startsWith(`${prefix}/`)) return true;
    return false;
  }

  private restored(after: unknown, env: Env): string | undefined {
    if (!this.src.restore || env.container === undefined || env.containerDepth === undefined) return undefined;
    const key = [env.container, ...env.path.slice(env.containerDepth)].join('/');
    const r = this.src.restore.get(key);
    if (!r || ('value' in r && !deepEqual(r.value, after))) return undefined;
    // A block value below its key was recorded from the line after the key (where a render `from`
    // starts); any other value from its first character.
    return r.text;
  }

  /** An alias whose use must differ, or whose anchor changed: the anchor's text, changed, in its place. */
  private renderAlias(node: Alias, before: unknown, after: unknown, env: Env): string {
    const target = this.src.anchorOf(node);
    if (!target || !target.range) throw new EmitError(`an alias *${node.source} without its anchor`, env.path);
    const copyEnv: Env = { ...env, copying: true };
    let text = this.render(target, before, after, copyEnv);
    const targetCol = column(this.src.text, target.range[0]);
    if (isBlock(target)) {
      // A block collection cannot follow `key: ` on its line: it starts on the next line.
      const col = this.blockCol(env, isSeq(target));
      text = text.replace(/\r?\n$/, '');
      return `${this.src.eol}${' '.repeat(col)}${reindent(text, col - targetCol)}`;
    }
    return reindent(text, column(this.src.text, range(node, env.path)[0]) - targetCol);
  }

  /** The column a block collection printed as this slot's value starts at. */
  private blockCol(env: Env, seq: boolean): number {
    if (env.slot === 'item') return env.col + 2;
    return env.col + (seq ? (this.src.style.indentSeq ? this.src.style.indent : 0) : this.src.style.indent);
  }

  /** A collection replaced as a whole, in its own style (block lines stay block lines). */
  private replaceWhole(node: Node, after: unknown, env: Env): string {
    const [r0] = range(node, env.path);
    if (isBlock(node)) return `${this.printFresh(after, env, false, column(this.src.text, r0))}${this.src.eol}`;
    return this.printFresh(after, env, true, column(this.src.text, r0));
  }

  /** A value printed in place of another (a scalar changed, null became a list, …). */
  private replace(node: Node, after: unknown, env: Env): string {
    const [r0, r1] = range(node, env.path);
    const eol = this.src.eol;
    const collection = after !== null && typeof after === 'object';
    const empty = collection && (Array.isArray(after) ? after.length === 0 : Object.keys(after as object).length === 0);
    if (isBlock(node)) {
      // The old value filled whole lines: so does the new one.
      const col = column(this.src.text, r0);
      const printed = this.printFresh(after, env, !collection || empty, col);
      return `${printed}${eol}`;
    }
    if (collection && !empty && (r0 === r1 || (isScalar(node) && node.value === null))) {
      if (env.slot === 'item') {
        const col = env.col + 2;
        return this.printFresh(after, env, false, col);
      }
      const col = this.blockCol(env, Array.isArray(after));
      return `${eol}${' '.repeat(col)}${this.printFresh(after, env, false, col)}`;
    }
    return this.printFresh(after, env, true, column(this.src.text, r0));
  }

  /**
   * Prints a value startorder adds, at column `col`: lines after the first are indented to it.
   * Containers and command words that exist in the source come as their source text.
   */
  private printFresh(value: unknown, env: Env, flow: boolean, col: number, key?: string): string {
    const subs: Pooled[] = [];
    const marked = this.markPooled(value, env, flow, subs);
    let printed = printValue(key === undefined ? marked : { [key]: marked }, this.src.style, flow);
    printed = reindent(printed, col);
    if (subs.length > 0) printed = this.substitute(printed, col, subs);
    return withEol(printed, this.src.eol);
  }

  /** Replaces values that exist in the source by placeholders, filled with source text afterwards. */
  private markPooled(value: unknown, env: Env, flow: boolean, subs: Pooled[]): unknown {
    if (!Array.isArray(value)) return value;
    const out: unknown[] = [];
    let last: Pooled | undefined;
    for (const item of value) {
      const r = this.poolFor(item, env, flow);
      const joined = r && last && flow ? this.joinNeighbours(last, r) : undefined;
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
  private joinNeighbours(a: Pooled, b: Pooled): Pooled | undefined {
    const wa = a.word;
    const wb = b.word;
    if (!wa || !wb || !this.neighbours(wa, wb)) return undefined;
    const gapFrom = wa.node.range![1];
    const gap = this.slice(gapFrom, wb.node.range![0]);
    return Object.assign((col: number, lineIndent: number) => a(col, lineIndent) + reindent(gap, lineIndent - indentOfLine(this.src.text, gapFrom)) + b(col, lineIndent), { word: wb });
  }

  /** Two words that stand next to each other in the same flow list of the source. */
  private neighbours(a: { seq?: Node; index?: number }, b: { seq?: Node; index?: number }): boolean {
    return !!a.seq && a.seq === b.seq && isSeq(a.seq) && !!a.seq.flow && a.index !== undefined && b.index === a.index + 1;
  }

  /** The comment lines right above a block list item (they move with it), without their indentation. */
  private leadOf(node: Node): string[] {
    const text = this.src.text;
    const dash = dashOf(text, node, []);
    if (!onlySpaceBefore(text, dash)) return [];
    const ls = lineStart(text, dash);
    const start = leadStart(text, ls, dash - ls, 0);
    if (start === ls) return [];
    return text.slice(start, ls).replace(/\r?\n$/, '').split(/\r?\n/).map((l) => l.slice(dash - ls));
  }

  private pooledContainer(item: unknown, flow: boolean): Pooled | undefined {
    if (!isObj(item) || typeof item.name !== 'string') return undefined;
    const entry = this.src.containers.get(item.name);
    if (!entry || !entry.node.range || (flow && isBlock(entry.node))) return undefined;
    const node = entry.node;
    const lead = flow || !isBlock(node) ? [] : this.leadOf(node);
    return Object.assign((col: number, lineIndent: number) => {
      const env: Env = { path: [], col: 0, slot: 'item', container: String(item.name), containerDepth: 0, copying: true, expandAll: true };
      const origCol = column(this.src.text, node.range![0]);
      env.col = Math.max(0, origCol - 2);
      const text = this.render(node, entry.value, item, env).replace(/\r?\n$/, '');
      // flow text keeps its shape relative to the indentation of its line
      return reindent(text, isBlock(node) ? col - origCol : lineIndent - indentOfLine(this.src.text, node.range![0]));
    }, { lead });
  }

  private pooledWord(item: unknown, container: string | undefined, flow: boolean): Pooled | undefined {
    if (container === undefined) return undefined;
    const list = this.src.words.get(container);
    const entry = list?.find((w) => !w.used && deepEqual(w.value, item));
    if (!entry || !entry.node.range) return undefined;
    if (flow && (isBlock(entry.node) || (isScalar(entry.node) && (entry.node.type === 'BLOCK_LITERAL' || entry.node.type === 'BLOCK_FOLDED')))) return undefined;
    entry.used = true;
    const node = entry.node;
    let lead: string[] = [];
    if (!flow && entry.seq && isSeq(entry.seq) && !entry.seq.flow) {
      try {
        lead = this.leadOf(node);
      } catch {
        lead = [];
      }
    }
    return Object.assign((col: number, lineIndent: number) => {
      const [r0, r1] = node.range!;
      let end = r1;
      if (!flow && !isBlock(node)) {
        // a block item keeps the comment at the end of its line
        const le = lineEnd(this.src.text, r1);
        const rest = this.slice(r1, le);
        if (/^[ \t]+#[^\n]*\r?\n?$/.test(rest)) end = le - (rest.endsWith('\r\n') ? 2 : rest.endsWith('\n') ? 1 : 0);
      }
      const text = this.slice(r0, end).replace(/\r?\n$/, '');
      return reindent(text, flow ? lineIndent - indentOfLine(this.src.text, r0) : col - column(this.src.text, r0));
    }, { lead, word: { node, seq: entry.seq, index: entry.index } });
  }

  private substitute(printed: string, firstCol: number, subs: Pooled[]): string {
    let out = '';
    let pos = 0;
    for (const m of printed.matchAll(PLACEHOLDER_RE)) {
      const offset = m.index!;
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

  // ------------------------------------------------------------ maps

  private renderMap(node: import('yaml').YAMLMap, before: Record<string, unknown>, after: Record<string, unknown>, env: Env, from?: number): string {
    const text = this.src.text;
    const [n0, r1] = range(node, env.path);
    const r0 = from ?? n0;
    const pairs = node.items as Pair[];
    const keys = pairs.map((p) => (isScalar(p.key) ? keyName(p.key.value) : undefined));
    if (keys.some((k) => k === undefined)) throw new EmitError('a mapping with a complex key', env.path);
    const own = keys as string[];
    const afterKeys = Object.keys(after);
    const kept = own.filter((k) => k !== '<<' && k in after);
    const keptOrder = afterKeys.filter((k) => kept.includes(k));
    if (!deepEqual(kept, keptOrder)) {
      // A value whose keys change their order (a startupProbe startorder replaces) is written anew.
      if (env.path.length > 0) return this.slice(r0, n0) + this.replaceWhole(node, after, env);
      throw new EmitError('keys that change their order', env.path);
    }
    const flow = !!node.flow;
    const edits: Edit[] = [];
    const keyCol = pairs.length > 0 ? column(text, range(pairs[0]!.key as Node, env.path)[0]) : env.col;
    const entries = pairs.map((p) => (flow ? flowEntry(p.key as Node, p.value as Node | null, env.path) : blockMapEntry(text, p, env.path, r0)));
    const deleted = pairs.map((_p, i) => own[i] !== '<<' && !(own[i]! in after));

    pairs.forEach((p, i) => {
      const k = own[i]!;
      if (deleted[i]) return;
      const value = p.value as Node | null;
      const childEnv: Env = { ...env, path: [...env.path, k], col: keyCol, slot: 'value' };
      if (k === '<<') {
        // a merge keeps its source unless that must be written out (its anchor now comes after it)
        if (!value || (!this.needsVisit(value, childEnv) && !this.restoreUnder(childEnv))) return;
        const v = this.src.valueOf(value);
        edits.push(this.valueEdit(value, this.render(value, v, v, childEnv), childEnv.path));
        return;
      }
      if (!value) {
        if (deepEqual(before[k], after[k])) return;
        throw new EmitError('a key without a value node', childEnv.path);
      }
      const b = before[k];
      const a = after[k];
      if (deepEqual(b, a) && !this.needsVisit(value, childEnv) && !this.restoreUnder(childEnv)) return;
      const vr = range(value, childEnv.path);
      // A block value on the lines below its key is edited from the line after the key, so that
      // comments above its first entry belong to that entry.
      const keyEnd = lineEnd(text, range(p.key as Node, childEnv.path)[1]);
      const vfrom = isBlock(value) && keyEnd <= vr[0] && /^[ \t]*$/.test(text.slice(range(p.key as Node, childEnv.path)[1], keyEnd).replace(/^:/, '').replace(/\r?\n$/, '')) ? keyEnd : vr[0];
      const back = vfrom !== vr[0] ? this.restored(a, childEnv) : undefined;
      if (back !== undefined && !/^[ \t]*(-|#|\r?\n)|^[ \t]+\S/.test(back)) edits.push(this.valueEdit(value, back, childEnv.path));
      else if (vfrom !== vr[0]) edits.push({ start: vfrom, end: vr[1], text: this.render(value, b, a, childEnv, vfrom) });
      else edits.push(this.valueEdit(value, this.render(value, b, a, childEnv), childEnv.path));
    });

    // New keys go after the key that precedes them in `after`.
    const inserts = new Map<number, string[]>();
    afterKeys.forEach((k, j) => {
      if (own.includes(k)) return;
      // a key that comes from a merge (`<<: *base`) with its value unchanged stays there
      if (own.includes('<<') && k in before && deepEqual(before[k], after[k])) return;
      let prev = -1;
      for (let x = j - 1; x >= 0 && prev < 0; x--) prev = own.indexOf(afterKeys[x]!);
      const childEnv: Env = { ...env, path: [...env.path, k], col: keyCol, slot: 'value' };
      // New `args` next to a flow `command` are written in flow style too.
      const commandNode = node.get('command', true) as Node | undefined;
      const flowValue = !flow && k === 'args' && Array.isArray(after[k]) && !!commandNode && isSeq(commandNode) && !!commandNode.flow;
      const t = flowValue ? `${k}: ${this.printFresh(after[k], childEnv, true, keyCol)}` : this.printPair(k, after[k], childEnv, flow, keyCol);
      const list = inserts.get(prev) ?? [];
      list.push(t);
      inserts.set(prev, list);
    });
    if (flow) edits.push(...this.flowListEdits(text, r0, r1, entries, deleted, inserts, env.path));
    else edits.push(...this.blockListEdits(entries, deleted, inserts, keyCol, r0, r1));
    return applyEdits(text, r0, r1, edits, env.path);
  }

  /** The edit of a value in place; one that now starts on the next line takes the spaces before it. */
  private valueEdit(value: Node, text: string, path: Path): Edit {
    const [v0, v1] = range(value, path);
    const src = this.src.text;
    let start = v0;
    if (text.startsWith(this.src.eol)) while (start > 0 && (src[start - 1] === ' ' || src[start - 1] === '\t')) start--;
    else if (isBlock(value) && !/^[ \t]*(-|[^\s#][^\n]*:(\s|$))/.test(text)) {
      // a block value below its key becomes a scalar, flow or alias: back on the key's line
      const keyLineEnd = src.lastIndexOf('\n', v0 - 1);
      const colon = src.lastIndexOf(':', keyLineEnd);
      if (colon >= 0 && /^[ \t]*\r?\n[ \t]*$/.test(src.slice(colon + 1, v0))) {
        const nl = src.slice(v0, v1).endsWith('\n') && !text.endsWith('\n') ? this.src.eol : '';
        return { start: colon + 1, end: v1, text: `${text === '' ? '' : ' '}${text}${nl}` };
      }
    }
    return { start, end: v1, text };
  }

  private printPair(key: string, value: unknown, env: Env, flow: boolean, keyCol: number): string {
    if (flow) return this.printFresh(value, env, true, keyCol, key).replace(/^\{ ?|\s?\}$/g, '');
    return this.printFresh(value, env, false, keyCol, key);
  }

  // ------------------------------------------------------------ lists

  private renderSeq(node: import('yaml').YAMLSeq, before: unknown[], after: unknown[], env: Env, from?: number): string {
    const text = this.src.text;
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
          list.push(this.printBlockItem(after[ai], { ...env }, dashCol));
          continue;
        }
        const pooled = this.poolFor(after[ai], env, true);
        const joined = pooled && last && list.length > 0 ? this.joinNeighbours(last, pooled) : undefined;
        if (joined) list[list.length - 1] = joined(0, lineIndent);
        else list.push(pooled ? pooled(0, lineIndent) : this.printFresh(after[ai], env, true, 0));
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
      const childEnv: Env = { ...env, path: [...env.path, aIdx], col: dashCol, slot: 'item', container: byName ? String((after[aIdx] as Record<string, unknown>).name) : env.container, containerDepth: byName ? env.path.length + 1 : env.containerDepth };
      if (deepEqual(before[bi], after[aIdx]) && !this.needsVisit(item, childEnv) && !this.restoreUnder(childEnv)) continue;
      const ir = range(item, childEnv.path);
      edits.push({ start: ir[0], end: ir[1], text: this.render(item, before[bi], after[aIdx], childEnv) });
    }
    insert(prevB, after.length);
    if (flow) edits.push(...this.flowListEdits(text, r0, r1, entries, deleted, inserts, env.path));
    else edits.push(...this.blockListEdits(entries, deleted, inserts, dashCol, r0, r1));
    return applyEdits(text, r0, r1, edits, env.path);
  }

  /** A list item printed as `- …` lines at the list's dash column. */
  private printBlockItem(value: unknown, env: Env, dashCol: number): string {
    const pooled = this.poolFor(value, env, false);
    if (pooled) return [...(pooled.lead ?? []), `- ${pooled(dashCol + 2, dashCol)}`].map((l, i) => (i === 0 || l === '' ? l : `${' '.repeat(dashCol)}${l}`)).join(this.src.eol);
    return this.printFresh([value], { ...env, path: [...env.path] }, false, dashCol).replace(/^- ?/, '- ');
  }

  private printFlowItem(value: unknown, env: Env, lineIndent: number): string {
    const pooled = this.poolFor(value, env, true);
    if (pooled) return pooled(0, lineIndent);
    return this.printFresh(value, env, true, 0);
  }

  private poolFor(value: unknown, env: Env, flow: boolean): Pooled | undefined {
    const last = env.path[env.path.length - 1];
    if (last === 'containers' || last === 'initContainers') return this.pooledContainer(value, flow);
    if ((last === 'command' || last === 'args') && env.container !== undefined) return this.pooledWord(value, env.container, flow);
    return undefined;
  }

  // ------------------------------------------------------------ edits of entries

  private blockListEdits(entries: Entry[], deleted: boolean[], inserts: Map<number, string[]>, col: number, from: number, to: number): Edit[] {
    const text = this.src.text;
    const eol = this.src.eol;
    const ind = ' '.repeat(col);
    const out: Edit[] = [];
    // Whole lines where the edit region allows it; else from the token (the first entry of a map
    // that is a list item, or of the document).
    const lines = (e: Entry) => e.ownLine && e.start >= from;
    const firstKept = deleted.indexOf(false);
    if (firstKept < 0 && entries.length > 0) {
      // Every entry goes: the new ones take the place of the old.
      const texts = [...inserts.values()].flat();
      if (texts.length === 0) throw new EmitError('a block collection left empty', []);
      const first = entries[0]!;
      const last = entries[entries.length - 1]!;
      const nl = text.slice(0, last.end).endsWith('\n') ? eol : '';
      if (lines(first)) return [{ start: first.start, end: last.end, text: `${texts.map((t) => `${ind}${t}`).join(eol)}${nl}` }];
      return [{ start: first.token, end: last.end, text: `${texts.join(`${eol}${ind}`)}${nl}` }];
    }
    const spans: Edit[] = [];
    entries.forEach((e, i) => {
      if (!deleted[i]) return;
      if (lines(e)) {
        // whole lines; neighbours that go too make one span
        const last = spans[spans.length - 1];
        if (last && last.end === e.start) last.end = e.end;
        else spans.push({ start: e.start, end: e.end, text: '' });
        return;
      }
      if (i !== 0) throw new EmitError('deleting an entry that shares its line', []);
      // the first entry, from its token: up to the next entry's token on its line
      const next = entries[1]!;
      const end = next.ownLine ? next.start + Math.min(col, /^ */.exec(text.slice(next.start))![0].length) : next.token;
      out.push({ start: e.token, end, text: '' });
    });
    for (const sp of spans) {
      // A last line without a newline (the file's end, or a null value that ends the collection
      // before its newline) takes the newline before it along.
      const atEof = sp.end === text.length && !text.endsWith('\n');
      if (sp.end > to) out.push({ start: Math.max(from, sp.start - eol.length), end: to, text: '' });
      else out.push(atEof ? { ...sp, start: Math.max(from, sp.start - eol.length) } : sp);
    }
    for (const [prev, texts] of inserts) {
      if (prev >= 0) {
        const e = entries[prev]!;
        const atEof = e.end === text.length && !text.endsWith('\n');
        const body = texts.map((t) => (t.startsWith(eol) || t === '' ? t : `${ind}${t}`)).join(eol);
        if (e.end > to) out.push({ start: to, end: to, text: `${eol}${body}` });
        else out.push({ start: e.end, end: e.end, text: atEof ? `${eol}${body}` : `${body}${eol}` });
      } else {
        const first = entries[0];
        if (!first) throw new EmitError('an empty block collection', []);
        if (lines(first)) out.push({ start: first.start, end: first.start, text: texts.map((t) => `${t.startsWith(eol) || t === '' ? '' : ind}${t}${eol}`).join('') });
        else out.push({ start: first.token, end: first.token, text: texts.map((t) => `${t}${eol}${ind}`).join('') });
      }
    }
    return out;
  }

  private flowListEdits(text: string, r0: number, r1: number, entries: Entry[], deleted: boolean[], inserts: Map<number, string[]>, path: Path): Edit[] {
    const out: Edit[] = [];
    const n = entries.length;
    if (n === 0) {
      const texts = inserts.get(-1) ?? [];
      if (texts.length === 0) return out;
      const inner = this.slice(r0 + 1, r1 - 1);
      if (inner.trim() !== '') throw new EmitError('an empty flow collection with content', path);
      const pad = this.src.style.flowPadding ? ' ' : '';
      out.push({ start: r0 + 1, end: r1 - 1, text: `${pad}${texts.join(', ')}${pad}` });
      return out;
    }
    if (deleted.every((d) => d)) {
      const texts = [...inserts.values()].flat();
      if (texts.length === 0 && this.slice(r0 + 1, entries[0]!.start).trim() === '' && this.slice(entries[n - 1]!.end, r1 - 1).trim() === '') {
        // the last entry goes with the padding it came with: `{}` again
        out.push({ start: r0 + 1, end: r1 - 1, text: '' });
        return out;
      }
      out.push({ start: entries[0]!.start, end: entries[n - 1]!.end, text: texts.join(', ') });
      return out;
    }
    for (let i = 0; i < n; i++) {
      if (!deleted[i]) continue;
      let j = i;
      while (j + 1 < n && deleted[j + 1]) j++;
      if (i > 0) out.push({ start: entries[i - 1]!.end, end: entries[j]!.end, text: '' });
      else out.push({ start: entries[0]!.start, end: entries[j + 1]!.start, text: '' });
      i = j;
    }
    const eol = this.src.eol;
    for (const [prev, texts] of inserts) {
      if (prev >= 0) {
        const e = entries[prev]!;
        const after = /^[ \t]*,[ \t]*\r?\n/.exec(text.slice(e.end));
        const ownLine = onlySpaceBefore(text, e.token);
        const ind = ' '.repeat(indentOfLine(text, e.token));
        if (after && ownLine) {
          // one entry a line: the new ones get lines of their own
          const at = e.end + after[0].length;
          out.push({ start: at, end: at, text: texts.map((t) => `${ind}${t},${eol}`).join('') });
        } else if (ownLine && prev === n - 1 && /^[ \t]*\r?\n/.test(text.slice(e.end))) {
          out.push({ start: e.end, end: e.end, text: texts.map((t) => `,${eol}${ind}${t}`).join('') });
        } else out.push({ start: e.end, end: e.end, text: texts.map((t) => `, ${t}`).join('') });
      } else {
        const firstKept = entries[deleted.indexOf(false)]!;
        if (onlySpaceBefore(text, firstKept.token)) {
          const ind = ' '.repeat(indentOfLine(text, firstKept.token));
          out.push({ start: firstKept.start, end: firstKept.start, text: texts.map((t) => `${t},${eol}${ind}`).join('') });
        } else out.push({ start: firstKept.start, end: firstKept.start, text: texts.map((t) => `${t}, `).join('') });
      }
    }
    return out;
  }
}

/** A key as toJS names it; the YAML 1.1 merge key `<<` parses to a symbol. */
export function keyName(v: unknown): string {
  return typeof v === 'symbol' ? '<<' : String(v);
}

function applyEdits(text: string, from: number, to: number, edits: Edit[], path: Path): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((x, y) => x.e.start - y.e.start || (x.e.end - x.e.start) - (y.e.end - y.e.start) || x.i - y.i);
  let out = '';
  let pos = from;
  for (const { e } of sorted) {
    if (e.start < pos && e.end <= to && e.text === '') {
      // A deletion that takes the newline before it (the last line of a file without one) may
      // reach into the end of the edit before it, which kept that newline as it was.
      const overlap = text.slice(e.start, pos);
      if (/^\s*$/.test(overlap) && out.endsWith(overlap)) {
        out = out.slice(0, out.length - overlap.length) + text.slice(pos, pos);
        pos = Math.max(pos, e.end);
        continue;
      }
    }
    if (e.start < pos || e.end > to) throw new EmitError(`overlapping edits (${e.start}-${e.end} after ${pos}, up to ${to}: ${JSON.stringify(text.slice(e.start, e.end))} / ${JSON.stringify(e.text.slice(0, 60))})`, path);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos, to);
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
    for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) dp[i]![j] = am[i] === bm[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
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
