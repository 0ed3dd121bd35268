/** JSON Pointers (RFC 6901), as ajv reports where an error is. */

/**
 * The path a JSON Pointer names. With `data` (the document the pointer points into), a segment is a
 * number exactly where the data has a list there, so a map key that looks like a number stays a
 * string; without it, every all-digit segment is taken as a list index.
 */
export function splitPointer(pointer: string, data?: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = data === undefined ? /^\d+$/.test(segment) : Array.isArray(cur);
    const step = index ? Number(segment) : segment;
    path.push(step);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[step] : undefined;
  }
  return path;
}
