/** Printing what startorder adds, in the style of the file (block or flow, its indentation, JSON), through a small cache. */
import { Document, visit, type ToStringOptions } from 'yaml';
import { isObj } from '../kube/index.js';
import { needsQuotes } from './quote.js';
import type { EditStyle } from './types.js';

function quoteStrings(doc: Document): void {
  visit(doc, {
    Scalar(_k, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
}

function printOptions(style: EditStyle): ToStringOptions {
  return { lineWidth: 0, minContentWidth: 0, indent: style.indent, indentSeq: style.indentSeq, flowCollectionPadding: style.flowPadding };
}

/** A value as JSON on one line, its keys in their order (what a JSON file gets). */
function jsonInline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jsonInline).join(', ')}]`;
  if (isObj(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${jsonInline(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * What startorder adds is mostly the same for every workload (the init container, the volumes, the
 * mounts): printing goes through a small cache keyed by the value and the style.
 */
const printed = new Map<string, string>();

const PRINT_CACHE_MAX = 4096;

/** The value printed at column 0 (no final newline); `flow` prints every collection in flow style. */
export function printValue(value: unknown, style: EditStyle, flow: boolean): string {
  const key = `${style.json ? 'j' : ''}${style.indent}${style.indentSeq ? 's' : ''}${style.flowPadding ? 'p' : ''}${flow ? 'f' : ''}${JSON.stringify(value)}`;
  const hit = printed.get(key);
  if (hit !== undefined) return hit;
  const text = printUncached(value, style, flow);
  if (printed.size >= PRINT_CACHE_MAX) printed.clear();
  printed.set(key, text);
  return text;
}

function printUncached(value: unknown, style: EditStyle, flow: boolean): string {
  if (style.json) return jsonInline(value);
  if (flow && (value === null || typeof value !== 'object')) {
    // A scalar inside a flow collection: printed in one, so `,` `[` `]` `{` `}` are quoted.
    return printValue([value], { ...style, flowPadding: false }, true).replace(/^\[|\]$/g, '');
  }
  const doc = new Document(value, { version: '1.1' });
  quoteStrings(doc);
  if (flow) {
    visit(doc, {
      Map(_k, n) {
        n.flow = true;
      },
      Seq(_k, n) {
        n.flow = true;
      },
    });
  }
  return doc.toString(printOptions(style)).replace(/\n$/, '');
}
