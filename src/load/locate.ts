import { isCollection, isNode, isScalar, LineCounter, parseDocument, Scalar, type Node } from 'yaml';
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
    for (const [i, key] of path.entries()) {
      if (isScalar(node) && node.type === Scalar.BLOCK_LITERAL) return insideBlock(f, node, path.slice(i)) ?? position(f.lines, node.range![0], f.lineOffset);
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

/**
 * A place inside the YAML text of a block scalar (a `startorder.dev/spec: |` annotation): the text is
 * parsed on its own and the line and column found there are moved to where that text is written.
 */
function insideBlock(f: SourceFile, scalar: Scalar, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  if (typeof scalar.value !== 'string' || !scalar.range) return undefined;
  const lines = new LineCounter();
  const inner = parseDocument(scalar.value, { lineCounter: lines, version: '1.1' });
  if (inner.errors.length > 0) return undefined;
  let node: unknown = inner.contents;
  let at: Node | undefined;
  for (const key of path) {
    if (!isCollection(node)) break;
    const next: unknown = node.get(key, true);
    if (!isNode(next)) break;
    node = next;
    at = next;
  }
  if (at?.range === undefined || at.range === null) return undefined;
  const p = lines.linePos(at.range[0]);
  const source = f.text.slice(scalar.range[0], scalar.range[1]).split('\n');
  const indent = /^ */.exec(source.slice(1).find((l) => l.trim() !== '') ?? '')![0].length;
  const header = position(f.lines, scalar.range[0], f.lineOffset);
  return { line: header.line + p.line, column: indent + p.col };
}
