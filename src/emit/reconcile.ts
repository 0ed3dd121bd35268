import { isAlias, isMap, isScalar, isSeq, isNode, type Document, type Node, type Scalar } from 'yaml';
import { isObj } from '../types.js';

import { deepEqual as equal } from '../equal.js';
const isScalarValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const hasNames = (list: readonly unknown[]) => list.length > 0 && list.every((x) => isObj(x) && typeof x.name === 'string');

function keyOf(k: unknown): unknown {
  return isScalar(k) ? k.value : k;
}

/**
 * Changes a YAML node in place so that it holds `next` where it held `prev`, touching only what
 * differs: comments, styles and key order of everything else survive. Returns the node to keep.
 */
export type Pool = Map<string, { node: unknown; value: unknown }>;

export function reconcile(doc: Document, node: unknown, prev: unknown, next: unknown, pool?: Pool): Node | null {
  if (isNode(node) && equal(prev, next)) return node;
  if (isAlias(node)) return doc.createNode(next) as Node;
  if (isMap(node) && isObj(prev) && isObj(next)) {
    node.items = node.items.filter((pair) => Object.hasOwn(next, String(keyOf(pair.key))));
    let after = -1;
    for (const [k, v] of Object.entries(next)) {
      const at = node.items.findIndex((p) => String(keyOf(p.key)) === k);
      if (at >= 0) {
        node.items[at]!.value = reconcile(doc, node.items[at]!.value, prev[k], v, pool);
        after = at;
      } else {
        // A new key goes right after the key that precedes it in the new object.
        const created = Array.isArray(v) ? reconcile(doc, doc.createNode([]), [], v, pool) : doc.createNode(v);
        node.items.splice(++after, 0, doc.createPair(k, created));
      }
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(prev) && Array.isArray(next)) {
    const byName = (prev.length === 0 || hasNames(prev)) && hasNames(next);
    if (!byName && next.every(isScalarValue) && prev.length !== next.length) {
      // A list of words that grew (args): fresh scalars, in the quoting the user's words had.
      const types = new Set(node.items.map((n) => (isScalar(n) ? n.type : undefined)));
      const type = types.size === 1 ? [...types][0] : undefined;
      node.items = next.map((v) => {
        const n = doc.createNode(v) as Scalar;
        if (type && typeof v === 'string') n.type = type;
        return n;
      });
      return node;
    }
    node.items = next.map((v, i) => {
      const j = byName ? prev.findIndex((p) => (p as { name: string }).name === (v as { name: string }).name) : i < prev.length ? i : -1;
      if (j >= 0) return reconcile(doc, node.items[j], prev[j], v, pool);
      // An item that moved here from another list (a container that became an init container).
      const moved = byName ? pool?.get((v as { name: string }).name) : undefined;
      return moved ? reconcile(doc, moved.node, moved.value, v, pool) : (doc.createNode(v) as Node);
    });
    return node;
  }
  if (isScalar(node) && isScalarValue(next) && typeof node.value === typeof next) {
    node.value = next;
    return node;
  }
  return next === undefined ? null : (doc.createNode(next) as Node);
}
