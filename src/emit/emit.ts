import { isCollection, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Document, type Node, type ToStringOptions } from 'yaml';
import type { SourceFile } from '../load/parse.js';
import type { Obj } from '../types.js';
import { EmitError, keyName, Renderer, rootEnv, type Sources } from './edit.js';
import { isObj } from '../types.js';
import { deepEqual, trailingWhitespace } from '../equal.js';
export { EmitError } from './edit.js';
import { PARSE_OPTIONS } from '../load/parse.js';

/** A resource whose value changed: where it sits, what it was, what it becomes. */
export interface Change {
  document: number;
  path: (string | number)[];
  before: Obj;
  after: Obj;
  /** revert: the user's text of nodes the transform replaced (see AppliedRecord.src). */
  restore?: Map<string, { text: string; value?: unknown }>;
}

/**
 * The user's own text of what a transform replaces rather than extends, by `container/path`: the
 * `command`, `args` and `startupProbe` of the containers it orders, and every alias inside a container (a use that
 * must be written out when its anchor changes or moves). Kept in the record so that revert gives
 * these bytes back. A block value on the lines below its key starts on the line after the key.
 */
export function sourceTexts(file: SourceFile, document: number, resourcePath: readonly (string | number)[], podSpecPath: readonly string[], wrapped: ReadonlySet<string>): Record<string, string> {
  const d = file.docs[document - file.docOffset];
  if (!d) return {};
  const text = file.text;
  const out: Record<string, string> = {};
  const textOf = (node: Node, keyNode?: Node): string => {
    const [r0, r1] = node.range!;
    if (keyNode?.range && isCollection(node) && !node.flow) {
      const keyEnd = text.indexOf('\n', keyNode.range[1]) + 1;
      if (keyEnd > 0 && keyEnd <= r0) return text.slice(keyEnd, r1);
    }
    return text.slice(r0, r1);
  };
  for (const list of ['initContainers', 'containers']) {
    const seq = d.doc.getIn([...resourcePath, ...podSpecPath, list], true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const name = item.get('name');
      if (typeof name !== 'string') continue;
      if (wrapped.has(name)) {
        for (const pair of item.items) {
          const key = isScalar(pair.key) ? pair.key.value : undefined;
          if ((key === 'command' || key === 'args' || key === 'startupProbe') && isNode(pair.value) && pair.value.range) out[`${name}/${key}`] = textOf(pair.value, pair.key as Node);
        }
      }
      visit(item, {
        Alias: (_k, node) => {
          const where = aliasPath(item, node);
          if (where && node.range) out[[name, ...where].join('/')] = text.slice(node.range[0], node.range[1]);
        },
      });
    }
  }
  return out;
}

