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

/** The whitespace at the end of a text (its trailing newline(s)), without a backtracking regex. */
export function trailingWhitespace(text: string): string {
  let i = text.length;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return text.slice(i);
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
