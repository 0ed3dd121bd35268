/** What the renderer reuses from the user's document: container nodes, command words, anchors, the file's style. */
import { isCollection, isMap, isNode, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import { CONTAINER_LISTS, isObj } from '../kube/index.js';
import type { SourceFile } from '../load/parse.js';
import type { Change } from './emit.js';
import { detectStyle } from './style.js';
import { keyName } from './text.js';
import type { Sources } from './types.js';

/**
 * The user's own text of what a transform replaces rather than extends, by `container/path`: the
 * `command`, `args` and `startupProbe` of the containers it orders, and every alias inside a container (a use that
 * must be written out when its anchor changes or moves). Kept in the record so that revert gives
 * these bytes back. A block value on the lines below its key starts on the line after the key.
 */
export function sourceTexts(
  file: SourceFile,
  document: number,
  resourcePath: readonly (string | number)[],
  podSpecPath: readonly string[],
  wrapped: ReadonlySet<string>,
): Record<string, string> {
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
  for (const list of CONTAINER_LISTS) {
    const seq = d.doc.getIn([...resourcePath, ...podSpecPath, list], true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const name = item.get('name');
      if (typeof name !== 'string') continue;
      if (wrapped.has(name)) {
        for (const pair of item.items) {
          const key = isScalar(pair.key) ? pair.key.value : undefined;
          if ((key === 'command' || key === 'args' || key === 'startupProbe') && isNode(pair.value) && pair.value.range)
            out[`${name}/${key}`] = textOf(pair.value, pair.key as Node);
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

/** What the renderer may reuse: container nodes by name, and each container's command/args words. */
export function sourcesOf(doc: Document, c: Change, text: string, region: string, json: boolean): Sources {
  const containers: Sources['containers'] = new Map();
  const words: Sources['words'] = new Map();
  const walk = (path: (string | number)[], value: unknown): void => {
    if (!isObj(value)) return;
    if (Array.isArray(value.containers)) {
      for (const list of CONTAINER_LISTS) {
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
        return alias.resolve(doc);
      } catch {
        return undefined;
      }
    },
    valueOf: (node) => node.toJS(doc, { maxAliasCount: -1 }) as unknown,
    expand: new Set(),
    edited: new Set(),
  };
}
