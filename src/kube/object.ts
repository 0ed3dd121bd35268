/** Kubernetes objects as plain JSON, and paths into them. */

/** A Kubernetes object (or any part of one) as plain JSON: fields startorder does not know pass through unchanged. */
export type Obj = Record<string, unknown>;

/** A path into a document: keys and list indexes. */
export type Path = readonly (string | number)[];

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` in `v`, or undefined where the path leaves the data. */
export function getIn(v: unknown, path: Path): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/**
 * Sets `value` at `path` in `root`, in place; every step but the last must exist. Returns `root`.
 * (Copy first, e.g. with copyTree, to leave the input alone.) An empty path leaves `root` as it is.
 */
export function setIn<T extends object>(root: T, path: Path, value: unknown): T {
  if (path.length === 0) return root;
  let cur = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return root;
}
