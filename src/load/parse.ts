import { parseAllDocuments, LineCounter, isAlias, isDocument, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';

/** Kubernetes reads YAML 1.1: `on`, `yes` and `0644` keep the meaning they had for the apiserver. */
export const PARSE_OPTIONS = {
  version: '1.1',
  /** An alias bomb fails here (see expansion) instead of eating memory; any number of plain aliases is fine. */
  maxAliasCount: -1,
  keepSourceTokens: false,
  prettyErrors: false,
  uniqueKeys: true,
} as const;

export interface SourceDoc {
  index: number;
  /** The parsed YAML document (JSON files are parsed by the YAML parser too, for positions). */
  doc: Document.Parsed;
  /** Plain data of the document; `undefined` for an empty document. */
  value: unknown;
  /** Byte range of the document's text in the file, comments and markers included. */
  start: number;
  end: number;
}

export interface SourceFile {
  name: string;
  text: string;
  format: 'yaml' | 'json';
  docs: SourceDoc[];
  lines: LineCounter;
  /** For a part of a larger stream (see pipeline/parts.ts): lines and documents before this part. */
  lineOffset: number;
  docOffset: number;
}

export function detectFormat(name: string, text: string): 'yaml' | 'json' {
  if (/\.json$/i.test(name)) return 'json';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  const first = /\S/.exec(text);
  return first && (first[0] === '{' || first[0] === '[') && /^\s*[[{][\s\S]*[\]}]\s*$/.test(text) && isJson(text) ? 'json' : 'yaml';
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function position(lines: LineCounter, offset: number, lineOffset = 0): { line: number; column: number } {
  const p = lines.linePos(offset);
  return { line: p.line + lineOffset, column: p.col };
}

/** A parse error; running out of stack means the document nests thousands of levels deep, not bad syntax. */
function syntaxDiagnostic(message: string, format: 'yaml' | 'json', at: Pick<Diagnostic, 'file' | 'document' | 'line' | 'column'>): Diagnostic {
  if (/call stack/i.test(message))
    return {
      code: 'input-too-deep',
      severity: 'error',
      message: 'the document nests too deeply to be read (thousands of levels)',
      hint: 'No Kubernetes manifest nests this deep: check that this is the file you meant.',
      ...at,
    };
  return {
    code: format === 'json' ? 'json-syntax' : 'yaml-syntax',
    severity: 'error',
    message: message.split('\n')[0] ?? message,
    hint: format === 'json' ? 'Fix the JSON syntax at this position.' : 'Fix the YAML syntax at this position (indentation, quotes, a missing colon).',
    ...at,
  };
}

/** Parses one input file into documents, collecting syntax errors as diagnostics. */
export function parseFile(
  name: string,
  text: string,
  part: { lineOffset: number; docOffset: number } = { lineOffset: 0, docOffset: 0 },
): { file: SourceFile; diagnostics: Diagnostic[] } {
  const format = detectFormat(name, text);
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, version: format === 'json' ? '1.2' : '1.1', lineCounter: lines });
  const list = isDocument(parsed) || Array.isArray(parsed) ? (Array.isArray(parsed) ? parsed : [parsed]) : [];
  const docs: SourceDoc[] = [];
  list.forEach((doc, index) => {
    const errs = doc.errors;
    for (const e of errs) {
      // where the stack ran out depends on the stack left: a too-deep document is pointed at as a whole
      const offset = /call stack/i.test(e.message) ? doc.range[0] : e.pos[0];
      diagnostics.push(syntaxDiagnostic(e.message, format, { file: name, document: part.docOffset + index, ...position(lines, offset, part.lineOffset) }));
    }
    let value: unknown;
    if (errs.length === 0) {
      try {
        // A JSON file may start with a byte-order mark, as YAML may: JSON.parse does not take it.
        if (format === 'yaml') checkExpansion(doc);
        value = format === 'json' ? JSON.parse(text.replace(/^\uFEFF/, '')) : doc.toJS({ maxAliasCount: -1 });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const alias = /alias/i.test(msg);
        // JSON.parse names a position: that is where the caret goes
        const at = format === 'json' ? /at position (\d+)/.exec(msg) : null;
        const where = { file: name, document: part.docOffset + index, ...position(lines, doc.range[0], part.lineOffset) };
        if (/call stack/i.test(msg)) diagnostics.push(syntaxDiagnostic(msg, format, where));
        else
          diagnostics.push({
            code: alias ? 'yaml-alias-limit' : format === 'json' ? 'json-syntax' : 'yaml-syntax',
            severity: 'error',
            message: msg,
            hint: alias ? 'Expand the anchors by hand; a document this size is not a Kubernetes manifest.' : 'Fix the syntax.',
            file: name,
            document: part.docOffset + index,
            ...position(lines, at ? Number(at[1]) + (text.startsWith('\uFEFF') ? 1 : 0) : doc.range[0], part.lineOffset),
          });
      }
    }
    docs.push({ index: part.docOffset + index, doc, value, start: doc.range[0], end: doc.range[2] });
  });
  // Regions tile the file: each document owns the text up to the next document's start.
  const starts = docs.map((d, i) => (i === 0 ? 0 : d.start));
  docs.forEach((d, i) => {
    d.start = starts[i]!;
    d.end = starts[i + 1] ?? text.length;
  });
  return { file: { name, text, format, docs, lines, ...part }, diagnostics };
}

/** How many values a document may hold once its aliases are expanded: far above any manifest, far below a bomb. */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * Throws when the document's aliases expand to more than MAX_EXPANDED_VALUES values. Counted on the
 * parsed tree, each anchored node's size once (linear in the document), before anything is expanded.
 */
function checkExpansion(doc: Document.Parsed): void {
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    if (isAlias(node)) node = node.resolve(doc);
    if (node === null || node === undefined) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    if (isMap(node) || isSeq(node)) for (const item of node.items) n += size(item);
    else if (isPair(node)) n = size(node.key) + size(node.value);
    else if (!isScalar(node)) n = 1;
    sizes.set(node, n);
    return n;
  };
  const total = size(doc.contents);
  if (total > MAX_EXPANDED_VALUES)
    throw new Error(
      `the aliases of this document expand to ${total > 1e12 ? 'more than 10^12' : total.toLocaleString('en')} values (the limit is ${MAX_EXPANDED_VALUES.toLocaleString('en')})`,
    );
}