/** The path of a node inside a collection (keys and indexes), found by walking it. */
function aliasPath(root: Node, target: Node): (string | number)[] | undefined {
  const walk = (n: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (n === target) return path;
    if (isMap(n)) {
      for (const p of n.items) {
        const k = isScalar(p.key) ? keyName(p.key.value) : undefined;
        if (k === undefined) continue;
        const r = walk(p.value, [...path, k]);
        if (r) return r;
      }
    } else if (isSeq(n)) {
      for (let i = 0; i < n.items.length; i++) {
        const r = walk(n.items[i], [...path, i]);
        if (r) return r;
      }
    }
    return undefined;
  };
  return walk(root, []);
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

/** What the renderer may reuse: container nodes by name, and each container's command/args words. */
function sourcesOf(doc: Document, c: Change, text: string, region: string, json: boolean): Sources {
  const containers: Sources['containers'] = new Map();
  const words: Sources['words'] = new Map();
  const walk = (path: (string | number)[], value: unknown): void => {
    if (!isObj(value)) return;
    if (Array.isArray(value.containers)) {
      for (const list of ['containers', 'initContainers']) {
        const items = value[list];
        const seq = doc.getIn([...path, list], true);
        if (!Array.isArray(items) || !isSeq(seq) || seq.items.length !== items.length) continue;
        items.forEach((item, i) => {
          const node = seq.items[i] as Node;
          if (!isObj(item) || typeof item.name !== 'string' || !isMap(node)) return;
          containers.set(item.name, { node, value: item });
          const list: Sources['words'] extends Map<string, infer L> ? L : never = [];
          for (const key of ['command', 'args']) {
            const ws = item[key];
            const wn = node.get(key, true);
            if (!Array.isArray(ws) || !isSeq(wn) || wn.items.length !== ws.length) continue;
            ws.forEach((w, j) => list.push({ node: wn.items[j] as Node, value: w, used: false, seq: wn, index: j }));
          }
          words.set(item.name, list);
        });
      }
      return;
    }
    for (const [k, v] of Object.entries(value)) if (k !== 'metadata') walk([...path, k], v);
  };
  walk(c.path, c.before);
  const style = detectStyle(region);
  return {
    text,
    eol: region.includes('\r\n') ? '\r\n' : '\n',
    style: { json, indent: Number(style.indent ?? 2), indentSeq: style.indentSeq !== false, flowPadding: style.flowCollectionPadding !== false },
    containers,
    words,
    anchorOf: (alias) => {
      try {
        return alias.resolve(doc) as Node | undefined;
      } catch {
        return undefined;
      }
    },
    valueOf: (node) => node.toJS(doc, { maxAliasCount: -1 }) as unknown,
    expand: new Set(),
    edited: new Set(),
  };
}

/** The edits of one change: the new text of the resource's node, and where it goes. */
function renderChange(doc: Document, c: Change, text: string, region: string, json: boolean): { start: number; end: number; text: string } {
  const node = (c.path.length === 0 ? doc.contents : doc.getIn(c.path, true)) as Node | null;
  if (!node || !node.range) throw new EmitError('the resource has no node in its document', c.path);
  const src = sourcesOf(doc, c, text, region, json);
  src.restore = c.restore;
  let out = new Renderer(src).render(node, c.before, c.after, rootEnv(c.path));
  if (src.edited.size > 0 && hasAliases(doc)) {
    // An anchor changed in place: the aliases that keep its old value are written out in full.
    const again = sourcesOf(doc, c, text, region, json);
    again.expand = new Set(src.edited);
    again.restore = c.restore;
    out = new Renderer(again).render(node, c.before, c.after, rootEnv(c.path));
  }
  return { start: node.range[0], end: node.range[1], text: out };
}

function hasAliases(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** The text of one YAML document after the changes: the user's text with startorder's edits. */
export function emitYamlDocument(file: SourceFile, index: number, changes: readonly Change[]): string {
  const d = file.docs[index - file.docOffset]!;
  const region = file.text.slice(d.start, d.end);
  const edits = changes.map((c) => renderChange(d.doc, c, file.text, region, file.format === 'json')).sort((a, b) => a.start - b.start);
  let out = '';
  let pos = d.start;
  for (const e of edits) {
    if (e.start < pos) throw new EmitError('two changes overlap', []);
    out += file.text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + file.text.slice(pos, d.end);
}

/**
 * Reads what was written back, as the apiserver will: the document must parse to exactly the value
 * the pipeline meant (keys in order). Returns the first path where they differ.
 */
export function verifyDocument(text: string, expected: unknown): { value?: unknown; mismatch?: (string | number)[]; error?: string } {
  const doc = parseDocument(text, { version: PARSE_OPTIONS.version, uniqueKeys: true });
  if (doc.errors.length > 0) return { error: doc.errors[0]!.message.split('\n')[0] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: -1 }) as unknown;
  } catch (e) {
    return { error: (e as Error).message };
  }
  const at = firstDifference(value, expected, []);
  return at ? { mismatch: at, value } : { value };
}

function firstDifference(a: unknown, b: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (deepEqual(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], [...path, i]);
      if (d) return d;
    }
    return path;
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) return [...path, kb[i] ?? ka[i] ?? i];
      const d = firstDifference(a[ka[i]!], b[kb[i]!], [...path, ka[i]!]);
      if (d) return d;
    }
  }
  return path;
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
