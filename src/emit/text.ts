/** Positions in the source text, and moving text between columns. */
import { isCollection, type Node } from 'yaml';
import { EmitError, type Ctx, type Env, type Path } from './types.js';

export function lineStart(text: string, p: number): number {
  return text.lastIndexOf('\n', p - 1) + 1;
}

/** The position just after the newline that ends the line on which `p` stands (or the text's end). */
export function lineEnd(text: string, p: number): number {
  if (p > 0 && text[p - 1] === '\n') return p;
  const q = text.indexOf('\n', p);
  return q < 0 ? text.length : q + 1;
}

export function column(text: string, p: number): number {
  return p - lineStart(text, p);
}

export function onlySpaceBefore(text: string, p: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, p), p));
}

export function indentOfLine(text: string, p: number): number {
  const ls = lineStart(text, p);
  return /^ */.exec(text.slice(ls))![0].length;
}

export function isBlock(node: Node | null | undefined): boolean {
  return !!node && isCollection(node) && !node.flow;
}

export function range(node: Node, path: Path): [number, number, number] {
  if (!node.range) throw new EmitError('a node without a source range', path);
  return node.range;
}

/** Lines after the first move by `delta` columns (the first is placed by the caller). */
export function reindent(text: string, delta: number): string {
  if (delta === 0) return text;
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line === '' || line === '\r') return line;
      if (delta > 0) return ' '.repeat(delta) + line;
      const lead = /^ */.exec(line)![0].length;
      return line.slice(Math.min(lead, -delta));
    })
    .join('\n');
}

export function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}

/** A key as toJS names it; the YAML 1.1 merge key `<<` parses to a symbol. */
export function keyName(v: unknown): string {
  return typeof v === 'symbol' ? '<<' : String(v);
}

/** The column a block collection printed as this slot's value starts at. */
export function blockCol(cx: Ctx, env: Env, seq: boolean): number {
  if (env.slot === 'item') return env.col + 2;
  return env.col + (seq ? (cx.src.style.indentSeq ? cx.src.style.indent : 0) : cx.src.style.indent);
}
