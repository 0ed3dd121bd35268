import { isCollection, isNode, type Node } from 'yaml';
import { position, type SourceFile } from './parse.js';

/** Finds line:column of a JSON path in a parsed document: the deepest node that exists on the path. */
export type Locator = (
  file: string | undefined,
  document: number | undefined,
  path: readonly (string | number)[],
) => { line: number; column: number } | undefined;

export function makeLocator(files: readonly SourceFile[]): Locator {
  const byName = new Map<string, SourceFile[]>();
  for (const f of files) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return (file, document, path) => {
    if (file === undefined || document === undefined) return undefined;
    // A stream processed in parts has several SourceFiles of one name: pick the part holding the document.
    const f = byName.get(file)?.find((x) => document >= x.docOffset && document < x.docOffset + x.docs.length);
    const d = f?.docs[document - (f?.docOffset ?? 0)];
    if (!f || !d) return undefined;
    let node: unknown = d.doc.contents;
    let at: Node | undefined = isNode(node) ? node : undefined;
    for (const key of path) {
      if (!isCollection(node)) break;
      const next: unknown = node.get(key, true);
      if (!isNode(next)) {
        // Point at the key of a missing value's parent pair when we can.
        break;
      }
      node = next;
      at = next;
    }
    const offset = at?.range?.[0];
    return offset === undefined ? undefined : position(f.lines, offset, f.lineOffset);
  };
}
