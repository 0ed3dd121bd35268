/** Reading back what was written: the text must parse to exactly the value the pipeline meant. */
import { parseDocument } from 'yaml';
import { deepEqual } from '../equal.js';
import { isObj } from '../kube/index.js';
import { PARSE_OPTIONS } from '../load/parse.js';

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
