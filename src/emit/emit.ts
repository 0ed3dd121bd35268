import { isNode, isSeq, parseDocument, visit, type Document, type Node, type ToStringOptions } from 'yaml';
import type { SourceFile } from '../load/parse.js';
import type { Obj } from '../types.js';
import { reconcile, type Pool } from './reconcile.js';
import { isObj } from '../types.js';
import { deepEqual, trailingWhitespace } from '../equal.js';
import { PARSE_OPTIONS } from '../load/parse.js';
import { restoreLines } from './restore.js';

/** A resource whose value changed: where it sits, what it was, what it becomes. */
export interface Change {
  document: number;
  path: (string | number)[];
  before: Obj;
  after: Obj;
}

/**
 * The printer's settings, pinned in one place. lineWidth 0: never fold a long argument line.
 * Indentation and the style of sequences under a key follow the user's file (see detectStyle).
 */
export const EMIT_OPTIONS: ToStringOptions = {
  lineWidth: 0,
  minContentWidth: 0,
  indent: 2,
  indentSeq: true,
  flowCollectionPadding: true,
};

/** Reads the user's indentation habits so inserted lines look like theirs. */
export function detectStyle(text: string): ToStringOptions {
  const lines = text.split('\n');
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let i = 0; i + 1 < lines.length && (indent === undefined || indentSeq === undefined); i++) {
    const cur = /^( *)[^\s#-][^#]*:\s*$/.exec(lines[i]!);
    if (!cur) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j]!)) j++;
    const next = /^( *)(- )?/.exec(lines[j] ?? '')!;
    const diff = next[1]!.length - cur[1]!.length;
    if (next[2] && indentSeq === undefined) indentSeq = diff > 0;
    else if (!next[2] && diff > 0 && indent === undefined) indent = diff;
  }
  const padding = /[[{] \S/.test(text) ? true : /[[{][^\s\]}]/.test(text) ? false : true;
  return { ...EMIT_OPTIONS, indent: indent ?? 2, indentSeq: indentSeq ?? true, flowCollectionPadding: padding };
}

/** The container nodes of a resource by name, so a container that moves between lists keeps its node. */
function containerPool(doc: Document, c: Change): Pool {
  const pool: Pool = new Map();
  const visit = (path: (string | number)[], value: unknown): void => {
    if (!isObj(value)) return;
    if (Array.isArray(value.containers)) {
      for (const list of ['containers', 'initContainers']) {
      const items = value[list];
      const seq = doc.getIn([...path, list], true);
      if (!Array.isArray(items) || !isSeq(seq)) continue;
      items.forEach((item, i) => {
        if (isObj(item) && typeof item.name === 'string') pool.set(item.name, { node: seq.items[i], value: item });
      });
      }
      return;
    }
    for (const [k, v] of Object.entries(value)) if (k !== 'metadata') visit([...path, k], v);
  };
  visit(c.path, c.before);
  return pool;
}

/**
 * Prints a document. A container that moved (into initContainers, or back) can carry an alias to an
 * anchor that now comes after it; then the aliases of that document are written out in full.
 */
function printDocument(doc: Document, options: ToStringOptions): string {
  try {
    return doc.toString(options);
  } catch (e) {
    if (!(e instanceof Error) || !/alias/i.test(e.message)) throw e;
    // The anchor may now stand after its alias, where Alias.resolve cannot see it: look everywhere.
    const anchors = new Map<string, Node>();
    visit(doc, (_key, node) => {
      if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
    });
    visit(doc, {
      Alias(_key, node) {
        const target = anchors.get(node.source);
        if (!target) return undefined;
        const copy = target.clone() as Node;
        copy.anchor = undefined;
        return copy;
      },
    });
    return doc.toString(options);
  }
}

function applyChanges(doc: Document, changes: readonly Change[]): void {
  for (const c of changes) {
    const pool = containerPool(doc, c);
    if (c.path.length === 0) {
      doc.contents = reconcile(doc, doc.contents, c.before, c.after, pool) as typeof doc.contents;
      continue;
    }
    const parent = doc.getIn(c.path.slice(0, -1), true);
    const index = c.path[c.path.length - 1];
    if (isSeq(parent) && typeof index === 'number') parent.items[index] = reconcile(doc, parent.items[index], c.before, c.after, pool)!;
  }
}

/** The text of one YAML document after the changes, with the user's bytes kept wherever they still hold. */
export function emitYamlDocument(file: SourceFile, index: number, changes: readonly Change[]): string {
  const d = file.docs[index - file.docOffset]!;
  const region = file.text.slice(d.start, d.end);
  applyChanges(d.doc, changes);
  let printed = printDocument(d.doc, detectStyle(region));
  // The printer repeats a %YAML directive the file stated once at the top; keep it only where it was.
  const head = region.split(/^---/m)[0] ?? '';
  if (!/^%/m.test(head)) printed = printed.replace(/^(%[^\n]*\n)+(?=---)/, '');
  const trailing = trailingWhitespace(region);
  // The indentation pass must not change what the document means: it is checked against the printer's.
  const restored = restoreLines(region, printed, (text) => {
    const again = parseDocument(text, { version: PARSE_OPTIONS.version, uniqueKeys: false });
    return again.errors.length === 0 && deepEqual(again.toJS({ maxAliasCount: -1 }), d.doc.toJS({ maxAliasCount: -1 }));
  });
  const body = restored.slice(0, restored.length - trailingWhitespace(restored).length);
  // A file with CRLF line ends keeps them on the lines startorder prints too.
  return (region.includes('\r\n') ? body.replace(/\r?\n/g, '\r\n') : body) + trailing;
}

function jsonIndent(text: string): string | number {
  const m = /^[[{]\r?\n([ \t]+)\S/.exec(text.trimStart());
  return m ? m[1]! : text.includes('\n') ? 2 : 0;
}

/** JSON in, JSON out, in the file's own indentation. */
export function emitJson(file: SourceFile, value: unknown): string {
  const trailing = trailingWhitespace(file.text);
  return JSON.stringify(value, null, jsonIndent(file.text)) + trailing;
}
