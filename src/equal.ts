/** Structural equality of plain JSON-like data; stops at the first difference. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    // key order matters: it is what the user sees
    if (k !== kb[i] || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * A deep copy of plain data that shares nothing: YAML aliases parse to one object used in several
 * places, and a copy that kept that sharing (structuredClone does) would let a change to one use
 * change the others.
 */
export function copyTree<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyTree) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyTree(x);
    return out as T;
  }
  return v;
}

/**
 * `next` with its keys in the order `prev` has them, wherever both have an object at the same place:
 * keys both have keep prev's order, keys only next has go right after the key that precedes them in
 * next. A re-run on a file another tool re-serialized (kustomize fn run writes its own field order)
 * then changes values, never the order of what the user has. List items are paired by `name` where
 * both have one, else by position.
 */
export function alignOrder<T>(next: T, prev: unknown): T {
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    const named = (v: unknown): string | undefined =>
      v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).name === 'string'
        ? String((v as Record<string, unknown>).name)
        : undefined;
    const before: unknown[] = prev;
    return next.map((item: unknown, i) => {
      const n = named(item);
      const match = n !== undefined ? before.find((p) => named(p) === n) : before[i];
      return alignOrder(item, match);
    }) as T;
  }
  if (next === null || typeof next !== 'object' || prev === null || typeof prev !== 'object' || Array.isArray(prev)) return next;
  const a = next as Record<string, unknown>;
  const b = prev as Record<string, unknown>;
  const aKeys = Object.keys(a);
  const order = Object.keys(b).filter((k) => k in a);
  aKeys.forEach((k, j) => {
    if (k in b) return;
    let at = -1;
    for (let x = j - 1; x >= 0 && at < 0; x--) at = order.indexOf(aKeys[x]!);
    order.splice(at + 1, 0, k);
  });
  const out: Record<string, unknown> = {};
  for (const k of order) out[k] = alignOrder(a[k], b[k]);
  return out as T;
}
