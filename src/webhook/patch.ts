/**
 * RFC 6902 JSON Patch between two JSON values: what the admission answer carries. Objects are
 * compared key by key; arrays element by element over their common length, then the extra elements
 * of the new array are added at the end, or the extra elements of the old one removed from the end —
 * or, when that takes more bytes than the new array itself, the array is replaced whole.
 */
export type PatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

type Json = unknown;

/** One reference token of a JSON Pointer (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((x, i) => same(x, bb[i]));
  }
  const ka = Object.keys(a);
  const bo = b as Record<string, Json>;
  return ka.length === Object.keys(bo).length && ka.every((k) => Object.hasOwn(bo, k) && same((a as Record<string, Json>)[k], bo[k]));
}

/** Element by element, unless one `replace` of the whole array says it in fewer bytes (args rewritten). */
function diffArrays(before: Json[], after: Json[], path: string, ops: PatchOp[]): void {
  const mine: PatchOp[] = [];
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) diffAt(before[i], after[i], `${path}/${i}`, mine);
  for (let i = common; i < after.length; i++) mine.push({ op: 'add', path: `${path}/${i}`, value: after[i] });
  // from the end, so every index still names the element it meant
  for (let i = before.length - 1; i >= common; i--) mine.push({ op: 'remove', path: `${path}/${i}` });
  if (mine.length > 1 && JSON.stringify(mine).length > JSON.stringify(after).length + path.length + 30) ops.push({ op: 'replace', path, value: after });
  else ops.push(...mine);
}

function diffObjects(before: Record<string, Json>, after: Record<string, Json>, path: string, ops: PatchOp[]): void {
  for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) ops.push({ op: 'remove', path: `${path}/${escapeToken(k)}` });
  for (const [k, v] of Object.entries(after)) {
    const at = `${path}/${escapeToken(k)}`;
    if (!Object.hasOwn(before, k)) ops.push({ op: 'add', path: at, value: v });
    else diffAt(before[k], v, at, ops);
  }
}

function diffAt(before: Json, after: Json, path: string, ops: PatchOp[]): void {
  if (same(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) return diffArrays(before, after, path, ops);
  if (isPlainObject(before) && isPlainObject(after)) return diffObjects(before, after, path, ops);
  ops.push({ op: 'replace', path, value: after });
}

/** The operations that turn `before` into `after` (empty when they are equal). */
export function jsonPatch(before: Json, after: Json): PatchOp[] {
  const ops: PatchOp[] = [];
  diffAt(before, after, '', ops);
  return ops;
}
